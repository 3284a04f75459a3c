"""One line per dossier event for the rating history (lịch sử hồ sơ), in the domain's words, from the typed event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.rating.domain import events as ev
from services.rating.domain import outcomes as out
from shared.aggregate import DomainEvent


def _issued(e: out.CertificateIssued) -> str:
    c = e.certificate
    line = f"{c.level} certificate {c.number} ({c.stars}★), valid {c.valid_from} to {c.valid_until}"
    return f"{line}; {e.reason}" if e.reason else line


_LINES: dict[type[DomainEvent], Callable[[Any], str]] = {
    ev.DossierOpened: lambda e: f"opened: {e.product.name} of {e.producer.name}, product set {e.product_set}"
                                f" (sheet {e.sheet_id}{', provisional' if e.sheet_provisional else ''})",
    ev.DossierReentered: lambda e: f"re-entered by registration {e.registration_id} of cycle {e.cycle_year}",
    ev.ExaminationScheduled: lambda e: f"listed in {e.level} session {e.session_id} ({e.purpose})",
    ev.ExaminationWithdrawn: lambda e: f"withdrawn from session {e.session_id}: {e.reason}",
    ev.CertificateUnderReview: lambda e: f"certificate {e.certificate_number} under review after inspection "
                                         f"{e.inspection_id} ({e.severity}; recommends {e.recommended_action})",
    ev.ReRatingOrdered: lambda e: f"re-rating ordered after inspection {e.inspection_id}: {e.reason}",
    out.ForwardedToProvince: lambda e: f"session {e.session_id}: mean {e.average_score}, forwarded to the province",
    out.NotRecognised: lambda e: f"session {e.session_id}: not recognised — {e.reason}",
    out.CertificateIssued: _issued,
    out.CertificateRenewed: _issued,
    out.CertificateConfirmed: lambda e: f"session {e.session_id}: {e.reason}",
    out.ProposedToCentre: lambda e: f"session {e.session_id}: {e.reason}",
    out.CertificateWithdrawn: lambda e: f"session {e.session_id}: {e.reason}",
    out.CentralNotPassed: lambda e: f"session {e.session_id}: {e.reason}",
    out.CertificateExpired: lambda e: e.reason,
    out.CertificateRevoked: lambda e: f"certificate {e.certificate.number} revoked by decision {e.decision.number} of "
                                      f"{e.decision.date} after inspection {e.inspection_id}: {e.reason}",
    out.WarningIssued: lambda e: f"warning after inspection {e.inspection_id}, certificate {e.certificate.number} "
                                 f"kept: {e.reason}",
}


def summary(event: DomainEvent) -> str:
    line = _LINES.get(type(event))
    return line(event) if line else event.event_type
