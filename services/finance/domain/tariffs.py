"""Reward tariffs (biểu mức thưởng) as data keyed by plan year and effective period, with load-time checks.

``check_tariff_table`` is pure (parsed JSON in, ``TariffTable`` out, refused with a ``TariffError`` naming the entry
when it does not add up); ``load_tariffs`` only reads the file. Format: services/finance/tariffs/README.md; the
shipped default is Thanh Hóa 2021 (Kế hoạch 75/KH-UBND §II.4.4: 3★ 10 M, 4★ 20 M, 5★ 100 M VND).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from services.finance.domain.errors import FinanceError, InvalidAmount, PeriodsOutOfOrder, TariffError
from services.finance.domain.money import vnd
from services.finance.domain.policy import FinancePolicy
from services.finance.domain.values import REWARDED_STARS, plan_year

SHIPPED = Path(__file__).resolve().parent.parent / "tariffs" / "thanh-hoa-2021.json"
FORMAT = "ocop-reward-tariffs/1"
ENTRY_KEYS = {"plan_year", "valid_from", "valid_until", "basis", "stars", "no_reward", "upgrades"}


@dataclass(frozen=True)
class TariffRef:
    """Which tariff entry decided an amount, as a claim records it (the table may be replaced later)."""

    province: str
    plan_year: int
    valid_from: date
    basis: str


@dataclass(frozen=True)
class Tariff:
    """One entry: the amounts of a plan year in force from ``valid_from`` to ``valid_until`` (inclusive; None =
    until replaced). A star absent from ``amounts`` is explicitly not rewarded; ``upgrades`` maps (from, to) to a
    fixed sum for that upgrade (used when the policy pays upgrades as ``fixed_amount``)."""

    ref: TariffRef
    valid_until: date | None
    amounts: Mapping[int, int]
    upgrades: Mapping[tuple[int, int], int] = field(default_factory=dict)

    @property
    def plan_year(self) -> int:
        return self.ref.plan_year

    def in_force_on(self, day: date) -> bool:
        return self.ref.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def amount(self, stars: int) -> int | None:
        """The star's reward, or None when the table says this star earns none."""
        return self.amounts.get(stars)

    def entry(self) -> str:
        return f"tariff {self.plan_year} from {self.ref.valid_from.isoformat()}"


@dataclass(frozen=True)
class TariffTable:
    """Every tariff entry of a province, ordered by ``valid_from``, with no two periods overlapping."""

    province: str
    title: str
    tariffs: tuple[Tariff, ...]

    def in_force_on(self, day: date) -> Tariff:
        for tariff in self.tariffs:
            if tariff.in_force_on(day):
                return tariff
        raise TariffError(f"no reward tariff of {self.province} is in force on {day.isoformat()}: install one "
                          "that covers it", field="decision.date")

    def of_plan_year(self, plan_year: int, day: date) -> Tariff:
        """The plan year's entry in force on ``day``, else its last one (a decision after the year's periods)."""
        entries = [t for t in self.tariffs if t.plan_year == plan_year]
        if not entries:
            raise TariffError(f"the reward tariff of {self.province} has no entry for plan year {plan_year}",
                              field="cycle_year")
        return next((t for t in entries if t.in_force_on(day)), entries[-1])

    def select(self, policy: FinancePolicy, decision_date: date, cycle_year: int) -> Tariff:
        """The one rule choosing which tariff decides a recognition's reward (§9.3 "reward year")."""
        if policy.tariff_year_by == "cycle_year":
            return self.of_plan_year(cycle_year, decision_date)
        return self.in_force_on(decision_date)


def _need(raw: Mapping[str, Any], key: str, entry: str) -> Any:
    if not isinstance(raw, Mapping) or key not in raw:
        raise TariffError(f"{entry}: missing {key!r}", field=f"{entry}.{key}" if entry != "table" else key)
    return raw[key]


def _day(value: Any, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise TariffError(f"{where} must be a date written YYYY-MM-DD, not {value!r}", field=where) from None


def _amount(value: Any, where: str) -> int:
    try:
        return vnd(value, field=where)
    except InvalidAmount as exc:
        raise TariffError(f"{exc} (use no_reward for a star that earns nothing)", field=where) from None


def _star(value: Any, where: str) -> int:
    star = int(value) if isinstance(value, str) and value.isdigit() else value
    if isinstance(star, bool) or star not in REWARDED_STARS:
        raise TariffError(f"{where}: {value!r} is not a rewarded star ({', '.join(map(str, REWARDED_STARS))})",
                          field=where)
    return star


def _amounts(raw: Mapping[str, Any], at: str) -> dict[int, int]:
    stars = _need(raw, "stars", at)
    no_reward = raw.get("no_reward", [])
    if not isinstance(stars, Mapping) or not isinstance(no_reward, list):
        raise TariffError(f"{at}: stars must map each star to an amount, no_reward list stars", field=f"{at}.stars")
    amounts = {_star(k, f"{at}.stars.{k}"): _amount(v, f"{at}.stars.{k}") for k, v in stars.items()}
    unrewarded = {_star(s, f"{at}.no_reward") for s in no_reward}
    for star in REWARDED_STARS:
        if star in amounts and star in unrewarded:
            raise TariffError(f"{at}: {star}★ has an amount and is marked no_reward", field=f"{at}.no_reward")
        if star not in amounts and star not in unrewarded:
            raise TariffError(f"{at}: no amount for {star}★ (mark it in no_reward if it earns nothing)",
                              field=f"{at}.stars.{star}")
    return amounts


def _upgrades(raw: Mapping[str, Any], at: str) -> dict[tuple[int, int], int]:
    listed = raw.get("upgrades", [])
    if not isinstance(listed, list):
        raise TariffError(f"{at}: upgrades must list {{from, to, amount}} entries", field=f"{at}.upgrades")
    upgrades: dict[tuple[int, int], int] = {}
    for i, item in enumerate(listed):
        where = f"{at}.upgrades[{i}]"
        pair = (_star(_need(item, "from", where), f"{where}.from"), _star(_need(item, "to", where), f"{where}.to"))
        if pair[0] >= pair[1] or pair in upgrades:
            raise TariffError(f"{where}: an upgrade goes to a higher star, once per pair", field=where)
        upgrades[pair] = _amount(_need(item, "amount", where), f"{where}.amount")
    return upgrades


def _tariff(raw: Mapping[str, Any], at: str, province: str) -> Tariff:
    unknown = set(raw) - ENTRY_KEYS if isinstance(raw, Mapping) else set()
    if unknown:
        raise TariffError(f"{at}: unknown key(s) {', '.join(sorted(unknown))}", field=f"{at}.{min(unknown)}")
    try:
        year = plan_year(_need(raw, "plan_year", at), f"{at}.plan_year")
    except FinanceError as exc:
        raise TariffError(str(exc), field=exc.field) from None
    start = _day(_need(raw, "valid_from", at), f"{at}.valid_from")
    until = None if raw.get("valid_until") is None else _day(raw["valid_until"], f"{at}.valid_until")
    if until is not None and until < start:
        raise PeriodsOutOfOrder(f"{at}: valid_until {until} is before valid_from {start}", field=f"{at}.valid_until")
    ref = TariffRef(province, year, start, str(raw.get("basis", "")))
    return Tariff(ref, until, _amounts(raw, at), _upgrades(raw, at))


def _no_overlap(tariffs: list[tuple[str, Tariff]]) -> None:
    ordered = sorted(tariffs, key=lambda pair: pair[1].ref.valid_from)
    for (before_at, before), (at, after) in zip(ordered, ordered[1:]):
        if before.valid_until is None or after.ref.valid_from <= before.valid_until:
            raise PeriodsOutOfOrder(f"{at} ({after.entry()}) overlaps {before_at} ({before.entry()})",
                              field=f"{at}.valid_from")


def _fits_policy(tariffs: list[tuple[str, Tariff]], policy: FinancePolicy) -> None:
    if policy.upgrade_payment != "fixed_amount":
        return
    for at, tariff in tariffs:
        if 3 in tariff.amounts and 4 in tariff.amounts and (3, 4) not in tariff.upgrades:
            raise TariffError(f"{at} ({tariff.entry()}): the policy pays upgrades as fixed_amount but the entry has "
                              "no fixed sum for 3★ → 4★", field=f"{at}.upgrades")


def check_tariff_table(raw: Mapping[str, Any], policy: FinancePolicy | None = None) -> TariffTable:
    """The table ``raw`` (parsed JSON) describes, or ``TariffError`` naming the entry; with ``policy``, also refuse
    a table that cannot serve it (fixed-sum upgrades without their sum)."""
    if _need(raw, "format", "table") != FORMAT:
        raise TariffError(f"format must be {FORMAT!r}, not {raw['format']!r}", field="format")
    province = _need(raw, "province", "table")
    if not isinstance(province, str) or not province.strip():
        raise TariffError(f"province must name the province whose table it is, not {province!r}", field="province")
    entries = _need(raw, "tariffs", "table")
    if not isinstance(entries, list) or not entries:
        raise TariffError("tariffs must list at least one entry", field="tariffs")
    tariffs = [(f"tariffs[{i}]", _tariff(entry, f"tariffs[{i}]", province)) for i, entry in enumerate(entries)]
    _no_overlap(tariffs)
    _fits_policy(tariffs, policy or FinancePolicy())
    ordered = tuple(sorted((t for _, t in tariffs), key=lambda t: t.ref.valid_from))
    return TariffTable(province, str(raw.get("title", "")), ordered)


def load_tariffs(path: Path | str = SHIPPED, policy: FinancePolicy | None = None) -> TariffTable:
    """Read a tariff file (the only I/O) and check it."""
    return check_tariff_table(json.loads(Path(path).read_text(encoding="utf-8")), policy)
