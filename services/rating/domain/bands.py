"""Star bands (hạng sao) of the mean total: half-open intervals, the top one closed, keyed by regime as data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from services.rating.domain.errors import CatalogueError, RatingError
from services.rating.domain.sheets import need


@dataclass(frozen=True)
class Band:
    stars: int
    lower: Fraction
    upper: Fraction
    closed: bool

    def contains(self, mean: Fraction) -> bool:
        # [lower, upper) — only the top band includes its upper end, so 89.5 is 4★ and 90 is 5★ (§5.4 [POLICY]).
        return self.lower <= mean and (mean < self.upper or (self.closed and mean == self.upper))


@dataclass(frozen=True)
class BandTable:
    bands: tuple[Band, ...]

    def band(self, mean: Fraction) -> int:
        for band in self.bands:
            if band.contains(mean):
                return band.stars
        raise RatingError(f"mean {float(mean):.2f} is outside every star band", field="mean")


def _band(raw: Mapping[str, Any], index: int) -> Band:
    entry = f"bands[{index}]"
    upper = need(raw, "upper", entry)
    if upper not in ("open", "closed"):
        raise CatalogueError(f"{entry}: upper must be 'open' or 'closed', not {upper!r}", field="bands")
    return Band(int(need(raw, "stars", entry)), Fraction(str(need(raw, "from", entry))),
                Fraction(str(need(raw, "to", entry))), upper == "closed")


def parse_bands(raw: Mapping[str, Any], total: int) -> BandTable:
    """The band table must cover [0, total] with no gap or overlap, stars rising, only the last band closed."""
    bands = tuple(sorted((_band(b, i) for i, b in enumerate(need(raw, "bands", "bands"))), key=lambda b: b.lower))
    if not bands:
        raise CatalogueError("bands: the table is empty", field="bands")
    edge = Fraction(0)
    for i, band in enumerate(bands):
        name = f"bands: {band.stars}★ [{band.lower}, {band.upper}{']' if band.closed else ')'}"
        if band.lower != edge:
            kind = "gap" if band.lower > edge else "overlap"
            raise CatalogueError(f"{name} starts at {band.lower}: {kind} after {edge}", field="bands")
        if band.upper <= band.lower or band.closed != (i == len(bands) - 1):
            raise CatalogueError(f"{name}: empty, or only the top band may be closed", field="bands")
        if i and band.stars <= bands[i - 1].stars:
            raise CatalogueError(f"{name}: stars must rise with the score", field="bands")
        edge = band.upper
    if edge != total:
        raise CatalogueError(f"bands: the top band ends at {edge}, the sheets total {total}", field="bands")
    return BandTable(bands)
