"""What a council's result, a decision, an inspection or time did to a product's rating: the dossier's facts.

Each is recorded on the product's dossier and heard by the public as one ProductRated (``translators``). ``reason``
is the explanation the domain gives for it, in the words ProductRated carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.rating.domain.values import Certificate, Decision
from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class CouncilOutcome(DomainEvent):
    """What every outcome of a council session names: the evaluation (one product in one session), the session, its
    cycle, the star the outcome shows and the council's mean (2 decimals)."""

    evaluation_id: str
    session_id: str
    cycle_year: int
    stars: int
    average_score: str


@dataclass(frozen=True)
class ForwardedToProvince(CouncilOutcome):
    """Cấp huyện đề nghị cấp tỉnh: the district council's mean reached the threshold; the dossier goes to the province.

    ``stars`` is the star on the sheet, never above what the province can recognise.
    """


@dataclass(frozen=True)
class NotRecognised(CouncilOutcome):
    """Không đạt at district or province: nothing certified; the product may re-enter at ``may_reenter_at``.

    ``keeps`` is the certificate a certified product keeps after an attempt that was not an upgrade (then ``stars``
    is its star); otherwise ``stars`` is the star on the sheet.
    """

    level: str
    decision: Decision | None
    keeps: Certificate | None
    may_reenter_at: str | None
    reason: str


@dataclass(frozen=True)
class CertificateIssued(DomainEvent):
    """Quyết định công nhận: a certificate (3★/4★ by the province, 5★ by the centre).

    ``supersedes`` is the number of the certificate it replaces, ``lower`` whether it is a lower star (hạ hạng,
    only after a re-rating ordered on inspection ``inspection_id``).
    """

    certificate: Certificate
    session_id: str
    supersedes: str | None
    lower: bool
    inspection_id: str | None
    reason: str | None


@dataclass(frozen=True)
class CertificateRenewed(CertificateIssued):
    """Công nhận lại khi hết hạn: re-evaluated at the end of its validity (a provincial round within the renewal
    window), the product gets a new certificate for a new period at the star it scored; it supersedes the old one.
    Counted apart from first recognitions and upgrades."""


@dataclass(frozen=True)
class CertificateConfirmed(CouncilOutcome):
    """Giữ nguyên hạng: a certified product re-scored in its own star's band — an upgrade request not granted, or a
    re-rating after inspection (``inspection_id``) that keeps the star. The certificate it holds is kept, unchanged:
    no new certificate, no new period, not a recognition."""

    level: str
    decision: Decision
    certificate: Certificate
    inspection_id: str | None
    reason: str


@dataclass(frozen=True)
class ProposedToCentre(CouncilOutcome):
    """Tiềm năng 5 sao: the province proposes the product to the central council; ``holds`` is the certificate it
    holds meanwhile, if any."""

    decision: Decision
    holds: Certificate | None
    inspection_id: str | None
    reason: str


@dataclass(frozen=True)
class CertificateWithdrawn(CouncilOutcome):
    """Đánh giá lại: re-rated after an inspection below every certified star; the certificate ends with the decision."""

    decision: Decision
    certificate: Certificate
    inspection_id: str
    reason: str


@dataclass(frozen=True)
class CentralNotPassed(CouncilOutcome):
    """Không đạt at the central council: no 5★; the product keeps the certificate it holds (``keeps``, star ``stars``)."""

    decision: Decision
    keeps: Certificate | None
    reason: str


@dataclass(frozen=True)
class CertificateExpired(DomainEvent):
    """Hết hiệu lực: past its last valid day; ``ended_on`` is the first day it no longer holds."""

    certificate: Certificate
    ended_on: date
    cycle_year: int
    reason: str


@dataclass(frozen=True)
class CertificateRevoked(DomainEvent):
    """Thu hồi giấy chứng nhận by provincial decision after a failed inspection; it ends on the decision date."""

    certificate: Certificate
    decision: Decision
    inspection_id: str
    reason: str


@dataclass(frozen=True)
class WarningIssued(DomainEvent):
    """Nhắc nhở: a failed inspection closed with a warning; the certificate stays, the review ends."""

    certificate: Certificate
    inspection_id: str
    reason: str
    decision: Decision | None
    cycle_year: int


@dataclass(frozen=True)
class Effect:
    """What one fact did to the product, as a session's list and a decision's entry show it: a word, the star shown
    after it, the certificate concerned and whether the fact issued that certificate."""

    outcome: str
    stars: int
    certificate_number: str | None = None
    issued: bool = False


def effect_of(fact: DomainEvent) -> Effect | None:
    """The one reading of a fact as an outcome (None: not an outcome of a council or a decision)."""
    match fact:
        case ForwardedToProvince() | ProposedToCentre():
            return Effect("proposed", fact.stars)
        case NotRecognised() | CentralNotPassed():
            return Effect("not_recognized", fact.stars)
        case CertificateRenewed(certificate=c):
            return Effect("renewed", c.stars, c.number, issued=True)
        case CertificateIssued(certificate=c):
            return Effect("downgraded" if fact.lower else "recognized", c.stars, c.number, issued=True)
        case CertificateConfirmed(certificate=c):
            return Effect("confirmed", c.stars, c.number)
        case CertificateWithdrawn(certificate=c):
            return Effect("downgraded", fact.stars, c.number)
        case CertificateRevoked(certificate=c):
            return Effect("revoked", 0, c.number)
        case WarningIssued(certificate=c):
            return Effect("warned", c.stars, c.number)
    return None


OUTCOMES = (ForwardedToProvince, NotRecognised, CertificateIssued, CertificateRenewed, CertificateConfirmed,
            ProposedToCentre, CertificateWithdrawn, CentralNotPassed, CertificateExpired, CertificateRevoked,
            WarningIssued)
