"""What a session's steps do to the dossiers on its list: the domain service between sessions and dossiers.

Each function is one domain operation over one session and the dossiers it examines; the handler loads them,
calls it, and commits everything in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from services.rating.domain.catalogue import Catalogue
from services.rating.domain.dossier import RatingDossier
from services.rating.domain.errors import NotAllowed
from services.rating.domain.policy import RatingPolicy
from services.rating.domain.session import CouncilSession


def examine(session: CouncilSession, dossiers: Mapping[str, RatingDossier]) -> list[str]:
    """Put products on the session's list; each must be awaiting this level (or, at the province, certified)."""
    evaluations = []
    for product_id, dossier in dossiers.items():
        purpose = dossier.purpose_at(session.level)
        evaluation_id = session.examine(product_id, product_set=dossier.product_set,
                                        product_name=dossier.facts["product"]["name"],
                                        district_code=dossier.facts["district_code"], purpose=purpose,
                                        held_stars=dossier.holds["stars"] if dossier.holds else 0)
        dossier.schedule(session.id, evaluation_id, session.level)
        evaluations.append(evaluation_id)
    return evaluations


def withdraw(session: CouncilSession, dossier: RatingDossier, reason: str) -> None:
    """Take a product off the list before finalisation; it awaits the same level again."""
    session.withdraw(dossier.id, reason)
    dossier.withdraw_from(session.id, reason)


def finalise(session: CouncilSession, dossiers: Mapping[str, RatingDossier], catalogue: Catalogue,
             policy: RatingPolicy, on: date) -> list[dict[str, Any]]:
    """Results for the whole list; at district level they take effect at once (forwarded or not)."""
    _all_present(session, dossiers)
    rows = session.finalise(catalogue, policy, on)
    if session.level == "district":
        for row in rows:
            dossiers[row["product_id"]].record_district_result(row, session.id, session.cycle_year, catalogue.levels)
    return rows


def decide(session: CouncilSession, dossiers: Mapping[str, RatingDossier], catalogue: Catalogue, policy: RatingPolicy,
           *, number: str, on: date, issued_by: str) -> int:
    """Record the decision approving the results; returns how many certificates it issued.

    Certificates are numbered within the decision ("<decision number>#<year>-001", …) in the order of the results;
    decision numbers restart each year, so the year keeps certificate numbers unique.
    """
    _all_present(session, dossiers)
    session.record_decision(number, on, issued_by)
    decision = {"number": number, "date": on.isoformat(), "issued_by": issued_by}
    issued = 0
    for row in session.results.values():
        dossier = dossiers[row["product_id"]]
        certificate_number = f"{number}#{on.year}-{issued + 1:03d}"
        if session.level == "provincial":
            issued += dossier.record_provincial_result(row, session.id, session.cycle_year, decision, certificate_number,
                                                       catalogue.levels, policy)
        else:
            issued += dossier.record_central_result(row, session.id, session.cycle_year, decision, certificate_number,
                                                    policy)
    return issued


def _all_present(session: CouncilSession, dossiers: Mapping[str, RatingDossier]) -> None:
    missing = sorted(set(session.products) - set(dossiers))
    if missing:
        raise NotAllowed(f"dossiers missing for {', '.join(missing)}", field="product_ids")
