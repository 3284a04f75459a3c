"""Minimum criteria per star added by Decision 781 (yêu cầu tối thiểu của một số tiêu chí), as data rules.

A rule reads one criterion of the scorecard: the chosen option is one of a set, or scores at least n points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.rating.domain.errors import CatalogueError
from services.rating.domain.sheets import Option, Sheet, need


@dataclass(frozen=True)
class MinimumRule:
    id: str
    stars: int
    verified: bool
    product_sets: frozenset[int]
    criterion: str
    one_of: frozenset[str] | None
    at_least: int | None
    text_en: str

    def met_by(self, chosen: Option) -> bool:
        if self.one_of is not None:
            return chosen.id in self.one_of
        return chosen.points >= (self.at_least or 0)


@dataclass(frozen=True)
class Minimums:
    rules: tuple[MinimumRule, ...]
    exempt: frozenset[int]

    def for_star(self, stars: int, product_set: int, *, include_unverified: bool = False) -> tuple[MinimumRule, ...]:
        """Cumulative: a star needs its own rules and every lower star's ('4★ meets all 3★ requirements')."""
        if product_set in self.exempt:
            return ()
        return tuple(r for r in self.rules if r.stars <= stars and product_set in r.product_sets
                     and (r.verified or include_unverified))


def _rule(raw: Mapping[str, Any]) -> MinimumRule:
    rid = str(need(raw, "id", "minimums rule"))
    entry = f"minimums rule {rid}"
    one_of, at_least = raw.get("one_of"), raw.get("at_least")
    if (one_of is None) == (at_least is None):
        raise CatalogueError(f"{entry}: give exactly one of 'one_of' or 'at_least'", field=entry)
    status = need(raw, "status", entry)
    if status not in ("verified", "unverified"):
        raise CatalogueError(f"{entry}: status must be 'verified' or 'unverified', not {status!r}", field=entry)
    return MinimumRule(rid, int(need(raw, "stars", entry)), status == "verified",
                       frozenset(int(n) for n in need(raw, "product_sets", entry)), str(need(raw, "criterion", entry)),
                       None if one_of is None else frozenset(map(str, one_of)), at_least, raw.get("text_en", ""))


def _check_against(rule: MinimumRule, sheet: Sheet) -> None:
    entry = f"minimums rule {rule.id}"
    criterion = sheet.criteria.get(rule.criterion)
    if criterion is None:
        raise CatalogueError(f"{entry}: criterion {rule.criterion} is not on {sheet.entry}", field=entry)
    unknown = sorted((rule.one_of or frozenset()) - {o.id for o in criterion.options})
    if unknown:
        raise CatalogueError(f"{entry}: {sheet.entry} criterion {rule.criterion} has no option {', '.join(unknown)}", field=entry)
    if rule.at_least is not None and rule.at_least > criterion.max:
        raise CatalogueError(f"{entry}: at least {rule.at_least} is over {sheet.entry} criterion {rule.criterion}'s "
                             f"maximum {criterion.max}", field=entry)


def parse_minimums(raw: Mapping[str, Any], sheets: Mapping[int, Sheet], stars: set[int]) -> Minimums:
    """Every rule must name a known star and, on each product set it covers, a criterion and options of that sheet."""
    rules = tuple(_rule(r) for r in need(raw, "rules", "minimums"))
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise CatalogueError(f"minimums: rule ids repeat ({', '.join(sorted(i for i in set(ids) if ids.count(i) > 1))})",
                             field="minimums")
    for rule in rules:
        if rule.stars not in stars:
            raise CatalogueError(f"minimums rule {rule.id}: no {rule.stars}★ band", field=f"minimums rule {rule.id}")
        for number in sorted(rule.product_sets):
            if number not in sheets:
                raise CatalogueError(f"minimums rule {rule.id}: product set {number} has no sheet",
                                     field=f"minimums rule {rule.id}")
            _check_against(rule, sheets[number])
    return Minimums(rules, frozenset(int(n) for n in raw.get("exempt_product_sets", ())))
