"""When a decision (quyết định) may be dated: its date is the civil day it was signed (OCOP-RULES §12.5, §12.10).

Two rules, one function each. A decision dated in the future would make the product read "revoked" or "recognised"
today while the register says otherwise; one dated before what it decides on (the certificate's issue, the session,
the inspection) would end a certificate before it began, or approve results before the council sat. Both are
refused naming ``decision.date``.
"""

from __future__ import annotations

from datetime import date

from services.rating.domain.errors import DecisionDateRefused

FIELD = "decision.date"


def ensure_signed_by(on: date, today: date) -> None:
    """A decision is dated the day it was signed: today (Asia/Ho_Chi_Minh) at the latest, never a day to come."""
    if on > today:
        raise DecisionDateRefused(f"decision.date {on} is after today ({today}): a decision is dated the day it was "
                                  "signed, never in the future", field=FIELD)


def ensure_not_before(on: date, what: str, since: date) -> None:
    """A decision is signed on or after the day of what it decides on (``what``, which happened on ``since``)."""
    if on < since:
        raise DecisionDateRefused(f"decision.date {on} is before {what} ({since}): a decision cannot be dated before "
                                  "what it decides on", field=FIELD)
