"""Scoring sheet of one product set (phiếu đánh giá): parts A/B/C → criterion groups → criteria → options.

Parsing checks that the sheet adds up and names the offending entry, so a wrong official sheet is refused at
load instead of producing wrong stars later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.rating.domain.errors import CatalogueError


@dataclass(frozen=True)
class Option:
    id: str
    points: int
    label_vi: str
    label_en: str


@dataclass(frozen=True)
class Criterion:
    id: str
    label_vi: str
    label_en: str
    max: int
    options: tuple[Option, ...]

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    def worth(self, points: int) -> tuple[Option, ...]:
        return tuple(o for o in self.options if o.points == points)


@dataclass(frozen=True)
class Group:
    id: str
    name_vi: str
    name_en: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Part:
    id: str
    name_vi: str
    name_en: str
    max: int
    groups: tuple[Group, ...]

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for g in self.groups for c in g.criteria)


@dataclass(frozen=True)
class Sheet:
    """One product set's sheet; ``provisional`` until the official appendix is loaded."""

    product_set: int
    version: str
    provisional: bool
    parts: tuple[Part, ...]
    criteria: Mapping[str, Criterion]
    notes: tuple[str, ...] = ()

    @property
    def entry(self) -> str:
        return sheet_entry(self.product_set)

    @property
    def total(self) -> int:
        return sum(p.max for p in self.parts)


def sheet_entry(product_set: int) -> str:
    return f"set-{product_set:02d}"


def need(raw: Mapping[str, Any], key: str, entry: str) -> Any:
    """A required key of a catalogue entry; its absence is refused naming the entry."""
    if key not in raw:
        raise CatalogueError(f"{entry}: missing {key!r}", field=entry)
    return raw[key]


def _whole(value: Any, entry: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CatalogueError(f"{entry}: {what} must be a whole number ≥ 0, not {value!r}", field=entry)
    return value


def _option(raw: Mapping[str, Any], entry: str, maximum: int) -> Option:
    oid = str(need(raw, "id", entry))
    points = _whole(need(raw, "points", f"{entry} option {oid!r}"), f"{entry} option {oid!r}", "points")
    if points > maximum:
        raise CatalogueError(f"{entry} option {oid!r} worth {points} is over the criterion maximum {maximum}", field=entry)
    return Option(oid, points, raw.get("label_vi", ""), raw.get("label_en", ""))


def _criterion(raw: Mapping[str, Any], prefix: str) -> Criterion:
    cid = str(need(raw, "id", f"{prefix} criterion"))
    entry = f"{prefix} criterion {cid}"
    maximum = _whole(need(raw, "max", entry), entry, "max")
    options = tuple(_option(o, entry, maximum) for o in need(raw, "options", entry))
    ids = [o.id for o in options]
    if len(set(ids)) != len(ids):
        raise CatalogueError(f"{entry}: option ids repeat ({', '.join(ids)})", field=entry)
    if max((o.points for o in options), default=-1) != maximum:
        raise CatalogueError(f"{entry}: no option reaches the criterion maximum {maximum}", field=entry)
    return Criterion(cid, raw.get("label_vi", ""), raw.get("label_en", ""), maximum, options)


def _part(raw: Mapping[str, Any], prefix: str, maxima: Mapping[str, int]) -> Part:
    pid = str(need(raw, "id", f"{prefix} part"))
    entry = f"{prefix} part {pid}"
    maximum = _whole(need(raw, "max", entry), entry, "max")
    if maximum != maxima.get(pid):
        raise CatalogueError(f"{entry}: maximum {maximum}, the regime fixes {maxima.get(pid)}", field=entry)
    groups = tuple(
        Group(str(need(g, "id", entry)), g.get("name_vi", ""), g.get("name_en", ""),
              tuple(_criterion(c, prefix) for c in need(g, "criteria", f"{entry} group {g.get('id')}")))
        for g in need(raw, "groups", entry)
    )
    part = Part(pid, raw.get("name_vi", ""), raw.get("name_en", ""), maximum, groups)
    added = sum(c.max for c in part.criteria)
    if added != maximum:
        side = "over" if added > maximum else "under"
        raise CatalogueError(f"{entry}: criteria maxima add up to {added}, {side} the part maximum {maximum}", field=entry)
    return part


def parse_sheet(raw: Mapping[str, Any], part_maxima: Mapping[str, int]) -> Sheet:
    """A sheet from its parsed JSON; refused (CatalogueError naming the entry) unless every part adds up."""
    number = _whole(need(raw, "product_set", "sheet"), "sheet", "product_set")
    entry = sheet_entry(number)
    parts = tuple(_part(p, entry, part_maxima) for p in need(raw, "parts", entry))
    if sorted(p.id for p in parts) != sorted(part_maxima):
        found = ", ".join(p.id for p in parts)
        raise CatalogueError(f"{entry}: parts {found}, the regime has {', '.join(part_maxima)}", field=entry)
    criteria: dict[str, Criterion] = {}
    for criterion in (c for p in parts for c in p.criteria):
        if criterion.id in criteria:
            raise CatalogueError(f"{entry} criterion {criterion.id} appears twice", field=f"{entry} criterion {criterion.id}")
        criteria[criterion.id] = criterion
    return Sheet(number, str(raw.get("version", "")), bool(need(raw, "provisional", entry)), parts, criteria,
                 tuple(raw.get("notes", ())))
