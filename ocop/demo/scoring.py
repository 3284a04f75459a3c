"""Scorecards that reach a chosen total on a scoring sheet (the JSON of ``GET /catalogue/sheets/{product_set}``).

A demo council member ticks the best option of every criterion of part C (chất lượng sản phẩm, where the 781
minimum criteria live: quality declaration, control plan, uniqueness…), so a product's star is the band of its
mean, and spreads the rest of the total over parts A and B. Everything is drawn from the ``random.Random`` given,
so a seed gives the same cards.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

PROTECTED_PART = "C"


def _criteria(sheet: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(part id, criterion) in sheet order."""
    return [(part["id"], criterion) for part in sheet["parts"] for group in part["groups"] for criterion in group["criteria"]]


def _best(criterion: dict[str, Any]) -> dict[str, Any]:
    """The option worth the most (the last listed among equals: the sheets list options from worst to best)."""
    top = max(o["points"] for o in criterion["options"])
    return [o for o in criterion["options"] if o["points"] == top][-1]


def reachable(sheet: dict[str, Any]) -> tuple[int, int]:
    """The lowest and highest total a card can have with part C at its best."""
    low = high = 0
    for part, criterion in _criteria(sheet):
        points = [o["points"] for o in criterion["options"]]
        low += max(points) if part == PROTECTED_PART else min(points)
        high += max(points)
    return low, high


def choices_for(sheet: dict[str, Any], total: int, rng: random.Random) -> dict[str, str]:
    """criterion id → option id, adding up to exactly ``total``; ValueError if the sheet cannot reach it."""
    chosen: dict[str, str] = {}
    free: list[dict[str, Any]] = []
    rest = total
    for part, criterion in _criteria(sheet):
        if part == PROTECTED_PART:
            best = _best(criterion)
            chosen[criterion["id"]] = best["id"]
            rest -= best["points"]
        else:
            free.append(criterion)
    # can[i] = the sums criteria i.. can still make (a tiny subset-sum table: sheets have ~20 criteria, 60 points).
    can: list[set[int]] = [set() for _ in range(len(free) + 1)]
    can[len(free)] = {0}
    for i in range(len(free) - 1, -1, -1):
        can[i] = {p["points"] + s for p in free[i]["options"] for s in can[i + 1]}
    if rest not in can[0]:
        low, high = reachable(sheet)
        raise ValueError(f"sheet {sheet.get('entry')} cannot total {total} with part C at its best ({low}–{high})")
    for i, criterion in enumerate(free):
        fitting = [o for o in criterion["options"] if rest - o["points"] in can[i + 1]]
        # Lean towards the same share of each criterion's maximum, with some noise: cards look filled in, not random.
        share = rest / max(1, sum(c["max"] for c in free[i:]))
        fitting.sort(key=lambda o: abs(o["points"] - share * criterion["max"]) + rng.random() * 1.5)
        option = fitting[0]
        chosen[criterion["id"]] = option["id"]
        rest -= option["points"]
    return chosen


def total_of(sheet: dict[str, Any], choices: dict[str, str]) -> int:
    points = {(c["id"], o["id"]): o["points"] for _, c in _criteria(sheet) for o in c["options"]}
    return sum(points[(cid, oid)] for cid, oid in choices.items())


def member_totals(target: int, members: int, rng: random.Random, *, spread: int = 8,
                  bounds: tuple[int, int] = (0, 100)) -> list[int]:
    """Whole totals, one per member, whose mean is exactly ``target`` and whose spread is at most ``spread``.

    Offsets come in opposite pairs (+d, −d), so they cancel; with an odd number of members one scores the target.
    """
    low, high = bounds
    if not low <= target <= high:
        raise ValueError(f"target {target} is outside {low}–{high}")
    half = min(spread // 2, target - low, high - target)
    totals = [target] * members
    for n in range(members // 2):
        d = rng.randint(0, half)
        totals[2 * n], totals[2 * n + 1] = target + d, target - d
    rng.shuffle(totals)
    return totals


def mean(totals: Sequence[int]) -> float:
    return sum(totals) / len(totals)
