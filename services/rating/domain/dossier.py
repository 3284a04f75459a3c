"""The rating dossier (hồ sơ đánh giá) of one product: every attempt, outcome and certificate it ever had.

Stream id = product_id, so a product keeps one dossier across cycles; a later cycle's registration
re-enters it and a registration already on it changes nothing. ``stage`` is the level whose council may examine
it next (district → provincial → central, or None when nothing is pending); a certified product may also go
before a provincial round as an upgrade request.

    open ─→ district session ─≥50→ forwarded ─→ provincial round + decision ─3★/4★→ certificate issued
                             └<50→ not recognised (re-enters)        └≥90→ proposed to the centre → 5★ / not passed
    certificate ─InspectionFailed→ under review ─→ revoked | re-rating ordered (→ provincial round) | warning
    certificate ─past its last valid day→ expired

The commands about councils are in ``examinations`` (what a council's result records is decided in ``verdicts``),
those on a held certificate in ``monitoring``; this module opens the dossier and keeps the state the facts leave.
"""

from __future__ import annotations

from services.rating.domain import events as ev
from services.rating.domain import outcomes as out
from services.rating.domain.catalogue import Catalogue
from services.rating.domain.examinations import Examinations
from services.rating.domain.monitoring import CertificateMonitoring
from services.rating.domain.values import Certificate, ProductEntry
from shared.aggregate import Aggregate, DomainEvent


class RatingDossier(Aggregate, Examinations, CertificateMonitoring):
    """Hồ sơ đánh giá of one OCOP product."""

    stream_type = "rating-dossier"
    event_types = {e.__name__: e for e in (ev.DossierOpened, ev.DossierReentered, ev.ExaminationScheduled,
                                           ev.ExaminationWithdrawn, ev.CertificateUnderReview, ev.ReRatingOrdered,
                                           *out.OUTCOMES)}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.opened: ev.DossierOpened | None = None
        self.status = "new"
        self.registrations: dict[str, int] = {}  # registration_id → cycle_year
        self.cycle_year: int | None = None
        self.stage: str | None = None
        self.session_id: str | None = None
        self.holds: Certificate | None = None  # the certificate the product holds now
        self.under_review: ev.CertificateUnderReview | None = None
        self.re_rating: str | None = None  # inspection_id of an ordered re-rating
        self.inspections: set[str] = set()
        self.examined_at: set[str] = set()  # levels whose council reached an outcome on this product

    @classmethod
    def open(cls, entry: ProductEntry, catalogue: Catalogue) -> RatingDossier:
        """Classify the product into its product set; a set the catalogue lacks raises ``RatingError`` (field product_set)."""
        product_set = entry.product.product_set
        sheet = catalogue.sheet(product_set)
        dossier = cls(entry.product_id)
        dossier.record(ev.DossierOpened(
            product_id=entry.product_id, product=entry.product, producer=entry.producer,
            district_code=entry.district_code, commune_code=entry.commune_code, registration_id=entry.registration_id,
            cycle_year=entry.cycle_year, product_set=product_set, sheet_id=sheet.entry, sheet_version=sheet.version,
            sheet_provisional=sheet.provisional, regime=catalogue.regime, correlation_id=entry.correlation_id,
        ))
        return dossier

    def enter(self, registration_id: str, cycle_year: int) -> None:
        """Another registration of this product (a later cycle): re-entry; one already on the dossier is a no-op."""
        if registration_id not in self.registrations:
            self.record(ev.DossierReentered(registration_id, cycle_year))

    # ------------------------------------------------------------------------------ state

    @property
    def product_set(self) -> int:
        assert self.opened is not None
        return self.opened.product_set

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ev.DossierOpened():
                self.opened, self.registrations = event, {event.registration_id: event.cycle_year}
                self.cycle_year, self.status, self.stage = event.cycle_year, "awaiting_council", "district"
            case ev.DossierReentered(registration_id=registration_id, cycle_year=cycle_year):
                self.registrations[registration_id] = cycle_year
                self.cycle_year = max(self.cycle_year or cycle_year, cycle_year)
                self.status, self.stage = "awaiting_council", "district"
            case ev.ExaminationScheduled(session_id=session_id):
                self.session_id, self.status = session_id, "in_session"
            case ev.ExaminationWithdrawn():
                self.session_id, self.status = None, "withdrawn_from_session"
            case ev.CertificateUnderReview():
                self.under_review, self.status = event, "under_review"
                self.inspections.add(event.inspection_id)
            case ev.ReRatingOrdered(inspection_id=inspection_id):
                self.re_rating, self.stage, self.status = inspection_id, "provincial", "re_rating_ordered"
            case _:
                self._apply_outcome(event)

    def _apply_outcome(self, event: DomainEvent) -> None:
        match event:
            case out.ForwardedToProvince():
                self._examined("district", "proposed", "provincial")
            case out.NotRecognised():
                self._examined(event.level, "not_recognized", event.may_reenter_at)
            case out.CertificateIssued(certificate=certificate):
                self._examined(certificate.level, "downgraded" if event.lower else "recognized", None)
                self.holds = certificate
            case out.CertificateConfirmed():
                self._examined(event.level, "recognized", None)  # it holds the certificate it held
            case out.ProposedToCentre():
                self._examined("provincial", "proposed", "central")
            case out.CertificateWithdrawn():
                self._examined("provincial", "downgraded", None)
                self.holds = None
            case out.CentralNotPassed():
                self._examined("central", "not_recognized", None)
            case out.CertificateExpired():
                self.status, self.holds = "expired", None
            case out.CertificateRevoked():
                self.status, self.stage, self.holds = "revoked", None, None
            case out.WarningIssued():
                self.status = "recognized"  # the certificate holds: the product stays recognised
        # A decision on the inspection, or a product left without a certificate, ends any review.
        if getattr(event, "inspection_id", None) is not None or self.holds is None:
            self.under_review, self.re_rating = None, None

    def _examined(self, level: str, status: str, stage: str | None) -> None:
        self.examined_at.add(level)
        self.session_id, self.status, self.stage = None, status, stage
