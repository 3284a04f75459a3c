"""Loads the reference data shipped with the service (official GSO codes of Thanh Hóa, 2021)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from services.registration.domain.geography import Commune, District, Geography

DATA = Path(__file__).resolve().parent.parent / "data" / "thanh-hoa-2021.json"


@lru_cache
def thanh_hoa() -> Geography:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return Geography(
        [
            District(d["code"], d["name"], {c["code"]: Commune(c["code"], c["name"]) for c in d["communes"]})
            for d in raw["districts"]
        ]
    )
