"""Monitoring's reference data: district-level units, report deadlines and programme targets, by plan year.

``parse_reference`` is pure (parsed JSON in, ``Reference`` out, refused with a ``ReferenceDataError`` naming the
entry when it does not add up); ``load_reference`` only reads the folder's files. Format: services/monitoring/
reference/README.md. The shipped folder holds Thanh Hóa 2021 (Kế hoạch 75/KH-UBND).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.monitoring.domain.deadlines import ReportDeadlines, parse_deadlines
from services.monitoring.domain.errors import NotKnown, ReferenceDataError
from services.monitoring.domain.targets import YearTargets, parse_targets
from services.monitoring.domain.units import DistrictUnits, parse_units

SHIPPED = Path(__file__).resolve().parent.parent / "reference"
FILES = ("district-units", "report-deadlines", "programme-targets")


@dataclass(frozen=True)
class Reference:
    units: DistrictUnits
    deadlines: ReportDeadlines
    targets: Mapping[int, YearTargets]


def parse_reference(raw: Mapping[str, Any]) -> Reference:
    """``raw`` holds each file of FILES, parsed; a plan year with targets must have district-level units."""
    for name in FILES:
        if name not in raw:
            raise ReferenceDataError(f"reference folder: missing {name}.json", field=name)
    units = parse_units(raw["district-units"])
    targets = parse_targets(raw["programme-targets"])
    for year in targets:
        try:
            units.of_year(year)
        except NotKnown:
            raise ReferenceDataError(f"programme-targets: plan year {year} has no district-level units",
                                     field="programme-targets.years") from None
    return Reference(units, parse_deadlines(raw["report-deadlines"]), targets)


def read_reference_files(folder: Path) -> dict[str, Any]:
    """The folder's JSON files as parsed data (the only I/O)."""
    return {name: json.loads((folder / f"{name}.json").read_text(encoding="utf-8")) for name in FILES}


def load_reference(folder: Path | str = SHIPPED) -> Reference:
    return parse_reference(read_reference_files(Path(folder)))
