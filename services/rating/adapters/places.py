"""Names of the district-level units and communes of Thanh Hóa (official GSO codes, 2021), shipped with the service
(``data/thanh-hoa-2021.json``), for documents that print them: a dossier carries only the codes ProductRegistered gave.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

THANH_HOA_2021 = Path(__file__).resolve().parent.parent / "data" / "thanh-hoa-2021.json"


@dataclass(frozen=True)
class Places:
    """Code → name of each district-level unit (huyện, thị xã, thành phố) and each commune (xã, phường, thị trấn)."""

    districts: dict[str, str]
    communes: dict[str, str]

    def district(self, code: str | None) -> str | None:
        return self.districts.get(code) if code else None

    def commune(self, code: str | None) -> str | None:
        return self.communes.get(code) if code else None


def load_places(path: Path = THANH_HOA_2021) -> Places:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Places({d["code"]: d["name"] for d in raw["districts"]},
                  {c["code"]: c["name"] for d in raw["districts"] for c in d["communes"]})
