"""District-level units (đơn vị hành chính cấp huyện) that owe reports and may plan inspections, by plan year.

Data: ``reference/district-units.json`` (format in reference/README.md). A list applies from its ``from_plan_year``
until the next list, so a merger (Đông Sơn into Thanh Hóa city, late 2024) is a new edition, not an edit.
Thanh Hóa 2021: 27 units — 2 cities, 2 district-level towns, 23 rural districts (OCOP-RULES §11).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.monitoring.domain import parsing as p
from services.monitoring.domain.errors import NotKnown, ReferenceDataError

FORMAT = "ocop-district-units/1"
UNIT_KINDS = ("city", "town", "rural_district")
"""Thành phố, thị xã, huyện."""


@dataclass(frozen=True)
class DistrictUnit:
    code: str
    """GSO code, e.g. ``380``."""
    name: str
    """With diacritics, e.g. ``Thành phố Thanh Hóa``."""
    kind: str


@dataclass(frozen=True)
class UnitsEdition:
    from_plan_year: int
    basis: str
    units: Mapping[str, DistrictUnit]


@dataclass(frozen=True)
class DistrictUnits:
    """The province's district-level units, edition by edition (ascending ``from_plan_year``)."""

    province_code: str
    province_name: str
    editions: tuple[UnitsEdition, ...]

    def of_year(self, plan_year: int, field: str = "plan_year") -> Mapping[str, DistrictUnit]:
        """The units of ``plan_year``: those of the last edition that starts on or before it."""
        applying = [e for e in self.editions if e.from_plan_year <= plan_year]
        if not applying:
            raise NotKnown(f"no district-level units are known for plan year {plan_year} (the reference "
                               f"begins in {self.editions[0].from_plan_year})", field=field)
        return applying[-1].units

    def unit(self, code: str, plan_year: int, field: str = "district_code") -> DistrictUnit:
        units = self.of_year(plan_year)
        if code not in units:
            raise NotKnown(f"{code!r} is not a district-level unit of {self.province_name} in {plan_year}",
                               field=field)
        return units[code]


def _unit(raw: Any, entry: str) -> DistrictUnit:
    p.only_keys(raw, {"code", "name", "kind", "note"}, entry)
    kind = p.text(raw, "kind", entry)
    if kind not in UNIT_KINDS:
        raise ReferenceDataError(f"{entry}.kind must be one of {', '.join(UNIT_KINDS)}", field=f"{entry}.kind")
    return DistrictUnit(p.text(raw, "code", entry), p.text(raw, "name", entry), kind)


def _edition(raw: Any, entry: str) -> UnitsEdition:
    p.only_keys(raw, {"from_plan_year", "basis", "units"}, entry)
    units: dict[str, DistrictUnit] = {}
    for i, item in enumerate(p.entries(raw, "units", entry)):
        unit = _unit(item, f"{entry}.units[{i}]")
        if unit.code in units:
            raise ReferenceDataError(f"{entry}.units[{i}]: code {unit.code} is listed twice",
                                     field=f"{entry}.units[{i}].code")
        units[unit.code] = unit
    return UnitsEdition(p.plan_year(raw, "from_plan_year", entry), p.text(raw, "basis", entry), units)


def parse_units(raw: Any, name: str = "district-units") -> DistrictUnits:
    """Parsed JSON in, ``DistrictUnits`` out; refused with the entry named when it does not add up."""
    p.check_format(raw, FORMAT, name)
    p.only_keys(raw, {"format", "province", "source", "editions"}, name)
    province = p.need(raw, "province", name)
    editions = tuple(_edition(e, f"{name}.editions[{i}]") for i, e in enumerate(p.entries(raw, "editions", name)))
    p.ascending_editions([e.from_plan_year for e in editions], f"{name}.editions")
    return DistrictUnits(p.text(province, "code", f"{name}.province"), p.text(province, "name", f"{name}.province"),
                         editions)
