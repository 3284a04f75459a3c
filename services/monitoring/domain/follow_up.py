"""The follow-up of a failed inspection (theo dõi xử lý sau kiểm tra): under review from the failure until rating
decides, overdue when open longer than the policy's days — read as of any date, from the inspection's facts.

ProductRated does not say "warning" in its status (rating publishes a warning as ``recognized`` with a reason
"warning: …"), so the translator tells ``outcome_of_rating`` whether the product was warned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from services.monitoring.domain.errors import InvalidInput
from services.monitoring.domain.policy import MonitoringPolicy

if TYPE_CHECKING:  # the aggregate imports this module's outcomes
    from services.monitoring.domain.inspections import Inspection

FOLLOW_UP_OUTCOMES = ("revoked", "downgraded", "re_rated", "warning", "expired")
"""Thu hồi; hạ hạng; đánh giá lại (kept or raised its star); nhắc nhở; the certificate ran out while under review."""

OUTCOME_OF_STATUS = {"revoked": "revoked", "downgraded": "downgraded", "expired": "expired",
                     "recognized": "re_rated", "proposed": "re_rated", "not_recognized": "re_rated"}
"""ProductRated.status of a decision on the inspection → the follow-up's outcome (``recognized`` + warned: warning)."""


@dataclass(frozen=True)
class FollowUpStatus:
    inspection_id: str
    product_id: str
    opened_on: date
    """The failed inspection's date."""
    state: str
    """``under_review`` | ``closed``."""
    overdue: bool
    """Under review for more than ``follow_up_overdue_days``."""
    days_open: int
    """Days from the failure to ``as_of``, or to the decision once closed."""
    outcome: str | None


def outcome_of_rating(status: str, *, warned: bool) -> str:
    """The follow-up outcome a ProductRated about the inspection means; an unknown status is refused."""
    if status not in OUTCOME_OF_STATUS:
        raise InvalidInput(f"status {status!r} is not a ProductRated status", field="status")
    if warned and status == "recognized":
        return "warning"
    return OUTCOME_OF_STATUS[status]


def follow_up_status(inspection: Inspection, as_of: date, policy: MonitoringPolicy) -> FollowUpStatus | None:
    """How the failed inspection's follow-up stands as of ``as_of``; None when it passed, or had not failed yet."""
    failed = inspection.failed
    if failed is None:
        return None
    closed = inspection.closed
    return follow_up_on(inspection.id, failed.product_id, failed.inspected_on,
                        (closed.decided_on, closed.outcome) if closed is not None else None, as_of, policy)


def follow_up_on(inspection_id: str, product_id: str, failed_on: date, closed: tuple[date, str] | None,
                 as_of: date, policy: MonitoringPolicy) -> FollowUpStatus | None:
    """THE rule of a follow-up's state, from a failure's date and its closing ``(decided_on, outcome)`` if any (what
    a read model keeps of it): under review until the decision's date, overdue past the policy's days."""
    if as_of < failed_on:
        return None
    seen = closed if closed is not None and closed[0] <= as_of else None
    until = seen[0] if seen is not None else as_of
    days_open = (until - failed_on).days
    overdue = seen is None and days_open > policy.follow_up_overdue_days
    return FollowUpStatus(inspection_id, product_id, failed_on, "closed" if seen else "under_review", overdue,
                          days_open, seen[1] if seen else None)
