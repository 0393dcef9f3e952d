"""The home schemes' cross-region rules applied to filings, changes, claims and the directory (no database)."""

from __future__ import annotations

from datetime import date

from tests.integration.crossregion.conftest import LIAOCHENG_CLAIM_MATERIALS
from yibao.crossregion.claim_rules import ClaimCase, claim_case, late
from yibao.crossregion.directory import RowError, level_for, read_directory
from yibao.crossregion.registration_rules import (
    Filing,
    check_filing,
    covers,
    earliest_change,
    need_for,
    opening,
    rule_of,
)
from yibao.errors import Problem
from yibao.policy.crossregion_models import RegistrationRule
from yibao.store.institutions import sample_directory

RESIDENT = "cn-371500.resident@2024"


def rule(policies, ref: str, reg_type: str) -> RegistrationRule:
    found = rule_of(policies.get(ref), reg_type)
    assert isinstance(found, RegistrationRule), found
    return found


def test_each_liaocheng_registration_type_opens_and_lasts_as_its_rule_says(policies):
    day = date(2024, 3, 15)
    long_term = opening(rule(policies, RESIDENT, "long_term"), Filing("long_term", "310000", day, "online"))
    assert (long_term.state, long_term.effective_from, long_term.effective_to) == ("effective", day, None)
    referral = opening(rule(policies, RESIDENT, "referral"), Filing("referral", "310000", day, "online"))
    assert (referral.effective_to, referral.admissions_limit) == (None, 1)  # one admission
    temporary = opening(rule(policies, RESIDENT, "temporary"), Filing("temporary", "310000", day, "online"))
    assert temporary.effective_to == date(2024, 9, 14)  # six months: 15 March to 14 September
    at_counter = Filing("temporary", "310000", day, "counter")
    assert opening(rule(policies, RESIDENT, "temporary"), at_counter).state == "filed"  # waits for review
    reviewed = opening(rule(policies, RESIDENT, "temporary"), at_counter, reviewed_on=date(2024, 3, 20))
    assert (reviewed.effective_from, reviewed.effective_to) == (date(2024, 3, 20), date(2024, 9, 19))
    shanxi = opening(
        rule(policies, "cn-140000.resident@2024", "long_term"), Filing("long_term", "110000", day, "online")
    )
    assert shanxi.effective_to == date(2025, 3, 14)  # Shanxi: one year (seed 004)


def test_filing_after_treatment_began_is_allowed_only_where_the_rule_says(policies):
    scheme = policies.get(RESIDENT)
    need = need_for(policies, scheme, "110105", date(2024, 6, 20))
    referral = Filing(
        "referral", "110000", date(2024, 6, 20), "online", treatment_started_on=date(2024, 6, 8)
    )
    assert check_filing(scheme, need, rule(policies, RESIDENT, "referral"), referral) == [
        Problem(
            "treatment_started_on",
            "treatment began on 2024-06-08, before filing on 2024-06-20; a referral registration must be filed "
            "before treatment (cn-371500.resident@2024:registrations.referral.file_after_treatment = 'no'); "
            "the bill is settled as unregistered",
            "2024-06-08",
        )
    ]
    emergency = Filing(
        "emergency", "110000", date(2024, 6, 20), "online", treatment_started_on=date(2024, 6, 8)
    )
    emergency_rule = rule(policies, RESIDENT, "emergency")
    assert check_filing(scheme, need, emergency_rule, emergency) == []  # file_after_treatment = "with_claim"
    assert opening(emergency_rule, emergency).effective_from == date(2024, 6, 8)  # reaches back to treatment


def test_a_type_the_scheme_does_not_define_is_refused_naming_the_types_it_has(policies):
    assert rule_of(policies.get("cn-140000.resident@2024"), "referral") == Problem(
        "type",
        "cn-140000.resident@2024 defines no 'referral' registration; it defines long_term, temporary",
        "referral",
    )
    assert rule_of(policies.get("cn-360100.resident@2023"), "temporary") == Problem(
        "type",
        "cn-360100.resident@2023 defines no 'temporary' registration; it defines none (its file has no [registrations])",
        "temporary",
    )


def test_registration_is_needed_away_from_home_but_not_at_home_nor_inside_jiangxi(policies):
    liaocheng, nanchang = policies.get(RESIDENT), policies.get("cn-360100.resident@2023")
    day = date(2024, 6, 1)
    at_home = need_for(policies, liaocheng, "371502", day)
    assert (at_home.scope, at_home.needed) == ("local", False)
    assert at_home.explanation == "371502 is inside the home pooling region 371500: no registration is needed"
    assert need_for(policies, liaocheng, "370102", day).needed  # Shandong has no 省内无异地 file
    assert need_for(policies, liaocheng, "310104", day).scope == "cross_province"
    jiangxi = need_for(policies, nanchang, "360402", day)
    assert (jiangxi.scope, jiangxi.needed) == ("in_province", False)
    assert jiangxi.explanation == (
        "360402 is in the home province and cn-360000.crossregion@2023 says in-province treatment needs no "
        "registration (省内无异地)"
    )
    assert need_for(policies, nanchang, "310104", day).needed


def test_a_long_term_registration_may_change_six_months_after_it_took_effect(policies):
    long_term = rule(policies, "cn-371500.employee@2025", "long_term")
    assert earliest_change(long_term, date(2025, 1, 10)) == date(2025, 7, 10)
    assert earliest_change(rule(policies, RESIDENT, "temporary"), date(2025, 1, 10)) is None


def test_a_registration_for_a_city_covers_its_districts_and_one_for_a_province_the_province():
    assert covers("310000", "310104") and covers("320100", "320102") and covers("370000", "371502")
    assert not covers("320100", "320500") and not covers("310104", "310101")


def test_a_claims_materials_and_deadline_follow_its_registration_and_category(policies):
    scheme = policies.get(RESIDENT)
    base = LIAOCHENG_CLAIM_MATERIALS
    discharged = date(2024, 6, 10)
    assert claim_case(scheme, "emergency", "adult", discharged) == ClaimCase(
        [*base, "emergency_proof"], 1, date(2024, 7, 10), f"{RESIDENT}:claims.deadline_months"
    )
    assert claim_case(scheme, "emergency", "student", discharged) == ClaimCase(
        [*base, "emergency_proof"], 6, date(2024, 12, 10), f"{RESIDENT}:claims.exceptions[0]"
    )
    assert claim_case(scheme, "referral", "adult", discharged).required[-1] == "referral_letter"  # type: ignore[union-attr]
    assert claim_case(scheme, "long_term", "adult", discharged).required[-1] == "residence_proof"  # type: ignore[union-attr]
    case = claim_case(scheme, "none", "adult", discharged)
    assert isinstance(case, ClaimCase)
    assert late(case, discharged, date(2024, 7, 10)) is None  # the deadline day is in time
    assert late(case, discharged, date(2024, 7, 11)) == Problem(
        "submitted_on",
        "submitted on 2024-07-11, after the deadline 2024-07-10: a claim must reach the home insurance office "
        "within 1 month of discharge on 2024-06-10 (cn-371500.resident@2024:claims.deadline_months); this claim "
        "can no longer be accepted",
        "2024-07-11",
    )
    no_rules = claim_case(policies.get("cn-310000.employee"), "none", "active", discharged)
    assert isinstance(no_rules, Problem) and no_rules.where == "person_id"


def test_the_sample_directory_is_marked_sample_and_reads_without_a_problem(policies):
    text = sample_directory()
    assert text.startswith("# SAMPLE DATA")
    listed, errors = read_directory(text)
    assert errors == []
    assert len(listed) == 31
    assert {x.note for x in listed} == {"SAMPLE"}
    provinces = {x.region[:2] for x in listed}
    assert {p.province for p in policies.all() if p.kind == "basic"} | {"11"} == provinces  # and Beijing


def test_the_directory_reader_names_every_problem_of_every_bad_row():
    text = "\n".join(
        [
            "# a comment line is skipped but counted",
            "code,name,region,level,kind,networked,schemes",
            "H1,甲医院,371502,level_3,hospital,yes,cn-371500.resident",
            "H2,乙医院,37150,level_4,clinic,maybe,cn-371500.resident",
            "H1,重复医院,371502,level_2,hospital,no,",
            "H3,丙医院,371502,level_2,hospital,no,Liaocheng",
            "H4,丁医院,371502,level_2,hospital,no,cn-371500.resident,extra",
        ]
    )
    listed, errors = read_directory(text)
    assert [x.code for x in listed] == ["H1"]
    assert errors == [
        RowError(4, "region", "37150", "not a six-digit region code (GB/T 2260), e.g. 371502"),
        RowError(
            4,
            "level",
            "level_4",
            "not a level; write one of level_1, level_2, level_3, class_1, class_2, class_3",
        ),
        RowError(4, "kind", "clinic", "write hospital or pharmacy"),
        RowError(4, "networked", "maybe", "write yes or no (open for cross-province direct settlement)"),
        RowError(5, "code", "H1", "listed already on row 3; list each code once"),
        RowError(
            6,
            "schemes",
            "Liaocheng",
            "'Liaocheng' is not a scheme id such as cn-371500.resident; separate by spaces",
        ),
        RowError(
            7,
            "row",
            "H4,丁医院,371502,level_2,hospital,no,cn-371500.resident,extra",
            "not 7 cells; quote a cell that holds a comma, one row per line",
        ),
    ]
    assert read_directory("code,name\n")[1][0] == RowError(
        1,
        "region",
        None,
        "column 'region' is missing; the header is code,name,region,level,kind,networked,schemes,note",
    )


def test_directory_levels_are_read_in_each_schemes_own_keys(policies):
    shanxi, liaocheng = policies.get("cn-140000.resident@2024").levels, policies.get(RESIDENT).levels
    assert level_for(shanxi, "level_3") == "class_3"  # 三级 ≈ 三类
    assert level_for(liaocheng, "class_2") == "level_2"
    assert level_for(liaocheng, "level_1") == "level_1"
