"""One handler per command or inbound event: load, call one domain operation, commit.

Every RatingOutcomeRecorded a dossier records becomes a ProductRated in the outbox of the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from services.rating import config
from services.rating.adapters import queries
from services.rating.application import translators
from services.rating.application.access import may_decide, may_decide_inspection, may_form, may_run, may_score
from services.rating.domain import events as ev
from services.rating.domain import rounds
from services.rating.domain.catalogue import Catalogue
from services.rating.domain.certificates import ensure_reportable
from services.rating.domain.council import Council, Member
from services.rating.domain.dossier import RatingDossier
from services.rating.domain.errors import AlreadyExists
from services.rating.domain.session import CouncilSession, DecisionNumber
from shared.auth import Actor
from shared.uow import UnitOfWork, retry_on_conflict

# ----------------------------------------------------------------------------------------- inbound events


async def open_dossier(envelope: Any, uow: UnitOfWork, catalogue: Catalogue | None = None) -> None:
    """ProductRegistered (the consumer's unit of work is open and commits with the inbox row).

    The product's first registration opens its dossier; a later one re-enters it. A product set the
    catalogue lacks raises ``RatingError``, so the event goes to the dead-letter topic.
    """
    entry = translators.product_entry(envelope)
    repo = uow.repository(RatingDossier)
    dossier = await repo.find(entry.product_id)
    if dossier is None:
        repo.add(RatingDossier.open(entry, catalogue or config.catalogue()))
    else:
        dossier.enter(entry.registration_id, entry.cycle_year)


async def put_under_review(envelope: Any, uow: UnitOfWork) -> None:
    """InspectionFailed: the product's certificate is under review at once (a product rating never met → DLQ)."""
    dossier = await uow.repository(RatingDossier).get(envelope.product_id)
    dossier.flag_under_review(translators.inspection(envelope))


# ----------------------------------------------------------------------------------------- councils


async def form_council(uow: UnitOfWork, actor: Actor, *, level: str, district_code: str | None, name: str,
                       members: list[Member]) -> Council:
    may_form(actor, level, district_code)
    async with uow:
        council = Council.form(level, district_code, name, members)
        if await uow.events.stream_version(council.id):
            raise AlreadyExists(f"council {council.id!r} already exists: one per level and district", field="level")
        uow.repository(Council).add(council)
        await uow.commit()
    return council


async def appoint_member(uow: UnitOfWork, actor: Actor, council_id: str, member: Member) -> Council:
    async with uow:
        council = await uow.repository(Council).get(council_id)
        may_form(actor, council.level, council.district_code)
        council.appoint(member)
        await uow.commit()
    return council


async def withdraw_member(uow: UnitOfWork, actor: Actor, council_id: str, member_id: str, reason: str) -> Council:
    async with uow:
        council = await uow.repository(Council).get(council_id)
        may_form(actor, council.level, council.district_code)
        council.withdraw(member_id, reason)
        await uow.commit()
    return council


# ----------------------------------------------------------------------------------------- sessions


async def open_session(uow: UnitOfWork, actor: Actor, *, session_id: str, council_id: str, cycle_year: int,
                       round_: int, title: str, held_on: date, product_ids: list[str]) -> CouncilSession:
    async with uow:
        council = await uow.repository(Council).get(council_id)
        may_run(actor, council.level, council.district_code)
        if await uow.events.stream_version(session_id):
            raise AlreadyExists(f"session id {session_id!r} is already taken", field="session_id")
        session = CouncilSession.open(session_id, council, cycle_year=cycle_year, round_=round_, title=title,
                                      held_on=held_on)
        uow.repository(CouncilSession).add(session)
        rounds.examine(session, await _dossiers(uow, product_ids))
        await uow.commit()
    return session


async def examine(uow: UnitOfWork, actor: Actor, session_id: str, product_ids: list[str]) -> CouncilSession:
    async with uow:
        session = await uow.repository(CouncilSession).get(session_id)
        may_run(actor, session.level, session.district_code)
        rounds.examine(session, await _dossiers(uow, product_ids))
        await uow.commit()
    return session


async def withdraw(uow: UnitOfWork, actor: Actor, session_id: str, product_id: str, reason: str) -> CouncilSession:
    async with uow:
        session = await uow.repository(CouncilSession).get(session_id)
        may_run(actor, session.level, session.district_code)
        rounds.withdraw(session, await uow.repository(RatingDossier).get(product_id), reason)
        await uow.commit()
    return session


async def submit_scorecard(uow: UnitOfWork, actor: Actor, *, session_id: str, product_id: str, member_id: str,
                           choices: dict[str, int | str], note: str | None) -> ev.ScorecardSubmitted:
    async def attempt() -> ev.ScorecardSubmitted:
        async with uow:
            session = await uow.repository(CouncilSession).get(session_id)
            may_score(actor, session.level, session.district_code, member_id)
            card = session.submit_scorecard(config.catalogue(), member_id=member_id, product_id=product_id,
                                            choices=choices, note=note)
            await uow.commit()
        return card

    return await retry_on_conflict(attempt)


async def finalise_session(uow: UnitOfWork, actor: Actor, session_id: str, on: date) -> CouncilSession:
    async with uow:
        session = await uow.repository(CouncilSession).get(session_id)
        may_run(actor, session.level, session.district_code)
        dossiers = await _dossiers(uow, session.products)
        rounds.finalise(session, dossiers, config.catalogue(), config.policy(), on)
        _publish(uow, dossiers.values())
        await uow.commit()
    return session


async def record_decision(uow: UnitOfWork, actor: Actor, session_id: str, *, number: str, on: date,
                          issued_by: str) -> tuple[CouncilSession, int]:
    async with uow:
        session = await uow.repository(CouncilSession).get(session_id)
        may_decide(actor, session.level, session.district_code)
        taken = await uow.repository(DecisionNumber).find(DecisionNumber.key(number, on))
        if taken is not None:
            raise AlreadyExists(f"decision {number} of {on.year} is already recorded for session {taken.session_id}",
                                field="number")
        dossiers = await _dossiers(uow, session.products)
        issued = rounds.decide(session, dossiers, config.catalogue(), config.policy(), number=number, on=on,
                               issued_by=issued_by)
        uow.repository(DecisionNumber).add(DecisionNumber.take(number, on, session.id))
        _publish(uow, dossiers.values())
        await uow.commit()
    return session, issued


# ----------------------------------------------------------------------------------------- certificates


async def decide_inspection(uow: UnitOfWork, actor: Actor, product_id: str, *, inspection_id: str, action: str,
                            reason: str, on: date, decision: dict[str, Any] | None) -> RatingDossier:
    """The provincial officer's decision on a certificate under review: revoke, re_rate or warning."""
    may_decide_inspection(actor)
    async with uow:
        dossier = await uow.repository(RatingDossier).get(product_id)
        if action == "revoke":
            dossier.revoke(inspection_id, decision, reason)
        elif action == "re_rate":
            dossier.order_re_rating(inspection_id, reason)
        else:
            dossier.close_with_warning(inspection_id, reason, on, decision)
        _publish(uow, (dossier,))
        await uow.commit()
    return dossier


async def expire_certificate(uow: UnitOfWork, product_id: str, as_of: date) -> bool:
    """One product's certificate, if past its last valid day as of ``as_of``; a second run changes nothing."""
    async def attempt() -> bool:
        async with uow:
            dossier = await uow.repository(RatingDossier).get(product_id)
            expired = dossier.expire(as_of)
            _publish(uow, (dossier,))
            await uow.commit()
        return expired

    return await retry_on_conflict(attempt)


async def expire_due(pool: Any, new_uow: Callable[[], UnitOfWork], as_of: date, today: date) -> list[str]:
    """The expiry check: every certificate past its last valid day as of ``as_of`` is reported expired, once."""
    ensure_reportable(as_of, today)
    async with pool.acquire() as conn:
        candidates = await queries.past_validity(conn, as_of)
    return [product_id for product_id in candidates if await expire_certificate(new_uow(), product_id, as_of)]


# ----------------------------------------------------------------------------------------- helpers


async def _dossiers(uow: UnitOfWork, product_ids: Iterable[str]) -> dict[str, RatingDossier]:
    repo = uow.repository(RatingDossier)
    return {product_id: await repo.get(product_id) for product_id in product_ids}


def _publish(uow: UnitOfWork, dossiers: Iterable[RatingDossier]) -> None:
    for dossier in dossiers:
        for event in dossier.pending:
            if isinstance(event, ev.RatingOutcomeRecorded):
                uow.publish(translators.product_rated(dossier.id, event, dossier.facts.get("correlation_id")))
