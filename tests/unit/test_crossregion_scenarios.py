"""The seed articles' cross-region situations, end to end: amounts, settlement mode and what to do."""

from __future__ import annotations

from datetime import date
from typing import Any

from yibao.documents.bill import parse_bill
from yibao.documents.settlement import Settlement
from yibao.settle import settle_bill

LIAOCHENG_RESIDENT_IN_SHANGHAI: dict[str, Any] = {
    "date": "2024-06-10",
    "kind": "inpatient",
    "person": {"scheme": "cn-371500.resident", "category": "adult"},
    "institution": {"region": "310104", "level": "level_3"},
    "split": {"class_a": "60000.00", "class_b": "40000.00", "class_c": "15000.00"},
}


def settle(policies, **changes: Any) -> Settlement:
    return settle_bill(parse_bill({**LIAOCHENG_RESIDENT_IN_SHANGHAI, **changes}), policies)


def paid(doc: Settlement, payer: str) -> str:
    return f"{sum(float(p.amount) for p in doc.payments if p.payer == payer):.2f}"


def phases(doc: Settlement) -> list[str]:
    return [step.phase for step in doc.guidance]


def test_liaocheng_resident_out_of_province_with_a_referral_is_settled_directly(policies):
    doc = settle(policies, registration="referral")
    # in_policy 60000 + 40000 - 10% of 40000 = 96000; 先自付 10% = 9600 -> 86400; - 1000 = 85400; x 60% = 51240
    assert paid(doc, "basic") == "51240.00"
    assert (doc.settlement.scope, doc.settlement.registration, doc.settlement.mode) == (
        "cross_province",
        "referral",
        "direct",
    )
    assert phases(doc) == ["before", "at_discharge"]
    assert doc.guidance[0].text == "您已办理异地转诊备案（当次住院有效）。"
    assert "直接结算" in doc.guidance[1].text


def test_liaocheng_resident_out_of_province_without_registration_pays_everything_and_is_told_why(policies):
    doc = settle(policies, registration="none")
    assert paid(doc, "basic") == "0.00" and paid(doc, "critical") == "0.00"
    assert doc.out_of_pocket == doc.total == "115000.00"
    assert doc.settlement.mode == "manual" and doc.settlement.reason == "not_registered"
    assert doc.guidance[0].text.startswith("按参保地规定，本次未备案的异地就医基本医保不予支付")
    assert phases(doc) == ["before"] * 6 + ["at_discharge", "claim"]
    claim = doc.guidance[-1]
    assert claim.deadline == date(2024, 7, 10)  # one month after discharge (seed 003)
    assert claim.materials == [
        "身份证",
        "医保卡/社保卡或医保电子凭证",
        "医疗费用发票（原件）",
        "费用清单",
        "出院小结或诊断证明",
        "本人银行账户",
    ]


def test_an_emergency_registered_afterwards_is_paid_and_claimed_with_the_emergency_certificate(policies):
    doc = settle(
        policies,
        registration="emergency",
        institution={"region": "110105", "level": "level_3", "networked": False},
    )
    assert paid(doc, "basic") == "51240.00"  # the same 先自付 10% as other temporary trips (seed 001)
    assert doc.settlement.mode == "manual" and doc.settlement.reason == "not_networked"
    claim = doc.guidance[-1]
    assert "急诊证明" in claim.materials
    assert claim.deadline == date(2024, 7, 10)


def test_a_students_emergency_claim_has_six_months(policies):
    doc = settle(
        policies,
        registration="emergency",
        person={"scheme": "cn-371500.resident", "category": "student"},
        institution={"region": "110105", "level": "level_3", "networked": False},
    )
    assert doc.guidance[-1].deadline == date(
        2024, 12, 10
    )  # seed 003: students' emergency admissions, 6 months


def test_a_long_term_registrant_is_paid_the_same_at_home_and_at_the_registered_place(policies):
    bill = {
        "date": "2025-04-02",
        "kind": "inpatient",
        "person": {"scheme": "cn-371500.employee", "category": "retired"},
        "split": {"class_a": "30000.00"},
        "registration": "long_term",
    }
    away = settle_bill(
        parse_bill({**bill, "institution": {"region": "310104", "level": "level_3"}}), policies
    )
    home = settle_bill(
        parse_bill({**bill, "institution": {"region": "371502", "level": "level_3"}}), policies
    )
    assert paid(away, "basic") == paid(home, "basic") != "0.00"
    assert (away.settlement.scope, away.settlement.mode) == ("cross_province", "direct")
    assert (home.settlement.scope, home.settlement.registration) == ("local", "waived")
    assert phases(home) == ["at_discharge"]


def test_shanxi_resident_outpatient_on_a_temporary_trip_out_of_province_loses_ten_points(policies):
    bill = {
        "date": "2024-11-11",
        "kind": "outpatient",
        "person": {"scheme": "cn-140000.resident", "category": "adult"},
        "institution": {"region": "110102", "level": "class_3"},
        "registration": "temporary",
        "split": {"class_a": "420.00"},
    }
    away = settle_bill(parse_bill(bill), policies)
    home = settle_bill(
        parse_bill({**bill, "institution": {"region": "140105", "level": "class_3"}}), policies
    )
    assert paid(away, "basic") == "210.00"  # 420 x (60% - 10 points) (seed 004)
    assert paid(home, "basic") == "252.00"  # 420 x 60%
    assert away.guidance[0].text == "您已办理临时外出就医备案（当次住院有效）。"


def test_in_province_treatment_in_jiangxi_needs_no_registration(policies):
    bill = {
        "date": "2025-02-14",
        "kind": "inpatient",
        "person": {"scheme": "cn-360100.resident", "category": "adult"},
        "institution": {"region": "360402", "level": "level_3"},
        "split": {"class_a": "12000.00"},
    }
    doc = settle_bill(parse_bill(bill), policies)
    assert (doc.settlement.scope, doc.settlement.registration, doc.settlement.mode) == (
        "in_province",
        "waived",
        "direct",
    )
    assert doc.guidance[0].text == "省内异地就医无需备案，按参保地待遇结算。"
