"""Programme targets of a plan year (chỉ tiêu kế hoạch) and live progress towards them.

Data keyed by plan year: ``reference/programme-targets.json`` ships Thanh Hóa 2021 (Kế hoạch 75/KH-UBND §II.4.2.2:
≥ 80 products recognised at provincial level with ≥ 3★, of which 3 proposed for national 5★ recognition); the
provincial office may set a year's targets at run time (``target_setting.TargetSetting``). A target counts products
by ``measure`` (``recognised`` or ``proposed``) at a ``level`` with at least ``min_stars``; ``progress`` sums the
counts a projection gives by round and district. Targets are yearly totals across rounds (§12.8).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from services.monitoring.domain import parsing as p
from services.monitoring.domain.certificates import LEVELS
from services.monitoring.domain.errors import InvalidInput, ReferenceDataError

FORMAT = "ocop-programme-targets/1"
MEASURES = ("recognised", "proposed")
"""Công nhận (a certificate at ``level``); đề nghị (``level`` proposed the product to the next level's council)."""


@dataclass(frozen=True)
class Target:
    target_id: str
    name_vi: str
    measure: str
    level: str
    min_stars: int
    at_least: int


@dataclass(frozen=True)
class YearTargets:
    plan_year: int
    basis: str
    targets: tuple[Target, ...]


@dataclass(frozen=True)
class Count:
    """Distinct products of one round (đợt; None outside rounds) and district that reached ``measure`` at
    ``level`` with ``stars`` in the plan year — what a projection counts from ProductRated."""

    measure: str
    level: str
    stars: int
    round: int | None
    district_code: str
    products: int


@dataclass(frozen=True)
class Progress:
    target: Target
    achieved: int
    remaining: int
    met: bool
    share: Fraction
    """achieved / at_least (may pass 1)."""
    by_round: Mapping[int | None, int]
    by_district: Mapping[str, int]


def check_target(target: Target, field: str) -> Target:
    """A target's own values; refused with ``InvalidInput`` naming ``field.<value>``."""
    if not target.target_id.strip() or not target.name_vi.strip():
        raise InvalidInput("a target has an id and a Vietnamese name", field=f"{field}.target_id")
    for name, value, allowed in (("measure", target.measure, MEASURES), ("level", target.level, LEVELS)):
        if value not in allowed:
            raise InvalidInput(f"{field}.{name} must be one of {', '.join(allowed)}, not {value!r}",
                               field=f"{field}.{name}")
    if not 0 <= target.min_stars <= 5:
        raise InvalidInput("min_stars must be 0–5", field=f"{field}.min_stars")
    if target.at_least < 1:
        raise InvalidInput("at_least must be ≥ 1", field=f"{field}.at_least")
    return target


def check_year_targets(plan_year: int, basis: str, targets: Sequence[Target], field: str = "targets") -> YearTargets:
    if not targets:
        raise InvalidInput("a plan year has at least one target", field=field)
    checked = tuple(check_target(t, f"{field}[{i}]") for i, t in enumerate(targets))
    for i, target in enumerate(checked):
        if target.target_id in (t.target_id for t in checked[:i]):
            raise InvalidInput(f"target {target.target_id!r} is listed twice", field=f"{field}[{i}].target_id")
    return YearTargets(plan_year, basis.strip(), checked)


def counts_towards(target: Target, count: Count) -> bool:
    return count.measure == target.measure and count.level == target.level and count.stars >= target.min_stars


def progress(year: YearTargets, counts: Iterable[Count], districts: Iterable[str] = ()) -> tuple[Progress, ...]:
    """Each target's progress from the counts; ``districts`` (the plan year's units) are listed even at 0."""
    counts = tuple(counts)
    results = []
    for target in year.targets:
        by_round: dict[int | None, int] = {}
        by_district: dict[str, int] = dict.fromkeys(districts, 0)
        for count in (c for c in counts if counts_towards(target, c)):
            by_round[count.round] = by_round.get(count.round, 0) + count.products
            by_district[count.district_code] = by_district.get(count.district_code, 0) + count.products
        achieved = sum(by_round.values())
        results.append(Progress(target, achieved, max(target.at_least - achieved, 0), achieved >= target.at_least,
                                Fraction(achieved, target.at_least), by_round, by_district))
    return tuple(results)


def _target(raw: Any, entry: str) -> Target:
    p.only_keys(raw, {"id", "name_vi", "measure", "level", "min_stars", "at_least", "note"}, entry)
    target = Target(p.identifier(raw, "id", entry), p.text(raw, "name_vi", entry), p.text(raw, "measure", entry),
                    p.text(raw, "level", entry), p.whole(raw, "min_stars", entry, minimum=0) if "min_stars" in raw
                    else 0, p.whole(raw, "at_least", entry, minimum=1))
    try:
        return check_target(target, entry)
    except InvalidInput as exc:
        raise ReferenceDataError(str(exc), field=exc.field) from None


def parse_targets(raw: Any, name: str = "programme-targets") -> Mapping[int, YearTargets]:
    """Parsed JSON in, the targets of each plan year out; one entry per plan year."""
    p.check_format(raw, FORMAT, name)
    p.only_keys(raw, {"format", "source", "years"}, name)
    years: dict[int, YearTargets] = {}
    for i, item in enumerate(p.entries(raw, "years", name)):
        entry = f"{name}.years[{i}]"
        p.only_keys(item, {"plan_year", "basis", "targets"}, entry)
        year = p.plan_year(item, "plan_year", entry)
        if year in years:
            raise ReferenceDataError(f"{entry}: plan year {year} is listed twice", field=f"{entry}.plan_year")
        targets = [_target(t, f"{entry}.targets[{j}]") for j, t in enumerate(p.entries(item, "targets", entry))]
        try:
            years[year] = check_year_targets(year, p.text(item, "basis", entry), targets, f"{entry}.targets")
        except InvalidInput as exc:
            raise ReferenceDataError(str(exc), field=exc.field) from None
    return years
