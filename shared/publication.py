"""Public events are derived from stored facts: the outbox is a cache of that derivation, never its source.

A service names its publishers: for one aggregate type, a function of one stored fact and the aggregate as of that
fact, giving the integration events the public hears of it. The unit of work runs it on every fact it commits, so the
outbox rows commit with their facts; after a broker lost its log, the relay runs it again over the whole store
(:func:`regenerate_outbox`), so outbox rows pruned long ago come back too.

Everything in a derived event comes from the stored fact — its id (a UUID5 of the fact's id and the event's place),
its time, correlation, causation, actor and trace — so an event derived again is the one first published, and
consumers recognise it as a repeat.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from shared.aggregate import Aggregate, DomainEvent
from shared.contracts import CONTRACTS, kafka_headers, new_envelope, serialize_event
from shared.contracts.envelope import VIETNAM_TZ
from shared.events import EventRegistry, Recorded
from shared.eventstore import EventStore

A = TypeVar("A", bound=Aggregate)

# Fixed for ever: changing it would give every public event a new id on its next derivation.
_NAMESPACE = uuid.UUID("6f1c8f0e-2a55-4c1e-9f57-0c0c0a0e0b01")


def derived_id(fact_id: uuid.UUID, place: int = 0) -> uuid.UUID:
    """The id of the ``place``-th public event derived from the stored fact ``fact_id``: the same on every derivation."""
    return uuid.uuid5(_NAMESPACE, f"{fact_id}/{place}")


def public_event(event_type: str, product_id: str, data: Any, fact: Recorded, *, place: int = 0,
                 correlation_id: uuid.UUID | None = None) -> Any:
    """A public event derived from ``fact``: id, time, correlation, causation and actor all from the stored fact.

    ``correlation_id`` overrides the fact's own, for a product's flow that began in another command.
    """
    meta = fact.metadata
    return new_envelope(
        event_type, product_id, data,
        event_id=derived_id(fact.event_id, place),
        occurred_at=fact.recorded_at.astimezone(VIETNAM_TZ),
        correlation_id=correlation_id or _uuid(meta.get("correlation_id")),
        causation_id=_uuid(meta.get("causation_id")),
        actor=meta.get("actor"),
    )


def _uuid(value: Any) -> uuid.UUID | None:
    return uuid.UUID(str(value)) if value else None


@dataclass(frozen=True)
class OutboxRow:
    """One integration event as the outbox keeps it, with the trace of the command that recorded its fact."""

    envelope: Any
    topic: str
    key: str
    payload: bytes
    headers: list[tuple[str, bytes]]

    @property
    def event_id(self) -> uuid.UUID:
        return self.envelope.event_id

    def headers_json(self) -> str:
        return json.dumps([[k, v.decode()] for k, v in self.headers])


Translate = Callable[[Recorded, A], Sequence[Any]]


@dataclass(frozen=True)
class Publisher(Generic[A]):
    """``translate(fact, aggregate as of the fact)`` → the public events (envelopes) of one stored fact.

    ``topic`` overrides the contract's topic of the event type (tests of the kernel publish to topics of their own).
    """

    aggregate: type[A]
    translate: Translate[A]
    topic: str | None = None


class Publications:
    """A service's publishers, by the stream type of their aggregate."""

    def __init__(self, publishers: Iterable[Publisher[Any]] = ()) -> None:
        self._by_stream = {p.aggregate.stream_type: p for p in publishers}

    @property
    def stream_types(self) -> list[str]:
        return list(self._by_stream)

    def publishes(self, stream_type: str) -> bool:
        return stream_type in self._by_stream

    def new_state(self, stream_type: str, stream_id: str) -> Aggregate:
        return self._by_stream[stream_type].aggregate(stream_id)

    def rows(self, fact: Recorded, state: Aggregate) -> list[OutboxRow]:
        """The outbox rows of ``fact``; ``state`` is its aggregate with the fact applied (and nothing later)."""
        publisher = self._by_stream.get(fact.stream_type)
        if publisher is None:
            return []
        traceparent = fact.metadata.get("traceparent")
        return [
            OutboxRow(envelope, publisher.topic or CONTRACTS[envelope.event_type].topic, envelope.product_id,
                      serialize_event(envelope), kafka_headers(envelope, traceparent))
            for envelope in publisher.translate(fact, state)
        ]

    def rows_of_unit(self, stream_type: str, stream_id: str, history: Sequence[DomainEvent],
                     appended: Sequence[Recorded]) -> list[OutboxRow]:
        """The rows of the facts one unit of work appended to a stream whose earlier events were ``history``.

        The aggregate is replayed beside the one the command changed, so each fact is translated with the state it
        left, as :func:`regenerate_outbox` will see it.
        """
        if not self.publishes(stream_type) or not appended:
            return []
        state = self.new_state(stream_type, stream_id)
        for event in history:
            state.replay(event)
        rows: list[OutboxRow] = []
        for fact in appended:
            state.replay(fact.event)
            rows.extend(self.rows(fact, state))
        return rows


_INSERT = """
INSERT INTO outbox (event_id, topic, message_key, payload, headers)
SELECT e, t, k, p, h::jsonb FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::text[]) AS u(e, t, k, p, h)
"""


async def insert_rows(conn: Any, rows: Sequence[OutboxRow]) -> None:
    if rows:
        await conn.execute(_INSERT, [r.event_id for r in rows], [r.topic for r in rows], [r.key for r in rows],
                           [r.payload for r in rows], [r.headers_json() for r in rows])


async def regenerate_outbox(conn: Any, registry: EventRegistry, publications: Publications, *,
                            page: int = 1000) -> int:
    """Replace the outbox by every public event derived again from the store, in store order; returns their number.

    Runs in the caller's transaction. The outbox is locked first, so a unit of work committing meanwhile either
    committed before (its facts are read here) or writes its rows after this transaction (its facts are not).
    """
    await conn.execute("LOCK TABLE outbox IN EXCLUSIVE MODE")
    await conn.execute("DELETE FROM outbox")
    store, states, after, count = EventStore(conn), {}, 0, 0
    while batch := await store.read_all(after, page):
        after = batch[-1].position
        rows: list[OutboxRow] = []
        for stored in batch:
            if not publications.publishes(stored.stream_type):
                continue
            fact = registry.recorded(stored)
            state = states.get(stored.stream_id)
            if state is None:
                state = states[stored.stream_id] = publications.new_state(stored.stream_type, stored.stream_id)
            state.replay(fact.event)
            rows.extend(publications.rows(fact, state))
        await insert_rows(conn, rows)
        count += len(rows)
    return count
