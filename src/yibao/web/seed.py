"""The situation a first visit opens with, and the names of the page's URL parameters.

The seed: a Liaocheng resident (聊城市城乡居民医保, adult) admitted to a tertiary hospital in
Shanghai on a referral registration (转诊备案), holding 聊惠保 — the situation of
`seeds/000` (聊惠保省外就医) and `seeds/001` (聊城医保异地报销), and the bill of
`examples/liaocheng-resident-inpatient-cross-province.json` (Shanghai as the city).
The state lives in seed.json. The URL holds only these parameters: no name, ID number or anything personal.
"""

from __future__ import annotations

import json
from pathlib import Path

SEED_STATE: dict[str, str] = json.loads(Path(__file__).with_name("seed.json").read_text(encoding="utf-8"))
"""Every state parameter with its first-visit value; the page writes the same keys to its URL."""

STATE_KEYS: tuple[str, ...] = tuple(SEED_STATE)
