"""Certificate validity (thời hạn giấy chứng nhận sản phẩm OCOP): 36 months from the decision date, civil dates.

QĐ 5445/QĐ-UBND of 23/12/2019: still valid on 23/12/2022, expired from 24/12/2022 (OCOP-RULES §7 [V*]). The one
home of that rule: ``issue_certificate`` stores the last valid day, ``expired_from`` the first day it no longer
holds; read models and queries only store and compare the dates these give.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from services.rating.domain.errors import NotAllowed, RatingError
from services.rating.domain.levels import Levels
from services.rating.domain.policy import MONTH_END_RULES, RatingPolicy
from services.rating.domain.values import Certificate, Decision, ProductResult


def valid_until(issued_on: date, months: int = 36, month_end_rule: str = "clamp") -> date:
    """The last valid day: the same day of the month ``months`` later.

    When that day does not exist (issued 29–31), "clamp" gives the month's last day (29/02/2020 → 28/02/2023);
    "roll_forward" gives the 1st of the next month (→ 01/03/2023). The rules leave it open [POLICY]; clamp is advised.
    """
    if month_end_rule not in MONTH_END_RULES:
        raise ValueError(f"month_end_rule must be one of {', '.join(MONTH_END_RULES)}")
    index = issued_on.year * 12 + issued_on.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    if issued_on.day <= last:
        return date(year, month + 1, issued_on.day)
    end = date(year, month + 1, last)
    return end if month_end_rule == "clamp" else end + timedelta(days=1)


def issue_certificate(number: str, stars: int, *, level: str, decision: Decision, result: ProductResult,
                      cycle_year: int, levels: Levels, policy: RatingPolicy) -> Certificate:
    """Giấy chứng nhận of ``stars`` for a council result, valid from the decision date for the policy's months."""
    if stars not in levels.certified_stars:
        raise RatingError(f"certificates exist only for {_stars(levels.certified_stars)}, not {stars}★", field="stars")
    return Certificate(number, stars, level, decision.date,
                       valid_until(decision.date, policy.certificate_months, policy.month_end_rule),
                       result.evaluation_id, result.average_score, cycle_year, decision)


def expired_from(certificate: Certificate) -> date:
    """The first day the certificate no longer holds: the day after its last valid day."""
    return certificate.valid_until + timedelta(days=1)


def is_expired_on(certificate: Certificate, on: date) -> bool:
    return on >= expired_from(certificate)


def due_for_renewal(certificate: Certificate, on: date, window_days: int) -> bool:
    """Examined on ``on``, the certificate is at the end of its validity: its last valid day is at most
    ``window_days`` away (or past). A window of 0 days renews nothing."""
    return window_days > 0 and on >= certificate.valid_until - timedelta(days=window_days)


def ensure_reportable(as_of: date, today: date) -> None:
    """Expiry is reported for a day that has come, never in advance (a past day may be asked: "as of 24/12/2022"); a
    day the document allows but that has not come yet does not fit today (409)."""
    if as_of > today:
        raise NotAllowed(f"as_of {as_of} is after today ({today}): expiry cannot be reported in advance", field="as_of")


def _stars(stars: frozenset[int]) -> str:
    ordered = sorted(stars)
    return f"{ordered[0]}★–{ordered[-1]}★" if len(ordered) > 1 else f"{ordered[0]}★"
