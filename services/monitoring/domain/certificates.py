"""Certificate periods of the register (sổ theo dõi sản phẩm OCOP): what each ProductRated does to them, and the
as-of questions over them ("in force on D", "ends within N days of D"), each rule in one function.

A period runs from ``valid_from`` to its last day: ``valid_until`` (inclusive), or the day before ``ends_on`` when
it ended early — revoked or withdrawn by a decision (from the decision's date), or superseded by a new certificate
(from the new one's first day). Rating is the authority on every certificate; the register only follows it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from services.monitoring.domain.errors import InvalidInput
from services.monitoring.domain.values import RatingFact

RATING_STATUSES = ("recognized", "not_recognized", "proposed", "downgraded", "revoked", "expired")
LEVELS = ("district", "provincial", "central")
CERTIFIED_STARS = (3, 4, 5)  # certificates exist only for 3★–5★ (OCOP-RULES §6)
SETS_STARS = ("recognized", "downgraded")  # statuses whose star is the certificate's; the others keep it


@dataclass(frozen=True)
class CertificatePeriod:
    number: str
    stars: int
    level: str
    valid_from: date
    valid_until: date
    ends_on: date | None = None
    """The first day it no longer held, when it ended before its last valid day's next day."""
    ended_by: str | None = None
    """``revoked`` | ``downgraded`` | ``superseded`` | ``expired``."""

    @property
    def last_day(self) -> date:
        """The last day it is in force."""
        return self.valid_until if self.ends_on is None else min(self.valid_until, self.ends_on - timedelta(days=1))

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.last_day

    def ending(self, on: date, by: str) -> CertificatePeriod:
        """Ended from ``on``; an earlier end stands (a revoked certificate cannot expire later)."""
        if self.ends_on is not None and self.ends_on <= on:
            return self
        return replace(self, ends_on=on, ended_by=by)


def check_rating(rating: RatingFact) -> None:
    """ProductRated's own values, as the contract allows them; refused naming the field otherwise."""
    if rating.status not in RATING_STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(RATING_STATUSES)}", field="status")
    if rating.level not in LEVELS:
        raise InvalidInput(f"level must be one of {', '.join(LEVELS)}", field="level")
    if not 0 <= rating.stars <= 5:
        raise InvalidInput("stars must be 0–5", field="stars")
    c = rating.certificate
    if c is not None and c.valid_until < c.valid_from:
        raise InvalidInput("the certificate's valid_until is before its valid_from", field="certificate.valid_until")
    if rating.status in ("revoked", "downgraded") and rating.decision is None:
        raise InvalidInput(f"a {rating.status} rating names its decision", field="decision")


def follow(periods: tuple[CertificatePeriod, ...], rating: RatingFact) -> tuple[CertificatePeriod, ...]:
    """The periods after ``rating``: THE rule of how ProductRated moves the register.

    A certificate not seen before starts a period (star from the rating, 0 if it names none) and supersedes those
    still running on its first day. Then, on the named certificate: ``revoked`` ends it from the decision date;
    ``downgraded`` below 3★ (re-rated under every certified star) ends it from the decision date; ``expired`` ends it
    after its last valid day; ``recognized`` or ``downgraded`` to 3★–5★ sets its star (a warning keeps it);
    ``proposed`` and ``not_recognized`` leave it as it is.
    """
    c = rating.certificate
    if c is None:
        return periods
    if not any(p.number == c.number for p in periods):
        stars = rating.stars if rating.stars in CERTIFIED_STARS else 0
        started = CertificatePeriod(c.number, stars, rating.level, c.valid_from, c.valid_until)
        periods = (*(p.ending(c.valid_from, "superseded") if p.last_day >= c.valid_from else p for p in periods),
                   started)
    return tuple(_effect(p, rating) if p.number == c.number else p for p in periods)


def _effect(period: CertificatePeriod, rating: RatingFact) -> CertificatePeriod:
    if rating.status == "expired":
        return period.ending(period.valid_until + timedelta(days=1), "expired")
    ends = rating.status == "revoked" or (rating.status == "downgraded" and rating.stars not in CERTIFIED_STARS)
    if ends and rating.decision is not None:  # check_rating makes sure both statuses name their decision
        return period.ending(rating.decision.date, rating.status)
    if rating.status in SETS_STARS:
        return replace(period, stars=rating.stars, level=rating.level)
    return period


def in_force_on(periods: tuple[CertificatePeriod, ...], day: date) -> CertificatePeriod | None:
    """The certificate in force on ``day`` (the latest to start, should two overlap), or None."""
    holding = [p for p in periods if p.in_force_on(day)]
    return max(holding, key=lambda p: p.valid_from) if holding else None


def ending_within(periods: tuple[CertificatePeriod, ...], day: date, days: int) -> CertificatePeriod | None:
    """The certificate in force on ``day`` whose last day falls within ``days`` days of it (``day`` + ``days``
    included), or None: a producer to remind of re-rating (đánh giá lại trước khi hết hạn)."""
    if days < 0:
        raise InvalidInput("days must be ≥ 0", field="days")
    held = in_force_on(periods, day)
    return held if held is not None and held.last_day <= day + timedelta(days=days) else None
