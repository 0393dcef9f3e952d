"""The command line as a user runs it: a real process, exit codes, stdout and stderr."""

import json
from pathlib import Path

import pytest

from tests.integration.service.processes import yibao
from yibao.money import parse_yuan

ROOT = Path(__file__).parent.parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
FIXTURES = ROOT / "tests" / "fixtures"


def test_policies_list_shows_every_builtin_edition():
    done = yibao("policies", "list", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    refs = {row["ref"] for row in rows}
    assert {
        "cn-371500.liaohuibao@2024",
        "cn-371500.resident@2024",
        "cn-371500.resident@2025",
        "cn-371500.employee@2024",
        "cn-371500.employee@2025",
        "cn-310000.huhuibao@2024",
        "cn-410100.employee@2025",
    } <= refs
    assert set(rows[0]) >= {"id", "name", "region", "kind", "valid_from", "valid_to", "source"}


def test_policies_show_flags_assumed_parameters():
    done = yibao("policies", "show", "cn-371500.resident@2025", "--json")
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["ref"] == "cn-371500.resident@2025"
    assert any(item["key"] == "benefits.inpatient.deductible" for item in shown["assumed"])
    assert shown["policy"]["benefits"]["inpatient"]["deductible"]["by_level"]["level_3"] == "1000"
    text = yibao("policies", "show", "cn-371500.resident@2025")
    assert "ASSUMED" in text.stdout


def test_a_users_folder_adds_policies_by_option_or_variable():
    by_option = yibao("policies", "list", "--json", "--policies", str(FIXTURES / "new-city"))
    by_variable = yibao("policies", "list", "--json", env={"YIBAO_POLICY_PATH": str(FIXTURES / "new-city")})
    for done in (by_option, by_variable):
        assert "cn-370100.resident@2025" in {row["ref"] for row in json.loads(done.stdout)}


def test_policies_check_passes_good_files_and_lists_every_problem_of_bad_ones(tmp_path):
    good = yibao("policies", "check", str(FIXTURES / "new-city"))
    assert good.returncode == 0 and "1 policy file(s) OK" in good.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (FIXTURES / "new-city" / "cn-370100-resident-2025.toml")
        .read_text(encoding="utf-8")
        .replace('value  = "10000"', 'value  = "ten thousand"')
        .replace('kind         = "basic"', 'kind         = "basik"'),
        encoding="utf-8",
    )
    done = yibao("policies", "check", str(bad))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"error: {bad}: kind: 'basik' is not allowed; expected 'basic', 'critical', 'supplementary' or "
        "'crossregion'",
        f"error: {bad}: caps.fund.value: 'ten thousand' is not an amount; write yuan as digits, e.g. '1234.50'",
    ]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_every_example_settles_and_balances(example):
    done = yibao("settle", str(example), "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    paid = sum(parse_yuan(p["amount"]) for p in doc["payments"])
    assert paid + parse_yuan(doc["out_of_pocket"]) == parse_yuan(doc["total"])
    assert all(parse_yuan(p["amount"]) >= 0 for p in doc["payments"])
    assert doc["trace"][-1]["op"] == "out_of_pocket"


def test_examples_cover_every_builtin_pack():
    used: set[str] = set()
    for example in EXAMPLES:
        doc = json.loads(yibao("settle", str(example), "--json").stdout)
        used |= {p["policy"] for p in doc["payments"]} | {doc["scheme"]}
    listed = {
        row["ref"]
        for row in json.loads(yibao("policies", "list", "--json").stdout)
        if row["kind"] != "crossregion"
    }
    assert listed - used == set()


def test_settle_explains_in_chinese_by_default_and_in_english_on_request():
    example = str(ROOT / "examples" / "liaocheng-resident-inpatient-cross-province.json")
    zh = yibao("settle", example)
    en = yibao("settle", example, "--lang", "en")
    assert "个人现金支付" in zh.stdout and "依据" in zh.stdout
    assert "Out of pocket" in en.stdout and "source:" in en.stdout


def test_a_bad_bill_exits_2_with_one_line_per_problem(tmp_path):
    bill = tmp_path / "bill.json"
    bill.write_text(
        json.dumps(
            {
                "date": "2025-13-01",
                "kind": "inpatient",
                "person": {"scheme": "cn-371500.resident", "category": "adult"},
                "institution": {"region": "371502", "level": "level_3"},
                "split": {"class_a": "100.005"},
            }
        ),
        encoding="utf-8",
    )
    done = yibao("settle", str(bill))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: bill.date: '2025-13-01' is not a date; write it as YYYY-MM-DD",
        "error: bill.split.class_a: '100.005' has 3 decimal places; amounts are yuan with at most 2 (e.g. '12.35')",
    ]
    assert done.stdout == ""


def test_unreadable_input_is_a_clear_error(tmp_path):
    missing = yibao("settle", str(tmp_path / "nope.json"))
    assert missing.returncode == 2
    assert (
        missing.stderr.strip()
        == f"error: {tmp_path / 'nope.json'}: no such file; give the path of a bill JSON file"
    )
    broken = tmp_path / "broken.json"
    broken.write_text('{"date": ', encoding="utf-8")
    done = yibao("settle", str(broken))
    assert done.returncode == 2 and done.stderr.startswith(f"error: {broken}:1:10: not valid JSON")
    when = yibao("settle", str(EXAMPLES[0]), "--as-known-on", "yesterday")
    assert when.returncode == 2
    assert when.stderr.strip() == "error: --as-known-on: 'yesterday' is not a date; write it as YYYY-MM-DD"


@pytest.mark.parametrize("document", ["bill", "settlement", "policy"])
def test_schemas_are_json_schema_documents(document):
    done = yibao("schema", document)
    schema = json.loads(done.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object" and schema["properties"]


def test_settlement_documents_match_their_published_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(yibao("schema", "settlement").stdout)
    bill_schema = json.loads(yibao("schema", "bill").stdout)
    for example in EXAMPLES:
        jsonschema.validate(json.loads(example.read_text(encoding="utf-8")), bill_schema)
        jsonschema.validate(json.loads(yibao("settle", str(example), "--json").stdout), schema)
