"""The designated institutions directory through the API: import, search, and bills naming a code."""

from __future__ import annotations

from typing import Any

from tests.integration.crossregion.conftest import post
from tests.integration.service.bills import amounts
from tests.integration.service.conftest import Service

BAD_FILE = """code,name,region,level,kind,networked,schemes,note
H37150200901,聊城市测试一院,371502,level_3,hospital,yes,cn-371500.resident,test
H37150200902,聊城市测试二院,371502,level_9,hospital,yes,cn-371500.resident,test
H37150200903,聊城市测试三院,371502,level_2,hospital,sometimes,cn-371500.resident,test
H37150200904,聊城市测试四院,371502,level_1,pharmacy,no,,test
"""


def imported(service: Service, text: str, strict: bool) -> Any:
    return service.client.post(
        "/v1/institutions/import",
        params={"strict": strict},
        content=text.encode(),
        headers={**service.operator, "Content-Type": "text/csv"},
    )


def codes(service: Service, **query: str) -> list[str]:
    response = service.client.get("/v1/institutions", params=query)
    assert response.status_code == 200, response.text
    return [x["code"] for x in response.json()]


def test_the_sample_directory_is_searched_by_name_region_and_level_without_a_key(directory: Service):
    assert codes(directory, name="人民医院", region="371500") == [
        "H37150200001",
        "H37150200003",
        "H37152100001",
        "H37158100001",
    ]
    assert codes(directory, region="310000", level="level_3") == ["H31010400001", "H31011500001"]
    assert codes(directory, name="药房") == ["P31011500101", "P37150200101", "P52010200101"]
    one = directory.client.get("/v1/institutions/H11010500001").json()
    assert one == {
        "code": "H11010500001",
        "name": "北京市朝阳区中心医院",
        "region": "110105",
        "level": "level_3",
        "kind": "hospital",
        "networked": False,
        "schemes": ["cn-110000.employee", "cn-110000.resident"],
        "note": "SAMPLE",
    }
    missing = directory.client.get("/v1/institutions/H00000000000")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["field"] == "code"
    assert directory.client.get("/v1/institutions", params={"level": "level_9"}).status_code == 422


def test_an_import_names_every_bad_row_and_a_strict_one_writes_nothing(service: Service):
    strict = imported(service, BAD_FILE, strict=True)
    assert strict.status_code == 422
    assert strict.json()["errors"] == [
        {
            "field": "row 3: level",
            "value": "level_9",
            "message": "not a level; write one of level_1, level_2, level_3, class_1, class_2, class_3",
        },
        {
            "field": "row 4: networked",
            "value": "sometimes",
            "message": "write yes or no (open for cross-province direct settlement)",
        },
    ]
    assert codes(service, region="371500") == []  # nothing written
    lenient = imported(service, BAD_FILE, strict=False)
    assert lenient.status_code == 200
    assert lenient.json()["imported"] == 2 and lenient.json()["refused"] == 2
    assert [(e["row"], e["field"]) for e in lenient.json()["errors"]] == [(3, "level"), (4, "networked")]
    assert codes(service, region="371500") == ["H37150200901", "H37150200904"]
    fixed = (
        BAD_FILE.replace("level_9", "level_2")
        .replace("sometimes", "no")
        .replace("测试一院", "测试一院（新址）")
    )
    assert imported(service, fixed, strict=True).json()["imported"] == 4  # codes are replaced, not doubled
    assert codes(service, name="新址") == ["H37150200901"]
    assert imported(service, "\ufeff" + fixed, strict=True).status_code == 200  # a BOM is fine
    assert (
        service.client.post(
            "/v1/institutions/import",
            content=fixed.encode(),
            headers={**service.auditor, "Content-Type": "text/csv"},
        ).status_code
        == 403
    )


def test_a_bill_naming_a_code_takes_level_and_flags_from_the_directory(directory: Service):
    person = directory.register(61, "cn-371500.resident", "adult")
    directory.cover(person, 2024)
    post(
        directory,
        f"/v1/persons/{person}/registrations",
        {"type": "referral", "treatment_region": "310000", "filed_on": "2024-06-01"},
        201,
    )
    # 上海市黄浦区中西医结合医院: level 2, not networked → a manual claim at level-2 rates
    bill = {
        "date": "2024-06-10",
        "kind": "inpatient",
        "institution": {"code": "H31010100001"},
        "split": {"class_a": "20000.00"},
    }
    settled = directory.settle(person, bill, "code-1")
    document = settled["settlement"]
    assert (document["settlement"]["mode"], document["settlement"]["reason"]) == ("manual", "not_networked")
    # 20000 - 先自付 2000 = 18000; - 500 (level 2) = 17500 x 75% = 13125.00
    assert amounts(settled) == {"basic": "13125.00", "critical": "0.00", "out_of_pocket": "6875.00"}


def test_bill_values_that_contradict_the_directory_are_refused_naming_the_field(directory: Service):
    person = directory.register(62, "cn-371500.resident", "adult")
    directory.cover(person, 2024)

    def errors(institution: dict[str, Any]) -> list[dict[str, Any]]:
        bill = {
            "date": "2024-06-10",
            "kind": "inpatient",
            "institution": institution,
            "split": {"class_a": "100.00"},
        }
        response = directory.client.post(
            "/v1/settlements",
            json={"person_id": person, "bill": bill},
            headers={**directory.operator, "Idempotency-Key": str(institution)},
        )
        assert response.status_code == 422, response.text
        found: list[dict[str, Any]] = response.json()["errors"]
        return found

    assert errors({"code": "H31010100001", "networked": True, "level": "level_3"}) == [
        {
            "field": "bill.institution.level",
            "value": "level_3",
            "message": "the directory lists H31010100001 with level 'level_2'; drop the field or correct the code",
        },
        {
            "field": "bill.institution.networked",
            "value": "true",
            "message": "the directory lists H31010100001 with networked false; drop the field or correct the code",
        },
    ]
    assert errors({"code": "H99999999999"})[0]["field"] == "bill.institution.code"
    assert errors({"region": "371502"})[0]["message"] == (
        "give 'code' (from the institutions directory) or both 'region' and 'level'"
    )


def test_a_shanxi_bill_at_a_beijing_hospital_reads_its_level_as_a_class(directory: Service):
    person = directory.register(63, "cn-140000.resident", "adult")
    directory.cover(person, 2024)
    bill = {
        "date": "2024-11-11",
        "kind": "outpatient",
        "institution": {"code": "H11010200001"},
        "split": {"class_a": "420.00"},
    }
    settled = directory.settle(person, bill, "shanxi")
    # level_3 in the directory is 三类 (class_3) for Shanxi: 60% - 10 points (temporary trip) = 50% of 420 = 210.00
    assert amounts(settled) == {"basic": "210.00", "out_of_pocket": "210.00"}
