"""What a session's steps do to the dossiers on its list: the domain service between sessions and dossiers.

Each function is one domain operation over one session and the dossiers it examines; the handler loads them,
calls it, and commits everything in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from services.rating.domain.catalogue import Catalogue
from services.rating.domain.decisions import DecisionRecord, issuing_body, entry_for
from services.rating.domain.dossier import RatingDossier
from services.rating.domain.errors import NotAllowed
from services.rating.domain.events import ScorecardSubmitted
from services.rating.domain.policy import DEFAULT_POLICY, RatingPolicy
from services.rating.domain.scorecards import MemberScorecards
from services.rating.domain.scoring import validate_scorecard
from services.rating.domain.session import CouncilSession
from services.rating.domain.values import Decision, ProductResult
from services.rating.domain.verdicts import Verdict


def examine(session: CouncilSession, dossiers: Mapping[str, RatingDossier], policy: RatingPolicy = DEFAULT_POLICY
            ) -> list[str]:
    """Put products on the session's list; each must be awaiting this level (or, at the province, certified)."""
    evaluations = []
    for product_id, dossier in dossiers.items():
        purpose = dossier.purpose_at(session.level, session.held_on, policy.renewal_window_days)
        opened = dossier.opened
        assert opened is not None
        evaluation_id = session.examine(product_id, product_set=opened.product_set, product_name=opened.product.name,
                                        district_code=opened.district_code, purpose=purpose,
                                        held_stars=dossier.holds.stars if dossier.holds else 0)
        dossier.schedule(session.id, evaluation_id, session.level, purpose)
        evaluations.append(evaluation_id)
    return evaluations


def withdraw(session: CouncilSession, dossier: RatingDossier, reason: str) -> None:
    """Take a product off the list before finalisation; it awaits the same level again."""
    session.withdraw(dossier.id, reason)
    dossier.withdraw_from(session.id, reason)


def score(session: CouncilSession, scorecards: MemberScorecards, member_id: str, catalogue: Catalogue, *,
          product_id: str, choices: Mapping[str, int | str], note: str | None) -> ScorecardSubmitted:
    """A member's card for a product on the session's list, checked against the product's sheet, on the member's own
    stream; a correction is the next version of the member's card for it."""
    examined = session.scorable(member_id, product_id)
    card = validate_scorecard(catalogue.sheet(examined.product_set), choices)
    previous = scorecards.latest.get(product_id) or session.scorecards.get((product_id, member_id))
    return scorecards.submit(session.id, member_id, product_id, session.listed[product_id], card, note,
                             previous.version if previous else 0)


def finalise(session: CouncilSession, dossiers: Mapping[str, RatingDossier], catalogue: Catalogue,
             policy: RatingPolicy, on: date, scorecards: Mapping[str, MemberScorecards]) -> list[ProductResult]:
    """Results of the products that are ready, from every member's cards; at district level they take effect at once
    (forwarded or not). Each member's stream records what was counted, so a card submitted meanwhile conflicts."""
    _all_present(session, dossiers)
    missing = sorted(set(session.members) - set(scorecards))
    if missing:
        raise NotAllowed(f"the scorecards of {', '.join(missing)} were not read", field="scorecards")
    results = session.finalise(catalogue, policy, on, session.cards(scorecards))
    for member_id, cards in scorecards.items():
        cards.count(session.id, member_id, [r.product_id for r in results], on)
    if session.level == "district":
        for result in results:
            dossiers[result.product_id].record_district_result(Verdict(result, session.sitting, catalogue.levels, policy))
    return results


def decide(session: CouncilSession, dossiers: Mapping[str, RatingDossier], catalogue: Catalogue, policy: RatingPolicy,
           *, decision: Decision, today: date) -> DecisionRecord:
    """Record the decision approving the results: the record of it, with what it did to each product.

    Certificates are numbered within the decision ("<decision number>#<year>-001", …) in the order of the results;
    decision numbers restart each year, so the year keeps certificate numbers unique.
    """
    _all_present(session, dossiers)
    session.record_decision(decision, today)
    issued, entries = 0, []
    for result in session.results.values():
        dossier, verdict = dossiers[result.product_id], Verdict(result, session.sitting, catalogue.levels, policy)
        certificate_number = f"{decision.number}#{decision.date.year}-{issued + 1:03d}"
        facts = dossier.record_decided_result(session.level, verdict, certificate_number)
        entry = entry_for(result.product_id, facts, dossier.holds)
        issued += entry.issued
        entries.append(entry)
    return DecisionRecord.issue("recognition", issuing_body(session.level), decision, session.id, entries)


def _all_present(session: CouncilSession, dossiers: Mapping[str, RatingDossier]) -> None:
    missing = sorted(set(session.products) - set(dossiers))
    if missing:
        raise NotAllowed(f"dossiers missing for {', '.join(missing)}", field="product_ids")
