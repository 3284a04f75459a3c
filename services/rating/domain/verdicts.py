"""What a council's finalised result records on the product's dossier, level by level (OCOP-RULES §6, §7, §8).

The level gates are ``levels``'; the certificate and its validity ``certificates``'. Here: which facts follow, given
the certificate the product holds and whether the province ordered it re-rated after an inspection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.rating.domain import outcomes as out
from services.rating.domain.certificates import issue_certificate
from services.rating.domain.decision_dates import ensure_not_before
from services.rating.domain.levels import Levels, centre_outcome, district_forwards, province_outcome, shown_below_centre
from services.rating.domain.policy import RatingPolicy
from services.rating.domain.values import Certificate, Decision, ProductResult, Sitting
from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class Verdict:
    """A council's result on one product at one sitting, with the regime's levels and the policy that judge it."""

    result: ProductResult
    sitting: Sitting
    levels: Levels
    policy: RatingPolicy

    @property
    def _shown(self) -> int:
        return shown_below_centre(self.result.stars, self.levels)

    def _attempt(self, stars: int | None = None) -> dict[str, Any]:
        """The fields every council outcome names; ``stars`` defaults to the star shown below the centre."""
        r, s = self.result, self.sitting
        return {"evaluation_id": r.evaluation_id, "session_id": s.session_id, "cycle_year": s.cycle_year,
                "stars": self._shown if stars is None else stars, "average_score": r.average_score}

    @property
    def _decision(self) -> Decision:
        assert self.sitting.decision is not None, "provincial and central outcomes follow a decision"
        return self.sitting.decision

    def district(self) -> DomainEvent:
        """Cấp huyện certifies nothing: ≥ 50 is forwarded to the province, the rest may re-enter a later session."""
        if district_forwards(self.result.exact_mean, self.levels):
            return out.ForwardedToProvince(**self._attempt())
        return out.NotRecognised(**self._attempt(), level="district", decision=None, keeps=None,
                                 may_reenter_at="district",
                                 reason=f"mean {self.result.average_score} is under {self.levels.district_forwards_from}:"
                                        " not forwarded to the province; it may re-enter a later session")

    def provincial(self, held: Certificate | None, re_rating: str | None, number: str) -> list[DomainEvent]:
        """The round's decision: 3★/4★ certificates, ≥ 90 proposed to the centre."""
        self._after(held)
        outcome = province_outcome(self.result.exact_mean, self.result.stars, self.levels, first_time=held is None,
                                   policy=self.policy)
        stars = outcome.certificate_stars
        certified = None if stars is None else self._certified(stars, "provincial", held, re_rating, number)
        facts: list[DomainEvent] = []
        if certified is not None:
            facts.append(certified)
        elif not outcome.propose_to_centre:
            facts.append(self._refused(held, re_rating))
        if outcome.propose_to_centre:
            facts.append(self._proposed(facts, held, re_rating))
        return facts

    def central(self, held: Certificate | None, re_rating: str | None, number: str) -> DomainEvent:
        """Only the centre issues 5★; a product it does not pass keeps the star it holds."""
        self._after(held)
        stars = centre_outcome(self.result.stars, self.levels)
        if stars is not None:
            certified = self._certified(stars, "central", held, re_rating, number)
            assert certified is not None, "the centre's star is never below the province's"
            return certified
        r = self.result
        keeps = f"it keeps its {held.stars}★ certificate {held.number}" if held else "it holds no certificate"
        return out.CentralNotPassed(**self._attempt(held.stars if held else 0), decision=self._decision, keeps=held,
                                    reason=f"not passed by the central council (mean {r.average_score}, {r.stars}★ with"
                                           f" its minimum criteria); {keeps}")

    def _certified(self, stars: int, level: str, held: Certificate | None, re_rating: str | None,
                   number: str) -> DomainEvent | None:
        """What a certified star does to a product, given the certificate it holds (OCOP-RULES §7, §8):

        none held, or a higher star: a certificate (a higher one supersedes the old: an upgrade); the same star: the
        certificate is confirmed and kept — unless the product came for renewal at the end of its validity, which
        renews it for a new period at the star it scored, lower too; a lower star after a re-rating ordered on
        inspection: a lower certificate; a lower star of a voluntary attempt: None (refused, the certificate kept).
        """
        renewal = self.result.purpose == "renewal"
        if held is None or stars > held.stars:
            return self._issued(stars, level, number, held, re_rating)
        if stars == held.stars and not renewal:
            return self._confirmed(level, held, re_rating)
        if renewal or re_rating is not None:
            return self._issued(stars, level, number, held, re_rating, renewal=renewal)
        return None

    def _after(self, held: Certificate | None) -> None:
        """The decision on a certified product decides on its certificate too: not dated before that was issued."""
        if held is not None:
            ensure_not_before(self._decision.date, f"the issue of certificate {held.number}", held.valid_from)

    def _issued(self, stars: int, level: str, number: str, held: Certificate | None, re_rating: str | None, *,
                renewal: bool = False) -> out.CertificateIssued:
        certificate = issue_certificate(number, stars, level=level, decision=self._decision, result=self.result,
                                        cycle_year=self.sitting.cycle_year, levels=self.levels, policy=self.policy)
        lower = held is not None and stars < held.stars
        fact = out.CertificateRenewed if renewal else out.CertificateIssued
        return fact(certificate, self.sitting.session_id, held.number if held else None, lower, re_rating,
                    _superseding(held, stars, renewal))

    def _confirmed(self, level: str, held: Certificate, re_rating: str | None) -> out.CertificateConfirmed:
        asked = "re-rating after inspection" if re_rating else "not an upgrade"
        return out.CertificateConfirmed(
            **self._attempt(held.stars), level=level, decision=self._decision, certificate=held,
            inspection_id=re_rating,
            reason=f"confirmed at {held.stars}★ (mean {self.result.average_score}, {asked}); certificate {held.number} "
                   f"is kept, valid until {held.valid_until}")

    def _refused(self, held: Certificate | None, re_rating: str | None) -> DomainEvent:
        scored = f"mean {self.result.average_score} ({self._shown}★ on the sheet)"
        if held is not None and re_rating is not None:
            return out.CertificateWithdrawn(**self._attempt(), decision=self._decision, certificate=held,
                                            inspection_id=re_rating,
                                            reason=f"re-rating after inspection: {scored}; certificate {held.number} "
                                                   "withdrawn")
        if held is not None:
            return out.NotRecognised(**self._attempt(held.stars), level="provincial", decision=self._decision,
                                     keeps=held, may_reenter_at=None,
                                     reason=f"{scored}: not an upgrade; it keeps its {held.stars}★ certificate "
                                            f"{held.number}")
        return out.NotRecognised(**self._attempt(), level="provincial", decision=self._decision, keeps=None,
                                 may_reenter_at="provincial",
                                 reason=f"{scored}: below {min(self.levels.province_recognises)}★; it may be improved"
                                        " and examined in a later round")

    def _proposed(self, facts: list[DomainEvent], held: Certificate | None,
                  re_rating: str | None) -> out.ProposedToCentre:
        """Proposed after what this decision did: a certificate issued now is the one held, and closed any review."""
        issued = next((f for f in facts if isinstance(f, out.CertificateIssued)), None)
        holds, inspection = (issued.certificate, None) if issued else (held, re_rating)
        return out.ProposedToCentre(**self._attempt(), decision=self._decision, holds=holds, inspection_id=inspection,
                                    reason=f"mean {self.result.average_score} ≥ {self.levels.centre_proposal_from}: "
                                           "proposed to the central council (tiềm năng 5 sao)")


def _superseding(held: Certificate | None, stars: int, renewal: bool = False) -> str | None:
    if held is None:
        return None
    if renewal:
        return (f"renewed at {stars}★ at the end of its validity; certificate {held.number} ({held.stars}★) is "
                "superseded")
    verb = "upgraded" if stars > held.stars else "downgraded"
    return f"{verb} from {held.stars}★; certificate {held.number} is superseded"
