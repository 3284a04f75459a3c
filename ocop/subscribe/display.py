"""What the subscriber prints: the table of recognised products by district and star, for a person (rich) or a
machine (one JSON object per line)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rich.table import Table

from ocop.subscribe.errors import SubscribeError
from ocop.subscribe.table import CERTIFIED_STARS, Counts

# The project's reference data of district-level units (data, read as a file; no service code is imported).
DISTRICTS = Path(__file__).resolve().parents[2] / "services" / "monitoring" / "reference" / "district-units.json"
UNKNOWN = "(huyện chưa rõ: chưa nhận ProductRegistered)"


def district_names(path: Path | None) -> dict[str, str]:
    """Code → Vietnamese name: the latest edition of a ``district-units.json`` (format ocop-district-units/1), or a
    plain JSON object of code → name. No file (the default one missing): codes are shown alone."""
    if path is None:
        if not DISTRICTS.is_file():
            return {}
        path = DISTRICTS
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(raw, dict) and "editions" in raw:
            return {unit["code"]: unit["name"] for unit in raw["editions"][-1]["units"]}
        if isinstance(raw, dict) and all(isinstance(v, str) for v in raw.values()):
            return dict(raw)
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise SubscribeError(f"cannot read district names from {path}: {exc}") from None
    raise SubscribeError(f"{path}: neither a district-units.json nor a JSON object of code → name")


@dataclass(frozen=True)
class Snapshot:
    counts: Counts
    source: str
    position: int | dict[str, int]
    """Where the subscriber is: the feed position, or the next offset of each topic's partition."""
    applied: int
    """Events applied since the state file was made."""

    def rows(self, names: dict[str, str]) -> list[dict[str, Any]]:
        order = sorted(self.counts, key=lambda code: (code is None, code or ""))
        return [{"district_code": code, "district": names.get(code, code) if code else None,
                 "stars": {str(s): self.counts[code][s] for s in CERTIFIED_STARS},
                 "total": sum(self.counts[code][s] for s in CERTIFIED_STARS)} for code in order]

    def json_line(self, names: dict[str, str]) -> str:
        rows = self.rows(names)
        return json.dumps({"source": self.source, "position": self.position, "events_applied": self.applied,
                           "at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "districts": rows,
                           "stars": {str(s): sum(r["stars"][str(s)] for r in rows) for s in CERTIFIED_STARS},
                           "total": sum(r["total"] for r in rows)}, ensure_ascii=False)

    def _where(self) -> str:
        if isinstance(self.position, dict):
            return f"{sum(self.position.values())} bản ghi đã đọc trên {len(self.position)} phân vùng"
        return f"vị trí {self.position}"

    def table(self, names: dict[str, str]) -> Table:
        table = Table(title="Sản phẩm OCOP được công nhận, theo huyện và hạng sao",
                      caption=f"{self.source} · {self._where()} · {self.applied} sự kiện đã áp dụng")
        table.add_column("Mã", justify="right")
        table.add_column("Huyện / thị xã / thành phố")
        for stars in CERTIFIED_STARS:
            table.add_column(f"{stars}★", justify="right")
        table.add_column("Tổng", justify="right", style="bold")
        rows = self.rows(names)
        for row in rows:
            table.add_row(row["district_code"] or "—", row["district"] or UNKNOWN,
                          *(str(row["stars"][str(s)]) for s in CERTIFIED_STARS), str(row["total"]))
        table.add_section()
        table.add_row("", "Toàn tỉnh", *(str(sum(r["stars"][str(s)] for r in rows)) for s in CERTIFIED_STARS),
                      str(sum(r["total"] for r in rows)), style="bold")
        return table
