"""Accessibility basics: every control has a label, the keyboard alone gets a result, text contrast ≥ 4.5:1.

Contrast is computed from the page's CSS as the browser applies it: each element with its own
text, its computed colour, and the background it sits on (ancestors' backgrounds composited
over white), with the WCAG 2 relative-luminance formula.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.estimator import run_estimate, wait_for_run

pytestmark = pytest.mark.browser

MIN_CONTRAST = 4.5

UNLABELLED = """() => [...document.querySelectorAll("input, select, textarea, button")]
  .filter((el) => el.type !== "hidden")
  .filter((el) => {
    const named = el.labels?.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    const text = el.tagName === "BUTTON" && el.textContent.trim();
    return !(named || text);
  })
  .map((el) => el.outerHTML.slice(0, 120))"""

TEXT_COLOURS = """() => {
  const rgba = (css) => (css.match(/[\\d.]+/g) || ["0", "0", "0", "0"]).map(Number).concat([1]).slice(0, 4);
  const over = (top, below) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    return layers.reverse().reduce((below, top) => over(top, below), [255, 255, 255, 1]);
  };
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || el.closest("[hidden], option, script") || el.disabled) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.opacity === "0") continue;
    const bg = background(el);
    found.push({ text: el.textContent.trim().slice(0, 40), tag: el.tagName,
                 colour: over(rgba(style.color), bg).slice(0, 3), background: bg.slice(0, 3) });
  }
  return found;
}"""


def luminance(rgb: list[float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0-255 channels)."""

    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: list[float], other: list[float]) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def low_contrast(page: Any) -> list[str]:
    """Every text element on the page below the minimum, described."""
    texts = page.evaluate(TEXT_COLOURS)
    assert len(texts) > 20, "no text found; the page did not render"
    return [
        f"{t['tag']} {t['text']!r}: {contrast(t['colour'], t['background']):.2f}"
        for t in texts
        if contrast(t["colour"], t["background"]) < MIN_CONTRAST
    ]


def test_every_input_has_a_label(page):
    page.goto("/")
    run_estimate(page)
    assert page.evaluate(UNLABELLED) == []
    page.goto("/policies")
    assert page.evaluate(UNLABELLED) == []


def test_the_keyboard_alone_reaches_a_result(page):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    visited = []
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.id || document.activeElement.tagName")
        visited.append(focused)
        if focused == "submit":
            break
    assert visited[-1] == "submit", visited
    assert {"f-scheme", "f-cat", "f-date", "f-prov", "f-city", "f-level", "f-reg", "f-a", "f-ytd"} <= set(
        visited
    )
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused button shows no focus ring"

    page.keyboard.press("Enter")
    wait_for_run(page, 0)
    assert page.locator("#result").is_visible()
    assert page.evaluate("() => document.activeElement.id") == "result-title"


def test_text_contrast_is_at_least_4_5_to_1(page):
    page.goto("/")
    run_estimate(page)
    assert low_contrast(page) == []

    page.fill("#f-a", "x")
    page.click("#submit")
    page.locator("#f-a-error").wait_for(state="visible")
    assert low_contrast(page) == []

    page.goto("/policies/cn-371500.resident@2025")
    assert low_contrast(page) == []
