"""The policy browser: every installed edition, its parameters as written, sources and assumed numbers."""

from __future__ import annotations

import pytest

from yibao.policy.describe import assumed_parameters

pytestmark = pytest.mark.browser


def test_the_browser_lists_every_edition_and_filters_as_you_type(page, policies):
    page.goto("/policies")
    rows = page.locator(".policy-row")
    assert rows.count() == len(policies.all())
    assert {code.inner_text() for code in page.locator(".policy-row code").all()} == {
        p.ref for p in policies.all()
    }

    page.fill("#policy-filter", "聊惠保")
    visible = [r for r in rows.all() if r.is_visible()]
    assert [r.locator("code").inner_text() for r in visible] == ["cn-371500.liaohuibao@2024"]
    assert page.locator("#group-basic").is_hidden()


def test_an_edition_shows_its_parameters_sources_and_assumed_numbers(page, policies):
    page.goto("/policies")
    page.fill("#policy-filter", "cn-371500.resident@2025")
    page.get_by_role("link", name="聊城市城乡居民基本医疗保险（2025年度）").click()
    page.wait_for_url("**/policies/cn-371500.resident@2025?lang=zh")

    policy = policies.get("cn-371500.resident@2025")
    assert page.inner_text("h1") == policy.name
    assumed = page.locator("#assumed-title + ul li")
    assert assumed.count() == len(assumed_parameters(policy))
    keys = {item.locator("code").inner_text() for item in assumed.all()}
    assert "benefits.inpatient.deductible" in keys
    sources = page.locator(".sources .source")
    assert {s.get_attribute("id") for s in sources.all()} == {f"source-{k}" for k in policy.sources}
    for source in policy.sources.values():
        assert source.title in page.inner_text(".sources")
    assert page.locator(".param.is-assumed").count() >= 1

    page.click("#lang-switch")
    page.wait_for_url("**lang=en")
    assert page.inner_text("h1") == policy.name_en


def test_an_unknown_edition_is_a_page_that_says_so(page):
    response = page.goto("/policies/cn-999999.nowhere@2024")
    assert response.status == 404
    assert "unknown policy 'cn-999999.nowhere'" in page.inner_text(".form-error")
