"""The columnar book format: one row per bill, person and coverage columns included.

`yibao schema batch` prints this as JSON. Amounts are yuan: decimals with two places in
Parquet (decimal of any width, or strings) and strings in CSV ("1234.50"); an int64 column
named `<amount>_fen` may be given instead of `<amount>`. In Parquet results, amounts are
DECIMAL(18, 2) stored as INT64 fen (Arrow reads them as decimal128(18, 2)) and the label
columns (scheme, mode, mode_reason, scope, registration) dictionary-encoded strings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from yibao.policy.models import BILL_KINDS


@dataclass(frozen=True)
class Column:
    """One input column."""

    name: str
    type: str
    required: bool
    default: str | None
    meaning: str


LIST_SEPARATOR = ";"
AMOUNTS = ("class_a", "class_b", "class_c", "over_limit")
SPECIAL_DRUG_PREFIX = "special_drug."

INPUT_COLUMNS: tuple[Column, ...] = (
    Column("bill_id", "string", True, None, "Unique id of the bill"),
    Column("person_id", "string", True, None, "A stable id of the insured person (not a national ID number)"),
    Column("date", "date (YYYY-MM-DD)", True, None, "Date of the bill (discharge date for an admission)"),
    Column("kind", "string", True, None, "One of " + ", ".join(BILL_KINDS)),
    Column("scheme", "string", True, None, "Basic scheme id, e.g. cn-371500.resident ('@edition' pins one)"),
    Column("category", "string", True, None, "A category the scheme declares (active, retired, adult ...)"),
    Column("level", "string", True, None, "A hospital level the scheme declares (level_3, class_2 ...)"),
    Column("region", "string (6 digits)", True, None, "GB/T 2260 code of the treatment region"),
    Column("registration", "string", False, "none", "备案: none, long_term, referral, emergency, temporary"),
    Column("settlement", "string", False, "", "direct or manual; derived from the institution when empty"),
    Column("designated", "bool", False, "true", "医保定点 institution"),
    Column("networked", "bool", False, "true", "Institution networked for cross-region direct settlement"),
    Column("contribution_paid", "bool", False, "true", "正常缴费 for the bill's year"),
    Column("contribution_months", "int", False, "", "Months of contribution (maternity)"),
    Column("variant", "string", False, "", "e.g. normal or difficult birth"),
    *(Column(a, "yuan", False, "0", f"{a} amount") for a in AMOUNTS),
    Column(
        "class_b_copay",
        "yuan",
        False,
        "",
        "乙类先行自付 as computed by the hospital; else the scheme's share",
    ),
    Column(
        "special_drug.<list>", "yuan", False, "0", "Special-drug amounts, one column per list (high_cost ...)"
    ),
    Column(
        "products", "string", False, "", f"Supplementary products held, ids separated by '{LIST_SEPARATOR}'"
    ),
    Column(
        "pre_existing", "string", False, "", "Products for which this bill treats a pre-existing condition"
    ),
    Column("flags", "string", False, "", "e.g. occupational_disease;third_party_paid"),
    Column("personal_account_balance", "yuan", False, "", "个人账户余额 before the book"),
)

OUTPUT_COLUMNS: tuple[Column, ...] = (
    Column("row", "int", True, None, "1-based row number in the input book"),
    Column("bill_id", "string", True, None, "As in the input"),
    Column("person_id", "string", True, None, "As in the input"),
    Column("scheme", "string", True, None, "The basic scheme edition applied, id@edition"),
    Column("total", "yuan", True, None, "The bill's total"),
    Column("basic", "yuan", True, None, "Paid by basic insurance"),
    Column("critical", "yuan", True, None, "Paid by critical-illness insurance"),
    Column("supplementary", "yuan", True, None, "Paid by supplementary products"),
    Column("personal_account", "yuan", True, None, "Paid from the personal account"),
    Column("out_of_pocket", "yuan", True, None, "Paid by the person in cash"),
    Column("mode", "string", True, None, "direct or manual"),
    Column("mode_reason", "string", True, None, "Why that mode"),
    Column("scope", "string", True, None, "local, in_province or cross_province"),
    Column("registration", "string", True, None, "Effective registration (waived where none is needed)"),
    Column("pay:<policy>:<benefit>", "yuan", True, None, "Paid by each benefit that applied in the book"),
)

ACCUMULATOR_COLUMNS: tuple[Column, ...] = (
    Column("person_id", "string", True, None, "As in the book"),
    Column("policy_id", "string", True, None, "The policy keeping the accumulator"),
    Column("period", "string", True, None, "The accumulation period: a year ('2025') or its start date"),
    Column("key", "string", True, None, "POLICY/KIND/NAME, as in a settlement's accumulators"),
    Column("value", "string", True, None, "Yuan with two decimals, or a count for admissions"),
)

ERROR_COLUMNS: tuple[Column, ...] = (
    Column("row", "int", True, None, "1-based row number in the input book"),
    Column("bill_id", "string", True, None, "As in the input (empty when unreadable)"),
    Column("field", "string", True, None, "The field at fault, as a bill document path"),
    Column("value", "string", True, None, "The value seen"),
    Column("message", "string", True, None, "What is wrong and the fix"),
)


def batch_schema() -> dict[str, Any]:
    """The book format as a JSON-ready description."""
    return {
        "description": __doc__.strip() if __doc__ else "",
        "input": [asdict(c) for c in INPUT_COLUMNS],
        "output": [asdict(c) for c in OUTPUT_COLUMNS],
        "accumulators": [asdict(c) for c in ACCUMULATOR_COLUMNS],
        "errors": [asdict(c) for c in ERROR_COLUMNS],
        "order": "Bills of one person may be anywhere in the book; they are settled in date order, "
        "then input order. A book already grouped by person streams in bounded memory.",
    }
