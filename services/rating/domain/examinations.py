"""A dossier before councils (OCOP-RULES §6): why it may go before a council of a level, its place on a session's
list, and recording what the council's result decided (the facts themselves are chosen in ``verdicts``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from services.rating.domain import events as ev
from services.rating.domain.certificates import due_for_renewal
from services.rating.domain.errors import NotAllowed
from services.rating.domain.values import Certificate
from services.rating.domain.verdicts import Verdict
from shared.aggregate import DomainEvent


class Examinations:
    """The commands of ``RatingDossier`` about councils (kept apart to keep the aggregate readable)."""

    id: str
    stage: str | None
    session_id: str | None
    holds: Certificate | None
    under_review: ev.CertificateUnderReview | None
    re_rating: str | None
    examined_at: set[str]
    record: Callable[[DomainEvent], None]

    def purpose_at(self, level: str, on: date | None = None, renewal_window_days: int = 0) -> str:
        """Why this product may go before a council of ``level`` on ``on`` (first, re_entry, upgrade, renewal,
        re_rating), or NotAllowed. A certified product comes before a provincial round as an upgrade request, or for
        renewal when its certificate is at the end of its validity (``due_for_renewal``)."""
        if self.session_id is not None:
            raise NotAllowed(f"product {self.id!r} is already on the list of session {self.session_id}", field="product_ids")
        if self.under_review is not None and self.re_rating is None:
            raise NotAllowed(f"product {self.id!r} is under review after inspection {self.under_review.inspection_id};"
                             " the province decides first", field="product_ids")
        if level == self.stage:
            if self.re_rating is not None:
                return "re_rating"
            return "re_entry" if level in self.examined_at else "first"
        if level == "provincial" and self.holds is not None and self.stage is None:
            renewal = on is not None and due_for_renewal(self.holds, on, renewal_window_days)
            return "renewal" if renewal else "upgrade"
        waiting = f"awaits the {self.stage} council" if self.stage else "has no rating pending"
        raise NotAllowed(f"product {self.id!r} {waiting}; it cannot go before a {level} council", field="product_ids")

    def schedule(self, session_id: str, evaluation_id: str, level: str, purpose: str) -> None:
        """On the session's list, for the ``purpose`` ``purpose_at`` gave."""
        self.record(ev.ExaminationScheduled(session_id, evaluation_id, level, purpose))

    def withdraw_from(self, session_id: str, reason: str) -> None:
        if self.session_id != session_id:
            raise NotAllowed(f"product {self.id!r} is not on the list of session {session_id}", field="product_id")
        self.record(ev.ExaminationWithdrawn(session_id, reason))

    def record_district_result(self, verdict: Verdict) -> None:
        self.record(verdict.district())

    def record_decided_result(self, level: str, verdict: Verdict, certificate_number: str) -> list[DomainEvent]:
        """The decision on this product's result at a provincial round or the central council; the facts recorded."""
        if level == "provincial":
            facts = verdict.provincial(self.holds, self.re_rating, certificate_number)
        else:
            facts = [verdict.central(self.holds, self.re_rating, certificate_number)]
        for fact in facts:
            self.record(fact)
        return facts
