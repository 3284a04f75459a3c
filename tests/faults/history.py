"""The history checker: after a scenario, prove from the stores and the topics that nothing acknowledged was lost.

It reads PostgreSQL directly (not through the proxy) and the topics with its own Kafka client (aiokafka, manual
assignment, no consumer group), never through the services. What it proves:

1. **Acknowledged commands are in the store.** Every command that got a 2xx has its stream in the service's store at
   (at least) the version the answer gave, and a stream holds at least as many events as it had first-time
   acknowledged commands. Every product on an acknowledged district list has its ProductRegistered in registration's
   outbox; every product of an acknowledged finalisation its ProductRated in rating's.
2. **Every public event is on its topic**: each outbox row is marked published and its ``event_id`` is on the
   topic at least once.
3. **Every public event reached every subscriber exactly once in effect.** The subscriber's inbox holds the event id
   for its consumer, and the subscriber's store holds exactly one effect of it (:data:`SUBSCRIBERS` says how to find
   it: rating's dossier event for the registration, registration's RatingRecorded naming the event): none means
   lost, two means it took effect twice. Rating has a dossier for every registered product, counting each
   ProductRegistered once. (``metadata.causation_id`` cannot serve: the consumer commits outside the message's
   context, so the events it stores carry no causation today.)
4. **No event was published twice, beyond what at-least-once allows.** The rule: each ``event_id`` is on its topic
   exactly once, except copies a relay sent again because it stopped (or lost its database session, or the broker's
   answer) between the broker's acknowledgement and marking the row: one batch (``relay_batch_size`` rows) per such
   fault, so each event at most one extra copy per fault. A scenario passes ``republish_faults``, the number of
   faults that could have interrupted a publishing relay (0 for bad records or a rebuild); a copy beyond either
   bound (two relays publishing side by side, the whole outbox republished again and again) is a duplicate. Copies
   are counted for the scenario's own events (outbox rows above the watermark taken when it began), or for every
   event when the scenario gave the broker a new log. Copies never matter to effects (3.), which must be exactly
   one in every case. Losses are counted over the whole outbox, every time.
5. **Versions only increase**: in each store every stream's versions run 1, 2, 3… in the order of their store
   positions, and on each topic the first copies of a product's events come in the order of their outbox rows.
6. **Projections equal a fresh rebuild** of every read-model table, from the store (``shared.rebuild.rebuild``).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from kafka.errors import KafkaError

from shared.contracts import PRODUCT_RATED_TOPIC, PRODUCT_REGISTERED_TOPIC
from shared.db import create_pool
from shared.kafka import broker_view_async
from shared.rebuild import rebuild
from shared.relay import lost_partitions
from tests.faults.load import History

# Who publishes what, and who hears it (the services this suite runs).
PUBLISHERS = {PRODUCT_REGISTERED_TOPIC: "registration", PRODUCT_RATED_TOPIC: "rating"}


@dataclass(frozen=True)
class Subscriber:
    """A consumer of a topic, and how to count the effects each event had in its store.

    ``effects`` is SQL over the publisher's outbox row ``o``: the number of events the subscriber stored for it.
    """

    service: str
    consumer: str
    effects: str


SUBSCRIBERS = {
    # A dossier opened, or re-entered, for the very registration the event carries.
    PRODUCT_REGISTERED_TOPIC: [Subscriber("rating", "rating.product-registered", """
        SELECT count(*) FROM rating.events e WHERE e.stream_id = o.message_key
           AND e.event_type IN ('DossierOpened', 'DossierReentered')
           AND strpos(e.data::text, convert_from(o.payload, 'UTF8')::jsonb #>> '{data,registration_id}') > 0""")],
    # The rating recorded on the product's file, naming the event it came from.
    PRODUCT_RATED_TOPIC: [Subscriber("registration", "registration.product-rated", """
        SELECT count(*) FROM registration.events e WHERE e.event_type = 'RatingRecorded'
           AND e.data->>'source_event_id' = o.event_id::text""")],
}


@dataclass
class Verdict:
    acknowledged: int = 0
    events: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    disordered: list[str] = field(default_factory=list)
    republished: int = 0  # copies within the at-least-once rule

    def assert_clean(self) -> None:
        problems = [*self.lost, *self.duplicated, *self.disordered]
        assert not problems, f"{len(problems)} violations:\n" + "\n".join(problems[:40])


async def topic_copies(bootstrap: str, topic: str, *, timeout: float = 30.0) -> list[ConsumerRecord]:
    """Every record the topic holds now: read past the end offsets taken first, until a fetch brings nothing.

    The end offsets alone are not enough: Tansu reports a partition's end as the last batch's *first* offset + 1,
    so the other records of a multi-record batch lie beyond it. Nothing is produced while the checker reads (the
    scenario is over and consistent), so an empty fetch after the end offsets is the end.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, request_timeout_ms=10_000,
                                fetch_max_wait_ms=300)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()  # a fresh client knows no topic until it asks
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        if not partitions:
            return []
        ends = await consumer.end_offsets(partitions)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        records: list[ConsumerRecord] = []
        deadline = time.monotonic() + timeout
        while True:
            if time.monotonic() > deadline:
                raise AssertionError(f"could not read {topic} to its end in {timeout} s")
            fetched = [r for batch in (await consumer.getmany(timeout_ms=300)).values() for r in batch]
            records += fetched
            if not fetched and not [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
                return records
    finally:
        await consumer.stop()


def event_id_of(record: ConsumerRecord) -> str | None:
    return next((v.decode() for k, v in record.headers or () if k == "event_id"), None)


class Checker:
    def __init__(self, database_url: str, bootstrap: str, *, relay_batch_size: int = 500) -> None:
        self.database_url = database_url
        self.bootstrap = bootstrap
        self.relay_batch_size = relay_batch_size
        self.in_flight = ""

    async def _connect(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.database_url, timeout=10)

    # ------------------------------------------------------------------ consistency (polled after each fault)

    async def _polled(self, probe: Callable[[asyncpg.Connection], Awaitable[bool]]) -> bool:
        """``probe`` on a connection of its own; a database (or broker) that does not answer is a False, said in
        :attr:`in_flight`."""
        try:
            conn = await self._connect()
        except (OSError, asyncpg.PostgresError) as exc:
            self.in_flight = f"the database does not answer: {exc!r}"
            return False
        try:
            return await probe(conn)
        except (OSError, asyncpg.PostgresError, KafkaError) as exc:
            self.in_flight = f"the database or the broker does not answer: {exc!r}"
            return False
        finally:
            await conn.close()

    async def consistent(self) -> bool:
        """Nothing left in flight: every outbox row published, and every published event in its subscribers' inboxes.

        What is still missing is kept in :attr:`in_flight`, for the message of a scenario that waited in vain.
        """
        return await self._polled(self._nothing_in_flight)

    async def _nothing_in_flight(self, conn: asyncpg.Connection) -> bool:
        missing: list[str] = []
        for topic, publisher in PUBLISHERS.items():
            if pending := await conn.fetchval(f"SELECT count(*) FROM {publisher}.outbox WHERE published_at IS NULL"):
                missing.append(f"{pending} rows of {publisher}'s outbox unpublished")
            for subscriber in SUBSCRIBERS[topic]:
                if absent := await conn.fetchval(
                    f"SELECT count(*) FROM {publisher}.outbox o WHERE o.topic = $1 AND NOT EXISTS"
                    f" (SELECT 1 FROM {subscriber.service}.inbox i WHERE i.consumer = $2 AND i.event_id = o.event_id)",
                    topic, subscriber.consumer):
                    missing.append(f"{absent} {topic} events not in {subscriber.consumer}'s inbox")
        self.in_flight = "; ".join(missing)
        return not missing

    async def relays_saw_the_broker(self) -> bool:
        """Each publisher's relay knows the broker as it is now: the cluster id it remembers is the broker's, and every
        partition it had a batch acknowledged on still holds it (``shared.relay.lost_partitions``).

        After a replacement the outbox looks drained and the inboxes complete until a relay notices (its next broker
        check, up to ``relay_broker_check_seconds`` later) and makes everything pending again: consistency is judged
        only once both relays have.
        """
        return await self._polled(self._relays_know_the_broker)

    async def _relays_know_the_broker(self, conn: asyncpg.Connection) -> bool:
        for publisher in PUBLISHERS.values():
            known = await conn.fetchval(f"SELECT cluster_id FROM {publisher}.relay_state")
            rows = await conn.fetch(f"SELECT topic, kafka_partition, acked_offset FROM {publisher}.relay_offsets")
            acked = {(r["topic"], r["kafka_partition"]): r["acked_offset"] for r in rows}
            view = await broker_view_async(self.bootstrap, {topic for topic, _ in acked})
            lost = lost_partitions(acked, view.end_offsets)
            if known != view.cluster_id or lost:
                self.in_flight = (f"{publisher}'s relay has not noticed the new broker yet (it remembers cluster"
                                  f" {known}, the broker is {view.cluster_id}; lost partitions: {lost or 'none'})")
                return False
        return True

    # ------------------------------------------------------------------ the whole proof

    async def watermark(self) -> dict[str, int]:
        """The highest outbox id of each publisher now: rows above it are a scenario's own."""
        conn = await self._connect()
        try:
            return {p: await conn.fetchval(f"SELECT coalesce(max(id), 0) FROM {p}.outbox") for p in PUBLISHERS.values()}
        finally:
            await conn.close()

    async def check(self, history: History, *, republish_faults: int = 0, since: dict[str, int] | None = None,
                    rebuild_projections: bool = True) -> Verdict:
        """The whole proof; ``since`` (a :meth:`watermark`) scopes the count of copies, None counts them all."""
        verdict = Verdict(acknowledged=len(history.acks))
        conn = await self._connect()
        try:
            await self._acknowledged_in_store(conn, history, verdict)
            for topic, publisher in PUBLISHERS.items():
                outbox = await conn.fetch(f"SELECT id, event_id, message_key, published_at FROM {publisher}.outbox"
                                          " WHERE topic = $1 ORDER BY id", topic)
                verdict.events += len(outbox)
                records = await topic_copies(self.bootstrap, topic)
                own = {str(r["event_id"]) for r in outbox if r["id"] > (since or {}).get(publisher, 0)}
                self._on_the_topic(topic, outbox, records, verdict, republish_faults, own)
                for subscriber in SUBSCRIBERS[topic]:
                    await self._once_in_effect(conn, topic, publisher, subscriber, verdict)
            await self._dossiers(conn, verdict)
            await self._versions_increase(conn, verdict)
        finally:
            await conn.close()
        if rebuild_projections:
            for service in PUBLISHERS.values():
                await self._projections_equal_rebuild(service, verdict)
        return verdict

    async def _acknowledged_in_store(self, conn: asyncpg.Connection, history: History, verdict: Verdict) -> None:
        first_time: Counter[tuple[str, str]] = Counter()
        for ack in history.acks:
            top = await conn.fetchval(f"SELECT max(version) FROM {ack.service}.events WHERE stream_id = $1", ack.stream_id)
            if top is None or (ack.version is not None and top < ack.version):
                verdict.lost.append(f"acknowledged {ack.command} of {ack.stream_id} (version {ack.version}) is not in"
                                    f" {ack.service}'s store (its top version: {top})")
            if not ack.retried:
                first_time[ack.service, ack.stream_id] += 1
        for (service, stream), count in first_time.items():
            stored = await conn.fetchval(f"SELECT count(*) FROM {service}.events WHERE stream_id = $1", stream)
            if stored < count:
                verdict.lost.append(f"{service} stream {stream}: {count} acknowledged commands, {stored} events")
        for products, topic, publisher, what in ((set(history.sent), PRODUCT_REGISTERED_TOPIC, "registration", "list"),
                                                 (history.rated, PRODUCT_RATED_TOPIC, "rating", "finalisation")):
            found = {r["message_key"] for r in await conn.fetch(
                f"SELECT DISTINCT message_key FROM {publisher}.outbox WHERE topic = $1 AND message_key = ANY($2)",
                topic, list(products))}
            verdict.lost += [f"{p}: acknowledged {what}, but no event for {topic} in {publisher}'s outbox"
                             for p in sorted(products - found)]

    def _on_the_topic(self, topic: str, outbox: list[asyncpg.Record], records: list[ConsumerRecord], verdict: Verdict,
                      republish_faults: int, own: set[str]) -> None:
        copies = Counter(event_id_of(r) for r in records)
        for row in outbox:
            event_id = str(row["event_id"])
            if row["published_at"] is None:
                verdict.lost.append(f"{topic} {event_id} of {row['message_key']} still unpublished in the outbox")
            elif copies[event_id] == 0:
                verdict.lost.append(f"{topic} {event_id} of {row['message_key']} marked published, not on the topic")
        extras = {event_id: n - 1 for event_id, n in copies.items() if event_id in own and n > 1}
        allowed = republish_faults * self.relay_batch_size
        beyond = {e: n for e, n in extras.items() if n > republish_faults}
        if beyond or sum(extras.values()) > allowed:
            verdict.duplicated.append(
                f"{topic}: {sum(extras.values())} extra copies of {len(extras)} events ({republish_faults} relay faults"
                f" allow one copy each, {allowed} in all); e.g. {sorted(beyond.items() or extras.items())[:5]}")
        else:
            verdict.republished += sum(extras.values())
        # Each product's events, first copies, in the order of their outbox rows.
        order = {str(r["event_id"]): r["id"] for r in outbox}
        seen: set[str] = set()
        last: dict[tuple[int, bytes], int] = {}
        for record in sorted(records, key=lambda r: (r.partition, r.offset)):
            event_id = event_id_of(record)
            if event_id is None or event_id in seen or event_id not in order:
                continue
            seen.add(event_id)
            key = (record.partition, record.key or b"")
            if order[event_id] < last.get(key, 0):
                verdict.disordered.append(f"{topic} {record.key!r}: {event_id} after a later outbox row")
            last[key] = max(last.get(key, 0), order[event_id])

    async def _once_in_effect(self, conn: asyncpg.Connection, topic: str, publisher: str, subscriber: Subscriber,
                              verdict: Verdict) -> None:
        rows = await conn.fetch(
            f"SELECT o.event_id, o.message_key, ({subscriber.effects}) AS effects,"
            f" (SELECT count(*) FROM {subscriber.service}.inbox i WHERE i.consumer = $2 AND i.event_id = o.event_id)"
            f" AS inbox FROM {publisher}.outbox o WHERE o.topic = $1", topic, subscriber.consumer)
        for row in rows:
            what = f"{subscriber.consumer}: {topic} {row['event_id']} of {row['message_key']}"
            if row["inbox"] == 0 or row["effects"] == 0:
                verdict.lost.append(f"{what} never took effect (inbox {row['inbox']}, effects {row['effects']})")
            elif row["effects"] > 1:
                verdict.duplicated.append(f"{what} took effect {row['effects']} times")

    async def _dossiers(self, conn: asyncpg.Connection, verdict: Verdict) -> None:
        """Rating's read model: one dossier per registered product, counting each ProductRegistered once."""
        rows = await conn.fetch(
            "SELECT o.message_key AS product_id, count(DISTINCT o.event_id) AS registered, d.registrations"
            " FROM registration.outbox o LEFT JOIN rating.dossiers d ON d.product_id = o.message_key"
            " WHERE o.topic = $1 GROUP BY o.message_key, d.registrations", PRODUCT_REGISTERED_TOPIC)
        for row in rows:
            if row["registrations"] is None:
                verdict.lost.append(f"no rating dossier for registered product {row['product_id']}")
            elif row["registrations"] != row["registered"]:
                verdict.duplicated.append(f"dossier {row['product_id']} counts {row['registrations']} registrations"
                                          f" for {row['registered']} events")

    async def _versions_increase(self, conn: asyncpg.Connection, verdict: Verdict) -> None:
        for service in PUBLISHERS.values():
            broken = await conn.fetch(
                f"SELECT stream_id, version, n FROM (SELECT stream_id, version,"
                f" row_number() OVER (PARTITION BY stream_id ORDER BY position) AS n FROM {service}.events) s"
                " WHERE version <> n LIMIT 10")
            verdict.disordered += [f"{service} stream {r['stream_id']}: version {r['version']} at place {r['n']}"
                                   for r in broken]

    async def _projections_equal_rebuild(self, service: str, verdict: Verdict) -> None:
        from importlib import import_module

        definition = import_module(f"services.{service}.service").definition
        projections = list(definition.projections())
        pool = await create_pool(self.database_url, service, min_size=1, max_size=2, name=f"faults-{service}-check")
        try:
            live = await _tables(pool, projections)
            await rebuild(pool, projections, definition.events, restart=True)  # a fresh one, never a resumed build
            rebuilt = await _tables(pool, projections)
        finally:
            await pool.close()
        for table, rows in live.items():
            if rows != rebuilt[table]:
                only_live = [r for r in rows if r not in rebuilt[table]][:3]
                only_rebuilt = [r for r in rebuilt[table] if r not in rows][:3]
                verdict.disordered.append(f"{service}.{table} differs from a fresh rebuild: live only {only_live},"
                                          f" rebuilt only {only_rebuilt}")


async def _tables(pool: asyncpg.Pool, projections: list[Any]) -> dict[str, list[tuple[Any, ...]]]:
    async with pool.acquire() as conn:
        return {table: sorted((tuple(r) for r in await conn.fetch(f"SELECT * FROM {table}")), key=repr)
                for p in projections for table in p.tables}
