"""Level gates of the 1048 regime (cấp huyện, cấp tỉnh, trung ương), OCOP-RULES §6 and §12.4.

District recognises nothing and forwards means ≥ 50; the province recognises 3★ and 4★ and proposes means ≥ 90 to
the centre, which alone issues 5★. Thresholds are catalogue data (``catalogue.json`` → ``levels``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from services.rating.domain.errors import CatalogueError, NotReady
from services.rating.domain.policy import DEFAULT_POLICY, RatingPolicy
from services.rating.domain.sheets import need

if TYPE_CHECKING:  # scoring imports the catalogue, which parses levels: no import cycle at run time
    from services.rating.domain.scoring import CouncilResult


@dataclass(frozen=True)
class Levels:
    district_forwards_from: Fraction
    province_recognises: frozenset[int]
    centre_proposal_from: Fraction


@dataclass(frozen=True)
class ProvinceOutcome:
    """``certificate_stars`` None: no provincial certificate (quyết định công nhận) from this result."""

    certificate_stars: int | None
    propose_to_centre: bool


def parse_levels(raw: Mapping[str, Any], stars: set[int], total: int) -> Levels:
    levels = Levels(Fraction(str(need(raw, "district_forwards_from", "levels"))),
                    frozenset(int(s) for s in need(raw, "province_recognises", "levels")),
                    Fraction(str(need(raw, "centre_proposal_from", "levels"))))
    if not levels.province_recognises <= stars:
        raise CatalogueError(f"levels: province recognises {sorted(levels.province_recognises)}, not all are bands",
                             field="levels")
    if not 0 <= levels.district_forwards_from <= levels.centre_proposal_from <= total:
        raise CatalogueError("levels: thresholds must rise within the sheet total", field="levels")
    return levels


def _final(result: CouncilResult) -> None:
    if not result.finalisable:
        raise NotReady("; ".join(result.blockers), field="scorecards")


def district_forwards(result: CouncilResult, levels: Levels) -> bool:
    """The district council forwards the dossier to the province iff the mean reaches the threshold (50)."""
    _final(result)
    return result.mean >= levels.district_forwards_from


def province_outcome(result: CouncilResult, levels: Levels, *, first_time: bool,
                     policy: RatingPolicy = DEFAULT_POLICY) -> ProvinceOutcome:
    """A mean ≥ 90 is 'tiềm năng 5 sao' and goes to the centre; the province certifies at most 4★.

    A forwarded product that already holds a star keeps it (the centre decides the upgrade); a first-time one gets
    a provincial certificate at the same time only if ``certify_first_time_90_at_province`` (§6 [POLICY]).
    """
    _final(result)
    propose = result.mean >= levels.centre_proposal_from
    stars = max((s for s in levels.province_recognises if s <= result.stars), default=None)
    if propose and not (first_time and policy.certify_first_time_90_at_province):
        stars = None
    return ProvinceOutcome(stars, propose)
