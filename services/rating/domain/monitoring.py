"""Kiểm tra, giám sát sau công nhận (OCOP-RULES §7, §8): what befalls the certificate a product holds.

Expiry past its last valid day; a failed inspection puts it under review, then the province revokes it, orders a
re-rating (decided by a later provincial round, see ``verdicts``) or closes the review with a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from services.rating.domain import events as ev
from services.rating.domain import outcomes as out
from services.rating.domain.certificates import expired_from, is_expired_on
from services.rating.domain.decision_dates import ensure_not_before, ensure_signed_by
from services.rating.domain.errors import NotAllowed, RatingError
from services.rating.domain.values import Certificate, Decision, Inspection
from shared.aggregate import DomainEvent


class CertificateMonitoring:
    """The commands of ``RatingDossier`` on its held certificate (kept apart to keep the aggregate readable)."""

    id: str
    holds: Certificate | None
    under_review: ev.CertificateUnderReview | None
    re_rating: str | None
    inspections: set[str]
    record: Callable[[DomainEvent], None]

    def expire(self, on: date) -> bool:
        """Report the held certificate expired when ``on`` is past its last valid day; idempotent."""
        held = self.holds
        if held is None or not is_expired_on(held, on):
            return False
        self.record(out.CertificateExpired(
            held, expired_from(held), on.year, f"certificate {held.number} ({held.stars}★) was valid until "
                                                f"{held.valid_until.isoformat()}; expired from {on.isoformat()} unless rated again"))
        return True

    def flag_under_review(self, inspection: Inspection) -> None:
        """InspectionFailed: the certificate is under review at once; the same inspection again changes nothing."""
        if inspection.inspection_id in self.inspections:
            return
        if self.holds is None:
            raise NotAllowed(f"product {self.id!r} holds no certificate; inspection {inspection.inspection_id} "
                             "cannot put one under review", field="product_id")
        self.record(ev.CertificateUnderReview(inspection.inspection_id, self.holds.number, inspection.inspected_on,
                                              inspection.severity, inspection.recommended_action, inspection.findings))

    def revoke(self, inspection_id: str, decision: Decision | None, reason: str, today: date) -> None:
        """Thu hồi giấy chứng nhận by provincial decision: stars 0, logo rights end."""
        if decision is None:
            raise RatingError("a revocation needs the decision (number, date, issued_by)", field="decision")
        held = self._reviewed(inspection_id, decision, today)
        self.record(out.CertificateRevoked(held, decision, inspection_id, reason))

    def order_re_rating(self, inspection_id: str, reason: str, decision: Decision | None, today: date) -> None:
        self._reviewed(inspection_id, decision, today)
        self.record(ev.ReRatingOrdered(inspection_id, reason, decision))

    def warn(self, inspection_id: str, reason: str, on: date, decision: Decision | None, today: date) -> None:
        held = self._reviewed(inspection_id, decision, today)
        self.record(out.WarningIssued(held, inspection_id, reason, decision, on.year))

    def _reviewed(self, inspection_id: str, decision: Decision | None = None, today: date | None = None) -> Certificate:
        """The certificate under review for ``inspection_id``; a decision on it is dated by today, and not before the
        certificate was issued nor before the inspection."""
        if self.under_review is None or self.under_review.inspection_id != inspection_id:
            pending = self.under_review.inspection_id if self.under_review else "none"
            raise NotAllowed(f"product {self.id!r} is not under review for inspection {inspection_id!r} "
                             f"(pending: {pending})", field="inspection_id")
        if self.re_rating is not None:
            raise NotAllowed(f"re-rating was already ordered for inspection {inspection_id!r}; its result decides",
                             field="inspection_id")
        if self.holds is None:
            raise NotAllowed(f"product {self.id!r} no longer holds a certificate", field="inspection_id")
        if decision is not None and today is not None:
            ensure_signed_by(decision.date, today)
            ensure_not_before(decision.date, f"the issue of certificate {self.holds.number}", self.holds.valid_from)
            ensure_not_before(decision.date, f"inspection {inspection_id}", self.under_review.inspected_on)
        return self.holds
