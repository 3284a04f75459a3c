"""Reads the reference data shipped with the service (official GSO codes of Thanh Hóa, 2021); the bootstrap calls it."""

from __future__ import annotations

import json
from pathlib import Path

from services.registration.domain.geography import Commune, District, Geography

THANH_HOA_2021 = Path(__file__).resolve().parent.parent / "data" / "thanh-hoa-2021.json"


def load_geography(path: Path = THANH_HOA_2021) -> Geography:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Geography(
        [
            District(d["code"], d["name"], {c["code"]: Commune(c["code"], c["name"]) for c in d["communes"]})
            for d in raw["districts"]
        ]
    )
