"""One handler per command or inbound event: load, authorise, call one domain operation, commit (``step``).

Every outcome a dossier records becomes a ProductRated in the outbox of the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from services.rating.application import translators
from services.rating.application.access import may_form, may_run, may_score
from services.rating.application.step import step as _step
from services.rating.application.ports import RatingPorts
from services.rating.domain import events as ev
from services.rating.domain import rounds
from services.rating.domain.certificates import ensure_reportable
from services.rating.domain.council import Council
from services.rating.domain.dossier import RatingDossier
from services.rating.domain.errors import AlreadyExists
from services.rating.domain.session import CouncilSession
from services.rating.domain.values import Member
from shared.auth import Actor
from shared.ports import UnitOfWorkPort
from shared.uow import retry_on_conflict


def _runs(actor: Actor) -> Callable[[Council | CouncilSession], None]:
    return lambda c: may_run(actor, c.level, c.district_code)


def _forms(actor: Actor) -> Callable[[Council], None]:
    return lambda c: may_form(actor, c.level, c.district_code)


# ----------------------------------------------------------------------------------------- inbound events


async def open_dossier(envelope: Any, uow: UnitOfWorkPort, ports: RatingPorts) -> None:
    """ProductRegistered (the consumer's unit of work is open and commits with the inbox row).

    The product's first registration opens its dossier; a later one re-enters it. A product set the
    catalogue lacks raises ``RatingError``, so the event goes to the dead-letter topic.
    """
    entry = translators.product_entry(envelope)
    repo = uow.repository(RatingDossier)
    dossier = await repo.find(entry.product_id)
    if dossier is None:
        repo.add(RatingDossier.open(entry, ports.catalogue))
    else:
        dossier.enter(entry.registration_id, entry.cycle_year)


async def put_under_review(envelope: Any, uow: UnitOfWorkPort, ports: RatingPorts) -> None:
    """InspectionFailed: the product's certificate is under review at once (a product rating never met → DLQ)."""
    dossier = await uow.repository(RatingDossier).get(envelope.product_id)
    dossier.flag_under_review(translators.inspection(envelope))


# ----------------------------------------------------------------------------------------- councils


async def form_council(ports: RatingPorts, actor: Actor, *, level: str, district_code: str | None, name: str,
                       members: list[Member]) -> Council:
    may_form(actor, level, district_code)
    async with ports.uow() as uow:
        council = Council.form(level, district_code, name, members)
        if await uow.events.stream_version(council.id):
            raise AlreadyExists(f"council {council.id!r} already exists: one per level and district", field="level")
        uow.repository(Council).add(council)
        await uow.commit()
    return council


async def appoint_member(ports: RatingPorts, actor: Actor, council_id: str, member: Member) -> Council:
    async with _step(ports, Council, council_id, _forms(actor)) as step:
        step.target.appoint(member)
    return step.target


async def withdraw_member(ports: RatingPorts, actor: Actor, council_id: str, member_id: str, reason: str) -> Council:
    async with _step(ports, Council, council_id, _forms(actor)) as step:
        step.target.withdraw(member_id, reason)
    return step.target


# ----------------------------------------------------------------------------------------- sessions


async def open_session(ports: RatingPorts, actor: Actor, *, session_id: str, council_id: str, cycle_year: int,
                       round_: int, title: str, held_on: date, product_ids: list[str]) -> CouncilSession:
    async with _step(ports, Council, council_id, _runs(actor)) as step:
        if await step.uow.events.stream_version(session_id):
            raise AlreadyExists(f"session id {session_id!r} is already taken", field="session_id")
        session = CouncilSession.open(session_id, step.target, cycle_year=cycle_year, round_=round_, title=title,
                                      held_on=held_on)
        step.uow.repository(CouncilSession).add(session)
        rounds.examine(session, await step.dossiers(product_ids), ports.policy)
    return session


async def examine(ports: RatingPorts, actor: Actor, session_id: str, product_ids: list[str]) -> CouncilSession:
    async with _step(ports, CouncilSession, session_id, _runs(actor)) as step:
        rounds.examine(step.target, await step.dossiers(product_ids), ports.policy)
    return step.target


async def withdraw(ports: RatingPorts, actor: Actor, session_id: str, product_id: str, reason: str) -> CouncilSession:
    async with _step(ports, CouncilSession, session_id, _runs(actor)) as step:
        rounds.withdraw(step.target, (await step.dossiers([product_id]))[product_id], reason)
    return step.target


async def submit_scorecard(ports: RatingPorts, actor: Actor, *, session_id: str, product_id: str, member_id: str,
                           choices: dict[str, int | str], note: str | None) -> ev.ScorecardSubmitted:
    """A member's card goes to the member's own stream: members scoring at once never meet there. A member racing
    themselves, or a finalisation counting the cards meanwhile, is retried (the card does not depend on what it saw)."""
    def authorise(session: CouncilSession) -> None:
        may_score(actor, session.level, session.district_code, member_id)

    async def attempt() -> ev.ScorecardSubmitted:
        async with _step(ports, CouncilSession, session_id, authorise) as step:
            [cards] = (await step.scorecards(session_id, [member_id])).values()
            card = rounds.score(step.target, cards, member_id, ports.catalogue, product_id=product_id, choices=choices,
                                note=note)
        return card

    return await retry_on_conflict(attempt)


async def finalise_session(ports: RatingPorts, actor: Actor, session_id: str, on: date) -> CouncilSession:
    async with _step(ports, CouncilSession, session_id, _runs(actor)) as step:
        session = step.target
        rounds.finalise(session, await step.dossiers(session.products), ports.catalogue, ports.policy, on,
                        await step.scorecards(session_id, session.members))
    return session


# ----------------------------------------------------------------------------------------- certificates


async def expire_certificate(ports: RatingPorts, product_id: str, as_of: date) -> bool:
    """One product's certificate, if past its last valid day as of ``as_of``; a second run changes nothing."""
    async def attempt() -> bool:
        async with _step(ports, RatingDossier, product_id, lambda _: None) as step:
            expired = step.target.expire(as_of)
        return expired

    return await retry_on_conflict(attempt)


async def expire_due(ports: RatingPorts, as_of: date) -> list[str]:
    """The expiry check: every certificate past its last valid day as of ``as_of`` is reported expired, once."""
    ensure_reportable(as_of, ports.today())
    async with ports.uow() as uow:
        candidates = await ports.certificates_past_validity(uow, as_of)
    return [product_id for product_id in candidates if await expire_certificate(ports, product_id, as_of)]
