"""Certificate validity (thời hạn giấy chứng nhận sản phẩm OCOP): 36 months from the decision date, civil dates.

QĐ 5445/QĐ-UBND of 23/12/2019: still valid on 23/12/2022, expired from 24/12/2022 (OCOP-RULES §7 [V*]).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from services.rating.domain.errors import RatingError
from services.rating.domain.policy import MONTH_END_RULES

CERTIFIED_STARS = (3, 4, 5)  # certificates exist only for 3★–5★ [V*] §6


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


@dataclass(frozen=True)
class Certificate:
    """Giấy chứng nhận: issued on the decision date; ``revoked_on`` is the first day it no longer holds (thu hồi)."""

    product_id: str
    stars: int
    issued_on: date
    months: int = 36
    month_end_rule: str = "clamp"
    revoked_on: date | None = None

    def __post_init__(self) -> None:
        if self.stars not in CERTIFIED_STARS:
            raise RatingError(f"certificates exist only for 3★–5★, not {self.stars}★", field="stars")

    @property
    def valid_until(self) -> date:
        return valid_until(self.issued_on, self.months, self.month_end_rule)


def status_on(certificate: Certificate, on: date) -> str:
    """"not_yet_valid", "valid", "expired" (from the day after ``valid_until``) or "revoked"."""
    if on < certificate.issued_on:
        return "not_yet_valid"
    if certificate.revoked_on is not None and on >= certificate.revoked_on:
        return "revoked"
    return "valid" if on <= certificate.valid_until else "expired"


def is_valid(certificate: Certificate, on: date) -> bool:
    return status_on(certificate, on) == "valid"


def ensure_reportable(as_of: date, today: date) -> None:
    """Expiry is reported for a day that has come, never in advance (a past day may be asked: "as of 24/12/2022")."""
    if as_of > today:
        raise RatingError(f"as_of {as_of} is after today ({today}): expiry cannot be reported in advance", field="as_of")
