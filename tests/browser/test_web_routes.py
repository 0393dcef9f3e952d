"""The page's server side without a browser: form.json, static files, headers, typical split, regions."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from yibao.api.app import create_app
from yibao.money import parse_yuan
from yibao.web.regions import PROVINCES, region_codes
from yibao.web.seed import SEED_STATE
from yibao.web.typical import SHARES_BP, typical_split


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app()) as client:
        yield client


def test_form_json_offers_each_scheme_with_its_levels_categories_and_products(client):
    form = client.get("/web/form.json").json()
    schemes = {s["id"]: s for s in form["schemes"]}
    liaocheng = schemes["cn-371500.resident"]
    assert liaocheng["region"] == "371500"
    assert [e["edition"] for e in liaocheng["editions"]] == ["2024", "2025"]
    edition = liaocheng["editions"][0]
    assert [lvl["key"] for lvl in edition["levels"]] == ["level_1", "level_2", "level_3"]
    assert [c["key"] for c in edition["categories"]] == ["adult", "student"]
    assert edition["kinds"] == ["inpatient", "outpatient"]
    assert liaocheng["products"] == ["cn-371500.liaohuibao"]
    assert liaocheng["critical"] == ["cn-371500.resident-critical"]
    assert form["products"]["cn-371500.liaohuibao"]["editions"] == [
        {"edition": "2024", "valid_from": "2024-01-01", "valid_to": "2024-12-31"}
    ]
    assert schemes["cn-410100.employee"]["editions"][0]["variants"] == [
        {"key": "normal", "name": "正常分娩"},
        {"key": "difficult", "name": "异常分娩（难产）"},
    ]
    assert {d["key"] for d in form["special_drugs"]} >= {"high_cost", "special_effect"}


def test_the_page_carries_the_seed_and_a_strict_content_security_policy(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert '"scheme": "cn-371500.resident"' in response.text
    english = client.get("/", params={"lang": "en"})
    assert '<html lang="en">' in english.text
    assert client.get("/", params={"lang": "fr"}).status_code == 422


def test_static_files_are_served_and_nothing_else(client):
    script = client.get("/web/static/app.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert client.get("/web/static/style.css").headers["content-type"].startswith("text/css")
    for name in ["missing.js", "..%2Froutes.py", "routes.py", ".hidden.js"]:
        assert client.get(f"/web/static/{name}").status_code == 404


def test_an_unknown_policy_page_is_a_404_naming_the_problem(client):
    response = client.get("/policies/cn-999999.nowhere")
    assert response.status_code == 404
    assert "unknown policy" in response.text


@pytest.mark.parametrize("total", ["0.01", "0.03", "1.00", "8000.00", "123456.78"])
@pytest.mark.parametrize("kind", sorted(SHARES_BP))
def test_the_typical_split_adds_up_to_the_total(kind, total):
    fen = parse_yuan(total)
    parts = typical_split(fen, kind)
    assert sum(parts.values()) == fen
    assert all(value >= 0 for value in parts.values())


def test_the_typical_inpatient_split_rounds_half_up():
    assert typical_split(parse_yuan("8000"), "inpatient") == {
        "class_a": 440000,
        "class_b": 240000,
        "class_c": 120000,
    }
    assert typical_split(1, "inpatient") == {"class_a": 1, "class_b": 0, "class_c": 0}


def test_regions_have_unique_six_digit_codes_and_include_every_home_region(policies):
    codes = [p.code for p in PROVINCES] + [c.code for p in PROVINCES for c in p.cities]
    assert len(codes) == len(set(codes)) == len(region_codes())
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert all(c.code[:2] == p.code[:2] for p in PROVINCES for c in p.cities)
    assert len(PROVINCES) == 31
    homes = {p.region for p in policies.all() if p.kind == "basic"}
    assert homes <= region_codes()
    assert SEED_STATE["city"] in region_codes()
