"""The rating dossier (hồ sơ đánh giá) of one product: every attempt, outcome and certificate it ever had.

Stream id = product_id, so a product keeps one dossier across cycles; a later cycle's registration
re-enters it and a registration already on it changes nothing. ``stage`` is the level whose council may examine
it next (district → provincial → central, or None when nothing is pending); a certified product may also go
before a provincial round as an upgrade request.

    open ─→ district session ─≥50→ proposed ─→ provincial round + decision ─3★/4★→ recognised (certificate)
                             └<50→ not_recognized (re-enters a later session)  └≥90→ proposed → central → 5★ / not passed
    certificate ─InspectionFailed→ under review ─→ revoked | re-rating ordered (→ provincial round) | warning
    certificate ─past valid_until→ expired
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from services.rating.domain import events as ev
from services.rating.domain.catalogue import Catalogue
from services.rating.domain.certificates import valid_until
from services.rating.domain.errors import NotAllowed, RatingError
from services.rating.domain.levels import Levels, province_outcome
from services.rating.domain.policy import RatingPolicy
from shared.aggregate import Aggregate, DomainEvent


@dataclass(frozen=True)
class ProductEntry:
    """What rating keeps of a registered product (read from ProductRegistered by the translator)."""

    product_id: str
    registration_id: str
    cycle_year: int
    product: dict[str, Any]  # name, sector, group, product_set
    producer: dict[str, Any]  # producer_id, name, legal_form
    district_code: str
    commune_code: str
    correlation_id: str | None = None


class RatingDossier(Aggregate):
    """Hồ sơ đánh giá of one OCOP product."""

    stream_type = "rating-dossier"
    event_types = {e.__name__: e for e in (ev.DossierOpened, ev.DossierReentered, ev.ExaminationScheduled, ev.ExaminationWithdrawn,
                                           ev.RatingOutcomeRecorded, ev.CertificateUnderReview, ev.ReRatingOrdered)}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.status = "new"
        self.facts: dict[str, Any] = {}
        self.registrations: dict[str, int] = {}  # registration_id → cycle_year
        self.cycle_year: int | None = None
        self.stage: str | None = None
        self.session_id: str | None = None
        self.holds: dict[str, Any] | None = None  # the certificate the product holds now
        self.under_review: dict[str, Any] | None = None
        self.re_rating: str | None = None  # inspection_id of an ordered re-rating
        self.inspections: set[str] = set()
        self.outcomes: list[ev.RatingOutcomeRecorded] = []

    @classmethod
    def open(cls, entry: ProductEntry, catalogue: Catalogue) -> RatingDossier:
        """Classify the product into its product set; a set the catalogue lacks raises ``RatingError`` (field product_set)."""
        product_set = int(entry.product["product_set"])
        sheet = catalogue.sheet(product_set)
        dossier = cls(entry.product_id)
        dossier.record(ev.DossierOpened(
            product_id=entry.product_id,
            product={k: entry.product[k] for k in ("name", "sector", "group", "product_set")},
            producer=dict(entry.producer),
            district_code=entry.district_code,
            commune_code=entry.commune_code,
            registration_id=entry.registration_id,
            cycle_year=entry.cycle_year,
            product_set=product_set,
            sheet_id=sheet.entry,
            sheet_version=sheet.version,
            sheet_provisional=sheet.provisional,
            regime=catalogue.regime,
            correlation_id=entry.correlation_id,
        ))
        return dossier

    def enter(self, registration_id: str, cycle_year: int) -> None:
        """Another registration of this product (a later cycle): re-entry; one already on the dossier is a no-op."""
        if registration_id in self.registrations:
            return
        self.record(ev.DossierReentered(registration_id, cycle_year))

    # ------------------------------------------------------------------------------ before a council

    def purpose_at(self, level: str) -> str:
        """Why this product may go before a council of ``level`` (first, re_entry, upgrade, re_rating), or NotAllowed."""
        if self.session_id is not None:
            raise NotAllowed(f"product {self.id!r} is already on the list of session {self.session_id}", field="product_ids")
        if self.under_review is not None and self.re_rating is None:
            raise NotAllowed(f"product {self.id!r} is under review after inspection {self.under_review['inspection_id']};"
                             " the province decides first", field="product_ids")
        if level == self.stage:
            if self.re_rating is not None:
                return "re_rating"
            return "re_entry" if any(o.level == level for o in self.outcomes) else "first"
        if level == "provincial" and self.holds is not None and self.stage is None:
            return "upgrade"
        waiting = f"awaits the {self.stage} council" if self.stage else "has no rating pending"
        raise NotAllowed(f"product {self.id!r} {waiting}; it cannot go before a {level} council", field="product_ids")

    def schedule(self, session_id: str, evaluation_id: str, level: str) -> str:
        purpose = self.purpose_at(level)
        self.record(ev.ExaminationScheduled(session_id, evaluation_id, level, purpose))
        return purpose

    def withdraw_from(self, session_id: str, reason: str) -> None:
        if self.session_id != session_id:
            raise NotAllowed(f"product {self.id!r} is not on the list of session {session_id}", field="product_id")
        self.record(ev.ExaminationWithdrawn(session_id, reason))

    # ------------------------------------------------------------------------------ council outcomes

    def record_district_result(self, row: dict[str, Any], session_id: str, cycle_year: int, levels: Levels) -> None:
        """Cấp huyện certifies nothing: ≥ 50 is forwarded to the province (proposed), the rest may re-enter later."""
        forwarded = Fraction(row["mean"]) >= levels.district_forwards_from
        reason = None if forwarded else (f"mean {row['average_score']} is under {levels.district_forwards_from}: "
                                         "not forwarded to the province; it may re-enter a later session")
        self._outcome(row, session_id, cycle_year, "district", "proposed" if forwarded else "not_recognized",
                      _capped(row["stars"], levels), reason=reason, stage="provincial" if forwarded else "district")

    def record_provincial_result(self, row: dict[str, Any], session_id: str, cycle_year: int, decision: dict[str, Any],
                                 certificate_number: str, levels: Levels, policy: RatingPolicy) -> bool:
        """The round's decision: 3★/4★ certificates, ≥ 90 proposed to the centre; True when a certificate was issued."""
        held, inspection = self.holds, self.re_rating
        outcome = province_outcome(_Finalised(row), levels, first_time=held is None, policy=policy)
        stars = outcome.certificate_stars
        issued = False
        if stars is not None and (held is None or stars >= held["stars"] or inspection is not None):
            certificate = self._certificate(stars, "provincial", row, cycle_year, decision, certificate_number, policy)
            lower = held is not None and stars < held["stars"]
            self._outcome(row, session_id, cycle_year, "provincial", "downgraded" if lower else "recognized", stars,
                          decision=decision, certificate=certificate, holds=certificate,
                          reason=_change(held, stars), stage="central" if outcome.propose_to_centre else None)
            issued = True
        elif not outcome.propose_to_centre:
            self._province_refusal(row, session_id, cycle_year, decision, levels)
        if outcome.propose_to_centre:
            self._outcome(row, session_id, cycle_year, "provincial", "proposed", _capped(row["stars"], levels),
                          decision=decision, certificate=self.holds, holds=self.holds, stage="central",
                          reason=f"mean {row['average_score']} ≥ {levels.centre_proposal_from}: proposed to the central "
                                 "council (tiềm năng 5 sao)")
        return issued

    def _province_refusal(self, row: dict[str, Any], session_id: str, cycle_year: int, decision: dict[str, Any],
                          levels: Levels) -> None:
        held, inspection = self.holds, self.re_rating
        scored = f"mean {row['average_score']} ({_capped(row['stars'], levels)}★ on the sheet)"
        if held is not None and inspection is not None:
            self._outcome(row, session_id, cycle_year, "provincial", "downgraded", _capped(row["stars"], levels),
                          decision=decision, certificate=held, holds=None, stage=None,
                          reason=f"re-rating after inspection: {scored}; certificate {held['number']} withdrawn")
        elif held is not None:
            self._outcome(row, session_id, cycle_year, "provincial", "not_recognized", held["stars"], decision=decision,
                          certificate=held, holds=held, stage=None,
                          reason=f"{scored}: not an upgrade; it keeps its {held['stars']}★ certificate {held['number']}")
        else:
            self._outcome(row, session_id, cycle_year, "provincial", "not_recognized", _capped(row["stars"], levels),
                          decision=decision, stage="provincial",
                          reason=f"{scored}: below 3★; it may be improved and examined in a later round")

    def record_central_result(self, row: dict[str, Any], session_id: str, cycle_year: int, decision: dict[str, Any],
                              certificate_number: str, policy: RatingPolicy) -> bool:
        """Only the centre issues 5★; a product it does not pass keeps the star it holds."""
        held = self.holds
        if row["stars"] == 5:
            certificate = self._certificate(5, "central", row, cycle_year, decision, certificate_number, policy)
            self._outcome(row, session_id, cycle_year, "central", "recognized", 5, decision=decision,
                          certificate=certificate, holds=certificate, reason=_change(held, 5), stage=None)
            return True
        keeps = f"it keeps its {held['stars']}★ certificate {held['number']}" if held else "it holds no certificate"
        self._outcome(row, session_id, cycle_year, "central", "not_recognized", held["stars"] if held else 0,
                      decision=decision, certificate=held, holds=held, stage=None,
                      reason=f"not passed by the central council (mean {row['average_score']}, {row['stars']}★ "
                             f"with its minimum criteria); {keeps}")
        return False

    # ------------------------------------------------------------------------------ after certification

    def expire(self, on: date) -> bool:
        """Report the held certificate expired when ``on`` is past its last valid day; idempotent."""
        held = self.holds
        if held is None or on <= date.fromisoformat(held["valid_until"]):
            return False
        self._after_certificate("expired", 0, on.year, certificate=held, stage=self.stage,
                                reason=f"certificate {held['number']} ({held['stars']}★) was valid until "
                                       f"{held['valid_until']}; expired from {on.isoformat()} unless rated again")
        return True

    def flag_under_review(self, inspection: dict[str, Any]) -> None:
        """InspectionFailed: the certificate is under review at once; the same inspection again changes nothing."""
        if inspection["inspection_id"] in self.inspections:
            return
        if self.holds is None:
            raise NotAllowed(f"product {self.id!r} holds no certificate; inspection {inspection['inspection_id']} "
                             "cannot put one under review", field="product_id")
        self.record(ev.CertificateUnderReview(inspection["inspection_id"], self.holds["number"],
                                              inspection["inspected_on"], inspection["severity"],
                                              inspection["recommended_action"], inspection["findings"]))

    def revoke(self, inspection_id: str, decision: dict[str, Any] | None, reason: str) -> None:
        """Thu hồi giấy chứng nhận by provincial decision: stars 0, logo rights end."""
        if decision is None:
            raise RatingError("a revocation needs the decision (number, date, issued_by)", field="decision")
        held = self._reviewed(inspection_id)
        self._after_certificate("revoked", 0, int(decision["date"][:4]), certificate=held, decision=decision,
                                inspection_id=inspection_id, stage=None, reason=reason)

    def order_re_rating(self, inspection_id: str, reason: str) -> None:
        self._reviewed(inspection_id)
        self.record(ev.ReRatingOrdered(inspection_id, reason))

    def close_with_warning(self, inspection_id: str, reason: str, on: date, decision: dict[str, Any] | None) -> None:
        held = self._reviewed(inspection_id)
        self._after_certificate("recognized", held["stars"], on.year, certificate=held, holds=held, decision=decision,
                                inspection_id=inspection_id, stage=self.stage, reason=f"warning: {reason}")

    def _reviewed(self, inspection_id: str) -> dict[str, Any]:
        if self.under_review is None or self.under_review["inspection_id"] != inspection_id:
            pending = self.under_review["inspection_id"] if self.under_review else "none"
            raise NotAllowed(f"product {self.id!r} is not under review for inspection {inspection_id!r} "
                             f"(pending: {pending})", field="inspection_id")
        if self.re_rating is not None:
            raise NotAllowed(f"re-rating was already ordered for inspection {inspection_id!r}; its result decides",
                             field="inspection_id")
        if self.holds is None:
            raise NotAllowed(f"product {self.id!r} no longer holds a certificate", field="inspection_id")
        return self.holds

    # ------------------------------------------------------------------------------ recording

    def _certificate(self, stars: int, level: str, row: dict[str, Any], cycle_year: int, decision: dict[str, Any],
                     number: str, policy: RatingPolicy) -> dict[str, Any]:
        issued = date.fromisoformat(decision["date"])
        return {"number": number, "stars": stars, "level": level, "valid_from": issued.isoformat(),
                "valid_until": valid_until(issued, policy.certificate_months, policy.month_end_rule).isoformat(),
                "evaluation_id": row["evaluation_id"], "average_score": row["average_score"], "cycle_year": cycle_year,
                "decision": decision}

    def _outcome(self, row: dict[str, Any], session_id: str, cycle_year: int, level: str, status: str, stars: int, *,
                 reason: str | None, stage: str | None, decision: dict[str, Any] | None = None,
                 certificate: dict[str, Any] | None = None, holds: dict[str, Any] | None = None) -> None:
        self.record(ev.RatingOutcomeRecorded(row["evaluation_id"], session_id, cycle_year, level, status, stars,
                                             row["average_score"], decision, certificate, holds, reason, self.re_rating,
                                             stage))

    def _after_certificate(self, status: str, stars: int, cycle_year: int, *, certificate: dict[str, Any],
                           reason: str, stage: str | None, holds: dict[str, Any] | None = None,
                           decision: dict[str, Any] | None = None, inspection_id: str | None = None) -> None:
        self.record(ev.RatingOutcomeRecorded(certificate["evaluation_id"], None, cycle_year, certificate["level"],
                                             status, stars, certificate["average_score"], decision, certificate, holds,
                                             reason, inspection_id, stage))

    @property
    def product_set(self) -> int:
        return self.facts["product_set"]

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ev.DossierOpened():
                self.facts = event.to_data()
                self.registrations = {event.registration_id: event.cycle_year}
                self.cycle_year = event.cycle_year
                self.status, self.stage = "awaiting_council", "district"
            case ev.DossierReentered(registration_id=registration_id, cycle_year=cycle_year):
                self.registrations[registration_id] = cycle_year
                self.stage = "district"
                self.cycle_year = max(self.cycle_year or cycle_year, cycle_year)
                self.status = "awaiting_council"
            case ev.ExaminationScheduled(session_id=session_id):
                self.session_id, self.status = session_id, "in_session"
            case ev.ExaminationWithdrawn():
                self.session_id, self.status = None, "withdrawn_from_session"
            case ev.RatingOutcomeRecorded():
                self._apply_outcome(event)
            case ev.CertificateUnderReview():
                self.under_review = event.to_data()
                self.inspections.add(event.inspection_id)
                self.status = "under_review"
            case ev.ReRatingOrdered(inspection_id=inspection_id):
                self.re_rating, self.stage, self.status = inspection_id, "provincial", "re_rating_ordered"

    def _apply_outcome(self, event: ev.RatingOutcomeRecorded) -> None:
        self.outcomes.append(event)
        self.holds, self.stage, self.status = event.holds, event.stage, event.status
        if event.session_id is not None:
            self.session_id = None
        if event.inspection_id is not None or event.holds is None:
            self.under_review, self.re_rating = None, None


@dataclass(frozen=True)
class _Finalised:
    """A stored result row seen as a finalised council result (what the level gates read)."""

    row: dict[str, Any]
    finalisable: bool = True
    blockers: tuple[str, ...] = ()

    @property
    def mean(self) -> Fraction:
        return Fraction(self.row["mean"])

    @property
    def stars(self) -> int:
        return self.row["stars"]


def _capped(stars: int, levels: Levels) -> int:
    """Below the centre no result shows more than the province can recognise (4★)."""
    return min(stars, max(levels.province_recognises))


def _change(held: dict[str, Any] | None, stars: int) -> str | None:
    if held is None:
        return None
    verb = "upgraded" if stars > held["stars"] else "confirmed" if stars == held["stars"] else "downgraded"
    return f"{verb} from {held['stars']}★; certificate {held['number']} is superseded"
