"""The one step every rating command takes: load → authorise → decide → commit.

Every fact a dossier records that the public hears of becomes a ProductRated in the outbox of the same transaction:
the unit of work derives it through ``translators.PUBLISHER``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from services.rating.application.ports import RatingPorts
from services.rating.domain.dossier import RatingDossier
from services.rating.domain.scorecards import MemberScorecards
from shared.aggregate import Aggregate
from shared.ports import UnitOfWorkPort

A = TypeVar("A", bound=Aggregate)


@dataclass
class Step(Generic[A]):
    """One command's unit of work: the aggregate it acts on and the dossiers it touches."""

    uow: UnitOfWorkPort
    target: A
    _dossiers: dict[str, RatingDossier] = field(default_factory=dict)

    async def scorecards(self, session_id: str, member_ids: Iterable[str]) -> dict[str, MemberScorecards]:
        """Each member's scorecards in the session: their stream, or a new one (none submitted yet)."""
        repo, found = self.uow.repository(MemberScorecards), {}
        for member_id in member_ids:
            key = MemberScorecards.key(session_id, member_id)
            found[member_id] = await repo.find(key) or MemberScorecards(key)
            repo.add(found[member_id])
        return found

    async def dossiers(self, product_ids: Iterable[str]) -> dict[str, RatingDossier]:
        repo = self.uow.repository(RatingDossier)
        for product_id in product_ids:
            if product_id not in self._dossiers:
                self._dossiers[product_id] = await repo.get(product_id)
        return {product_id: self._dossiers[product_id] for product_id in product_ids}


@asynccontextmanager
async def step(ports: RatingPorts, kind: type[A], stream_id: str, authorise: Callable[[A], None]) -> AsyncIterator[Step[A]]:
    """Load ``stream_id`` → authorise the actor on it → (the block decides) → commit.

    A refusal raised in the block leaves the unit without committing, so nothing of the command is kept.
    """
    async with ports.uow() as uow:
        target = await uow.repository(kind).get(stream_id)
        authorise(target)
        current = Step(uow, target)
        yield current
        await uow.commit()
