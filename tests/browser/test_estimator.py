"""The estimator in a real browser: the amounts shown are the engine's, in both languages."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.estimator import (
    assert_page_shows,
    engine,
    example,
    record_estimates,
    run_estimate,
    wait_for_run,
)
from yibao.documents.bill import parse_bill
from yibao.errors import InputError
from yibao.money import format_yuan, parse_yuan
from yibao.web.i18n import words
from yibao.web.seed import STATE_KEYS
from yibao.web.typical import typical_split

pytestmark = pytest.mark.browser

SEED_EXAMPLE = "liaocheng-resident-inpatient-cross-province.json"
ZH = words("zh")


def test_first_visit_opens_with_the_seed_and_one_click_shows_the_engines_amounts(page, policies):
    posted = record_estimates(page)
    page.goto("/")
    assert page.input_value("#f-scheme") == "cn-371500.resident"
    assert page.input_value("#f-city") == "310000"
    assert page.input_value("#f-reg") == "referral"
    assert page.get_by_label("聊惠保（2024年度）").is_checked()
    assert page.locator("#result").is_hidden()

    run_estimate(page)

    expected = example(SEED_EXAMPLE, region="310000")
    assert parse_bill(posted[0]) == parse_bill(expected)
    settlement = engine(expected, policies)
    assert settlement.out_of_pocket == "37680.80"
    assert_page_shows(page, settlement)
    assert page.inner_text("#out-of-pocket") == "¥37,680.80"
    steps = page.locator("#steps li")
    assert steps.count() == len(settlement.trace)
    assert [t.strip() for t in steps.locator(".step-text").all_inner_texts()] == [
        step.text for step in settlement.trace
    ]
    assert page.locator('#steps li[data-assumed="true"]').count() == sum(
        1 for s in settlement.trace if s.assumed
    )
    assert page.locator("#steps .source").count() == sum(1 for s in settlement.trace if s.source)
    assert_checklist(page, settlement)
    query = parse_qs(urlparse(page.url).query, keep_blank_values=True)
    assert set(query) == {*STATE_KEYS, "lang"}
    assert query["prod"] == ["cn-371500.liaohuibao"]


def test_a_form_filled_by_hand_for_a_guiyang_pre_existing_case_matches_the_engine(page, policies):
    posted = record_estimates(page)
    page.goto("/")
    page.fill("#f-date", "2025-05-05")
    page.select_option("#f-scheme", "cn-520100.resident")
    page.select_option("#f-cat", "adult")
    page.select_option("#f-prov", "520000")
    page.select_option("#f-city", "520100")
    page.select_option("#f-level", "level_3")
    page.select_option("#f-reg", "none")
    page.check("#f-mode-split")
    page.fill("#f-a", "90000")
    page.fill("#f-b", "")
    page.fill("#f-c", "40000")
    page.fill("#f-ol", "")
    page.get_by_label("贵惠保（2025年度）").check()
    page.check("#f-pre")

    run_estimate(page)

    expected = example("guiyang-guihuibao-pre-existing.json", region="520100")
    assert parse_bill(posted[0]) == parse_bill(expected)
    settlement = engine(expected, policies)
    assert_page_shows(page, settlement)
    assert settlement.settlement.scope == "local"


def test_a_total_with_the_typical_split_and_earlier_spending_this_year(page, policies):
    posted = record_estimates(page)
    page.goto("/")
    page.fill("#f-date", "2025-03-15")
    page.select_option("#f-prov", "370000")
    page.select_option("#f-city", "371500")
    page.select_option("#f-level", "level_2")
    page.check("#f-mode-total")
    page.fill("#f-total", "8000")
    page.fill("#f-ytd", "3000")
    assert (
        page.locator("#f-total-help").inner_text().startswith("按典型比例拆分：甲类 55%、乙类 30%、丙类 15%")
    )

    run_estimate(page)

    earlier, bill = posted[0], posted[1]
    assert earlier["split"] == {
        "class_a": "3000.00",
        "class_b": "0.00",
        "class_c": "0.00",
        "over_limit": "0.00",
    }
    assert earlier["institution"]["region"] == "371500"
    split = typical_split(parse_yuan("8000"), "inpatient")
    assert bill["split"] == {k: format_yuan(v) for k, v in split.items()}
    assert bill["person"]["products"] == []
    assert bill["year_to_date"] == engine(earlier, policies).accumulators
    settlement = engine(bill, policies)
    assert settlement.accumulators["cn-371500.resident/admissions/inpatient"] == 2
    assert_page_shows(page, settlement)
    assert page.locator("#ytd-note").is_visible()


def test_switching_to_english_keeps_the_scenario_and_explains_in_english(page, policies):
    page.goto("/")
    assert page.get_attribute("html", "lang") == "zh-CN"
    run_estimate(page)
    chinese = page.inner_text("#out-of-pocket")

    page.click("#lang-switch")
    page.wait_for_url("**lang=en**")
    wait_for_run(page, 0)

    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("#result-title") == "Estimate"
    assert page.inner_text("#submit") == "Estimate"
    assert page.inner_text("#out-of-pocket") == chinese
    settlement = engine(example(SEED_EXAMPLE, region="310000"), policies, lang="en")
    assert_page_shows(page, settlement)
    texts = [t.strip() for t in page.locator("#steps .step-text").all_inner_texts()]
    assert texts == [step.text for step in settlement.trace]
    assert "general guidance" in page.inner_text("#todo")
    assert page.input_value("#f-reg") == "referral"
    assert page.inner_text("#lang-switch") == "中文"


def test_validation_messages_appear_next_to_their_field(page, policies):
    posted = record_estimates(page)
    page.goto("/")
    page.fill("#f-a", "12.345")
    page.click("#submit")

    error = page.locator("#f-a-error")
    error.wait_for(state="visible")
    assert error.inner_text() == ZH["err_amount"].replace("{value}", "12.345")
    assert page.get_attribute("#f-a", "aria-invalid") == "true"
    assert page.evaluate("() => document.activeElement.id") == "f-a"
    assert posted == []

    page.fill("#f-a", "60000.00")
    page.fill("#f-date", "2023-06-01")
    run_estimate(page)

    bill = example(SEED_EXAMPLE, region="310000", **{}) | {"date": "2023-06-01"}
    with pytest.raises(InputError) as raised:
        engine(bill, policies)
    problem = raised.value.problems[0]
    assert problem.where == "bill.person.scheme"
    assert page.locator("#f-scheme-error").inner_text() == problem.message
    assert page.get_attribute("#f-scheme", "aria-invalid") == "true"
    assert page.locator("#f-a-error").is_hidden()
    assert page.locator("#result").is_hidden()


def assert_checklist(page, settlement):
    """The document's guidance when it has some (every step shown), else the page's general checklist."""
    todo = page.inner_text("#todo")
    assert ZH["todo_general"] in todo
    steps = getattr(settlement, "guidance", None)
    if steps:
        assert page.get_attribute("#todo [data-guidance]", "data-guidance") == "document"
        assert all(step.text in todo for step in steps)
    else:
        assert page.get_attribute("#todo [data-guidance]", "data-guidance") == "general"
        assert ZH["todo_direct"] in todo


def without_guidance(route):
    """Answer as a settlement document without `guidance` would (before the service adds it)."""
    response = route.fetch()
    body = response.json()
    body.pop("guidance", None)
    route.fulfill(response=response, json=body)


def test_without_guidance_and_registration_the_checklist_is_a_general_manual_claim(page, policies):
    page.route("**/v1/estimates*", without_guidance)
    page.goto("/")
    page.select_option("#f-reg", "none")
    run_estimate(page)

    settlement = engine(example(SEED_EXAMPLE, region="310000") | {"registration": "none"}, policies)
    assert settlement.settlement.mode == "manual"
    assert_page_shows(page, settlement)
    todo = page.locator("#todo")
    assert todo.locator('[data-stage="before"] li').first.inner_text() == ZH["todo_register"]
    materials = todo.locator('[data-stage="claim"] ul ul li').all_inner_texts()
    assert materials == [ZH[f"todo_m_{m}"] for m in ["invoice", "itemised", "summary", "id", "bank"]]
    assert ZH["todo_deadline"] in todo.inner_text()


def test_guidance_in_the_settlement_document_is_shown_when_present(page):
    guidance = [
        {
            "phase": "before",
            "text": "办理转诊备案",
            "deadline": None,
            "materials": [],
            "rule": None,
            "source": None,
            "assumed": "one admission assumed",
        },
        {
            "phase": "claim",
            "text": "回参保地申请报销",
            "deadline": "2024-12-10",
            "materials": ["发票", "费用清单"],
            "rule": "cn-371500.resident@2024:claims",
            "source": None,
            "assumed": None,
        },
    ]

    def with_guidance(route):
        response = route.fetch()
        body = response.json()
        body["guidance"] = guidance
        route.fulfill(response=response, json=body)

    page.route("**/v1/estimates*", with_guidance)
    page.goto("/")
    run_estimate(page)

    todo = page.locator("#todo")
    assert todo.locator("[data-guidance]").get_attribute("data-guidance") == "document"
    before = todo.locator('[data-stage="before"] > ul > li')
    assert before.get_attribute("data-assumed") == "true"
    assert before.inner_text().startswith("办理转诊备案")
    claim = todo.locator('[data-stage="claim"] > ul > li')
    assert claim.inner_text().startswith("回参保地申请报销 （截止 2024-12-10）")
    assert claim.locator("ul li").all_inner_texts() == ["发票", "费用清单"]
    assert claim.locator("code").inner_text() == "cn-371500.resident@2024:claims"
    assert ZH["todo_general"] in todo.inner_text()


def test_the_result_fits_a_phone_screen(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    run_estimate(page)
    assert page.locator("#out-of-pocket").is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
