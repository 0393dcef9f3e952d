"""Policy files: editions and corrections, a user's own folder, and every problem of a bad file."""

from datetime import date
from pathlib import Path

import pytest

from yibao.documents.bill import parse_bill
from yibao.errors import InputError, PolicyError
from yibao.policy.load import builtin_pack_dir, load_policies
from yibao.policy.lookup import PolicySet
from yibao.settle import settle_bill

FIXTURES = Path(__file__).parent.parent / "fixtures"
BILL = {
    "date": "2025-03-02",
    "kind": "inpatient",
    "person": {"scheme": "cn-371500.resident", "category": "adult"},
    "institution": {"region": "371502", "level": "level_3"},
    "split": {"class_a": "15000.00"},
}


@pytest.fixture(scope="module")
def corrected() -> PolicySet:
    return PolicySet.load([FIXTURES / "corrections"])


def basic_paid(doc):
    return next(p.amount for p in doc.payments if p.payer == "basic")


def test_a_correction_supersedes_the_edition_it_corrects(corrected):
    doc = settle_bill(parse_bill(BILL), corrected)
    assert doc.scheme == "cn-371500.resident@2025-r1"
    assert basic_paid(doc) == "8520.00"  # (15000 - 800) x 60%


def test_as_known_on_settles_as_before_the_correction(corrected):
    doc = settle_bill(parse_bill(BILL), corrected, as_known_on=date(2025, 3, 1))
    assert doc.scheme == "cn-371500.resident@2025"
    assert basic_paid(doc) == "8400.00"  # (15000 - 1000) x 60%
    assert doc.as_known_on == date(2025, 3, 1)


def test_as_known_on_before_any_publication_is_refused(corrected):
    with pytest.raises(InputError) as caught:
        settle_bill(parse_bill(BILL), corrected, as_known_on=date(2024, 1, 1))
    assert str(caught.value) == (
        "bill.person.scheme: no edition of cn-371500.resident for 2025-03-02 was published by 2024-01-01; "
        "the first was published on 2024-12-31"
    )


def test_a_users_own_city_settles_without_code():
    policies = PolicySet.load([FIXTURES / "new-city"])
    bill = {
        **BILL,
        "person": {"scheme": "cn-370100.resident", "category": "adult"},
        "institution": {"region": "370102", "level": "level_2"},
        "split": {"class_a": "8000.00"},
        "year_to_date": {"cn-370100.resident/admissions/inpatient": 1},
    }
    doc = settle_bill(parse_bill(bill), policies)
    # second admission: deductible 300 x 0.5 = 150; bands on 7850: 5000 x 80% + 2850 x 95% = 6707.50
    assert basic_paid(doc) == "6707.50"
    assert doc.accumulators["cn-370100.resident/admissions/inpatient"] == 2


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cn-370100-resident-2025.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    _, problems = load_policies([path])
    return [str(p) for p in problems]


def fixture_text() -> str:
    return (FIXTURES / "new-city" / "cn-370100-resident-2025.toml").read_text(encoding="utf-8")


def test_every_problem_of_a_bad_file_is_reported_with_its_key(tmp_path):
    text = fixture_text()
    text = text.replace('level_3 = "600"', 'level_3 = "600.001"')
    text = text.replace('value    = "0.95"', 'value    = "95"')
    text = text.replace('name   = "年度最高支付限额"', 'nmae   = "年度最高支付限额"')
    path = write(tmp_path, text)
    assert problems_of(path) == [
        f"{path}: benefits.inpatient.deductible.by_level.level_3: '600.001' has 3 decimal places; amounts are "
        "yuan with at most 2 (e.g. '12.35')",
        f"{path}: benefits.inpatient.ratio.bands[1].value: '95' is more than 1; write 85 % as '0.85'",
        f"{path}: caps.fund.name: required key is missing",
        f"{path}: caps.fund.nmae: unknown key 'nmae'; check its spelling against `yibao schema`",
    ]


def test_cross_field_problems_name_the_key_and_the_fix(tmp_path):
    text = fixture_text().replace(
        'by_level = { level_1 = "100", level_2 = "300", level_3 = "600" }',
        'by_level = { level_1 = "100", level_2 = "300", level_4 = "600" }',
    )
    text = text.replace(
        'source = "test"\n\n[benefits.inpatient]', 'source = "notice"\n\n[benefits.inpatient]'
    )
    path = write(tmp_path, text)
    assert problems_of(path) == [
        f"{path}: caps.fund.source: unknown source 'notice'; [sources] has test",
        f"{path}: benefits.inpatient.deductible: unknown level 'level_4'; expected level_1, level_2, level_3",
        f"{path}: benefits.inpatient.deductible: has no number for category 'adult', level 'level_3'; add it or "
        "a 'value' fallback",
    ]


def test_a_file_with_neither_source_nor_assumption_is_refused(tmp_path):
    path = write(
        tmp_path,
        fixture_text().replace(
            'repeat   = ["1", "0.5", "0"]\nsource   = "test"', 'repeat   = ["1", "0.5", "0"]'
        ),
    )
    assert problems_of(path) == [
        f"{path}: benefits.inpatient.deductible: give exactly one of 'source' (a key of [sources]) or "
        "'assumed' (why it is assumed)"
    ]


def test_loading_a_bad_folder_raises_one_error_with_every_problem(tmp_path):
    write(tmp_path, "id = 'x'\n[broken")
    with pytest.raises(PolicyError) as caught:
        PolicySet.load([tmp_path])
    assert len(caught.value.problems) == 1
    assert "not valid TOML" in str(caught.value)


def test_builtin_packs_load_without_problems_and_are_named_after_their_id():
    loaded, problems = load_policies([builtin_pack_dir()])
    assert problems == []
    for path, policy in loaded:
        assert path.name == f"{policy.id.replace('.', '-')}-{policy.edition}.toml"
        assert path.parent.name == policy.kind
