"""The situation a first visit opens with, and the names of the page's URL parameters.

The seed: a Liaocheng resident (聊城市城乡居民医保, adult) admitted to a tertiary hospital in
Shanghai on a referral registration (转诊备案), holding 聊惠保 — the situation of
`seeds/000` (聊惠保省外就医) and `seeds/001` (聊城医保异地报销), and the bill of
`examples/liaocheng-resident-inpatient-cross-province.json` (Shanghai as the city).
The URL holds only these parameters: no name, ID number or anything personal.
"""

from __future__ import annotations

SEED_STATE: dict[str, str] = {
    "scheme": "cn-371500.resident",
    "cat": "adult",
    "date": "2024-06-10",
    "prov": "310000",
    "city": "310000",
    "level": "level_3",
    "desig": "1",
    "net": "1",
    "reg": "referral",
    "kind": "inpatient",
    "variant": "",
    "months": "",
    "mode": "split",
    "total": "",
    "a": "60000.00",
    "b": "40000.00",
    "c": "15000.00",
    "ol": "500.00",
    "sd": "",
    "sdl": "",
    "ytd": "",
    "prod": "cn-371500.liaohuibao",
    "pre": "0",
}
"""Every state parameter with its first-visit value; the page writes the same keys to its URL."""

STATE_KEYS: tuple[str, ...] = tuple(SEED_STATE)
