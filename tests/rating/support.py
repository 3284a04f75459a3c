"""Builders shared by the rating tests: the shipped catalogue, in-memory catalogues, full scorecards."""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from services.rating.domain.catalogue import (
    SHIPPED,
    Catalogue,
    load_catalogue,
    read_catalogue_files,
)
from services.rating.domain.scoring import Scorecard, validate_scorecard
from services.rating.domain.sheets import Sheet


@lru_cache
def _shipped_raw() -> dict[str, Any]:
    return read_catalogue_files(SHIPPED)


def raw_catalogue() -> dict[str, Any]:
    """A fresh deep copy of the shipped files as parsed data, for tests that break one entry."""
    return copy.deepcopy(_shipped_raw())


@lru_cache
def shipped() -> Catalogue:
    return load_catalogue()


def best(sheet: Sheet) -> dict[str, str]:
    """Every criterion at its best option: 100 points."""
    return {cid: max(c.options, key=lambda o: o.points).id for cid, c in sheet.criteria.items()}


def card_with_total(sheet: Sheet, total: int, **fixed: str) -> Scorecard:
    """A valid scorecard worth ``total``: ``fixed`` choices first, then points taken off other criteria as needed."""
    choices: dict[str, int | str] = dict(best(sheet), **{k.replace("_", "."): v for k, v in fixed.items()})
    card = validate_scorecard(sheet, choices)
    excess = card.total - total
    for cid, criterion in sheet.criteria.items():
        if excess <= 0:
            break
        if cid.replace(".", "_") in fixed:
            continue
        current = card.choices[cid].points
        lower = [o for o in criterion.options if o.points < current and current - o.points <= excess]
        if lower:
            pick = min(lower, key=lambda o: o.points)
            choices[cid], excess = pick.id, excess - (current - pick.points)
    card = validate_scorecard(sheet, choices)
    assert card.total == total, f"could not build a scorecard worth {total}"
    return card
