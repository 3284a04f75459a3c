"""Level gates of the 1048 regime (cấp huyện, cấp tỉnh, trung ương), OCOP-RULES §6 and §12.4.

District recognises nothing and forwards means ≥ 50; the province recognises 3★ and 4★ and proposes means ≥ 90 to
the centre, which alone issues 5★. Thresholds and stars are catalogue data (``catalogue.json`` → ``levels``); each
gate takes the council's exact mean and star, never a whole result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from services.rating.domain.errors import CatalogueError
from services.rating.domain.policy import DEFAULT_POLICY, RatingPolicy
from services.rating.domain.sheets import need


@dataclass(frozen=True)
class Levels:
    district_forwards_from: Fraction
    province_recognises: frozenset[int]
    centre_proposal_from: Fraction
    centre_recognises: frozenset[int]

    @property
    def certified_stars(self) -> frozenset[int]:
        """Certificates exist only for the stars some level recognises (3★–5★ under 1048, §6)."""
        return self.province_recognises | self.centre_recognises


@dataclass(frozen=True)
class ProvinceOutcome:
    """``certificate_stars`` None: no provincial certificate (quyết định công nhận) from this result."""

    certificate_stars: int | None
    propose_to_centre: bool


def _stars(raw: Mapping[str, Any], key: str) -> frozenset[int]:
    return frozenset(int(s) for s in need(raw, key, "levels"))


def parse_levels(raw: Mapping[str, Any], stars: set[int], total: int) -> Levels:
    levels = Levels(Fraction(str(need(raw, "district_forwards_from", "levels"))), _stars(raw, "province_recognises"),
                    Fraction(str(need(raw, "centre_proposal_from", "levels"))), _stars(raw, "centre_recognises"))
    if not levels.certified_stars <= stars:
        raise CatalogueError(f"levels: recognised stars {sorted(levels.certified_stars)} are not all bands",
                             field="levels")
    if levels.province_recognises & levels.centre_recognises or not levels.centre_recognises:
        raise CatalogueError("levels: the centre recognises its own stars, none of the province's", field="levels")
    if not 0 <= levels.district_forwards_from <= levels.centre_proposal_from <= total:
        raise CatalogueError("levels: thresholds must rise within the sheet total", field="levels")
    return levels


def district_forwards(mean: Fraction, levels: Levels) -> bool:
    """The district council forwards the dossier to the province iff the mean reaches the threshold (50)."""
    return mean >= levels.district_forwards_from


def province_outcome(mean: Fraction, stars: int, levels: Levels, *, first_time: bool,
                     policy: RatingPolicy = DEFAULT_POLICY) -> ProvinceOutcome:
    """The province certifies the highest star it recognises at or under ``stars``; a mean ≥ 90 is 'tiềm năng 5 sao'
    and goes to the centre.

    A forwarded product that already holds a star keeps it (the centre decides the upgrade); a first-time one gets
    a provincial certificate at the same time only if ``certify_first_time_90_at_province`` (§6 [POLICY]).
    """
    propose = mean >= levels.centre_proposal_from
    certified = max((s for s in levels.province_recognises if s <= stars), default=None)
    if propose and not (first_time and policy.certify_first_time_90_at_province):
        certified = None
    return ProvinceOutcome(certified, propose)


def centre_outcome(stars: int, levels: Levels) -> int | None:
    """Only the centre issues 5★: the star it certifies, or None when the result does not reach its stars."""
    return stars if stars in levels.centre_recognises else None


def shown_below_centre(stars: int, levels: Levels) -> int:
    """Below the centre no result shows more than the province can recognise (a 95 shows 4★ until the centre)."""
    return min(stars, max(levels.province_recognises))
