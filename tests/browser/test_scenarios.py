"""Side-by-side scenarios: each card's out-of-pocket and its difference in yuan are the engine's."""

from __future__ import annotations

import pytest

from tests.browser.estimator import engine, example, run_estimate, yuan
from yibao.money import format_yuan, parse_yuan
from yibao.web.i18n import words

pytestmark = pytest.mark.browser

ZH = words("zh")


def display(fen: int) -> str:
    """The page's way of writing yuan: ¥1,234.50."""
    whole, part = format_yuan(fen).split(".")
    return f"¥{int(whole):,}.{part}"


def test_scenarios_show_what_registration_level_and_product_are_worth(page, policies):
    page.goto("/")
    run_estimate(page)
    cards = page.locator("#scenario-cards [data-scenario]")
    assert [c.get_attribute("data-scenario") for c in cards.all()] == [
        "yours",
        "registration",
        "level",
        "product",
    ]

    seed = example("liaocheng-resident-inpatient-cross-province.json", region="310000")
    base = parse_yuan(engine(seed, policies).out_of_pocket)
    variants = {
        "registration": seed | {"registration": "none"},
        "level": seed | {"institution": seed["institution"] | {"level": "level_2"}},
        "product": seed | {"person": seed["person"] | {"products": []}},
    }
    for scenario, bill in variants.items():
        card = page.locator(f'#scenario-cards [data-scenario="{scenario}"]')
        expected = parse_yuan(engine(bill, policies).out_of_pocket)
        assert yuan(card.locator(".card-oop").inner_text()) == format_yuan(expected)
        key = "cmp_more" if expected > base else "cmp_less"
        assert card.locator(".card-diff").inner_text() == ZH[key].replace(
            "{amount}", display(abs(expected - base))
        )

    assert page.locator('[data-scenario="registration"] h3').inner_text() == ZH["cmp_without_registration"]
    assert page.locator('[data-scenario="registration"] .card-diff').inner_text() == "多付 ¥77,819.20"
    assert page.locator('[data-scenario="product"] .card-diff').inner_text() == "多付 ¥8,723.20"
    assert ZH["mode_manual"] in page.locator('[data-scenario="registration"]').inner_text()
