"""What the browser tests do on the estimator page and how they read it back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from yibao.documents.bill import Bill, parse_bill
from yibao.documents.settlement import Settlement
from yibao.money import format_yuan, parse_yuan
from yibao.policy.lookup import PolicySet
from yibao.settle import settle_bill

ROOT = Path(__file__).parent.parent.parent
EXAMPLES = ROOT / "examples"


def example(name: str, **institution: Any) -> dict[str, Any]:
    """An example bill as the page sends it: no institution name, the form's defaults filled in."""
    raw: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    raw["id"] = "web-estimate"
    raw["institution"] = {
        "region": raw["institution"]["region"],
        "level": raw["institution"]["level"],
        "designated": True,
        "networked": True,
        **institution,
    }
    raw.setdefault("registration", "none")
    for product in raw["person"].get("products", []):
        product.setdefault("pre_existing", False)
    return raw


def record_estimates(page: Any) -> list[dict[str, Any]]:
    """Every bill the page posts to /v1/estimates, in order (filled in as they are sent)."""
    posted: list[dict[str, Any]] = []

    def keep(request: Any) -> None:
        if request.method == "POST" and "/v1/estimates" in request.url:
            posted.append(json.loads(request.post_data))

    page.on("request", keep)
    return posted


def run_estimate(page: Any, trigger: str = "#submit") -> None:
    """Click (or press Enter on) the trigger and wait until the page has finished one more run."""
    before = int(page.get_attribute("body", "data-runs") or 0)
    page.click(trigger)
    wait_for_run(page, before)


def wait_for_run(page: Any, before: int) -> None:
    """Wait until the page has finished a run after `before` runs."""
    page.wait_for_function("(n) => Number(document.body.dataset.runs) > n", arg=before)


def yuan(text: str) -> str:
    """The page's '¥37,680.80' as the documents write it: '37680.80'."""
    return text.strip().replace("¥", "").replace(",", "")


def shown_payments(page: Any) -> dict[tuple[str, str], str]:
    """(policy, benefit) -> amount, as the payments table shows them."""
    rows = page.locator("#payments tbody tr")
    return {
        (row.get_attribute("data-policy"), row.get_attribute("data-benefit")): yuan(
            row.locator("td.amount").inner_text()
        )
        for row in rows.all()
    }


def shown_payers(page: Any) -> dict[str, str]:
    """payer -> amount, as the legend of the stacked bar shows them."""
    items = page.locator("#legend li")
    return {
        item.get_attribute("data-payer"): yuan(item.locator(".legend-amount").inner_text())
        for item in items.all()
    }


def engine(raw: dict[str, Any], policies: PolicySet, lang: str = "zh") -> Settlement:
    """The engine's settlement of a bill document."""
    bill: Bill = parse_bill(raw)
    return settle_bill(bill, policies, None, lang)


def payer_totals(settlement: Settlement) -> dict[str, str]:
    """payer -> amount (yuan string) summed over the payment lines, out-of-pocket included."""
    fen: dict[str, int] = {}
    for line in settlement.payments:
        fen[line.payer] = fen.get(line.payer, 0) + parse_yuan(line.amount)
    totals = {payer: format_yuan(value) for payer, value in fen.items()}
    return {**totals, "out_of_pocket": settlement.out_of_pocket}


def assert_page_shows(page: Any, settlement: Settlement) -> None:
    """The out-of-pocket amount, every payment line and every payer total equal the engine's."""
    assert yuan(page.inner_text("#out-of-pocket")) == settlement.out_of_pocket
    expected = {(line.policy, line.benefit): line.amount for line in settlement.payments}
    assert shown_payments(page) == expected
    assert shown_payers(page) == payer_totals(settlement)
    assert page.get_attribute("#mode .mode-line", "data-mode") == settlement.settlement.mode
