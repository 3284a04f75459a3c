"""``ocop subscribe --kafka``: the table from the four public topics, read with a plain client at the subscriber's own
offsets; killed with kill -9 mid-stream and restarted, it applies every event once, in each partition's order."""

from __future__ import annotations

import random
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from ocop.subscribe.kafka import TOPICS
from shared.contracts import CONTRACTS, ContractError, kafka_headers, parse_event, serialize_event
from tests.kernel.support import produce
from tests.subscribe.support import (
    applied_count,
    kill_once_it_applied_some,
    last_json,
    read_state,
    season,
    start,
    subscribe,
)


async def publish(bootstrap: str, events: list[Any]) -> None:
    """As the services' relays publish: each event on its contract's topic, keyed by its product."""
    by_topic: dict[str, list[tuple[bytes, bytes, list[tuple[str, bytes]]]]] = defaultdict(list)
    for event in events:
        by_topic[CONTRACTS[event.event_type].topic].append(
            (event.product_id.encode(), serialize_event(event), kafka_headers(event)))
    for topic, messages in by_topic.items():
        await produce(bootstrap, topic, messages)


async def topic_contents(bootstrap: str, until: dict[tuple[str, int], int] | None = None
                         ) -> dict[tuple[str, int], list[tuple[int, str | None]]]:
    """Every record of the public topics, to their current ends (or to the offsets ``until`` names): partition →
    [(offset, event id or None)]."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer.topics()
        partitions = [TopicPartition(t, p) for t in TOPICS for p in consumer.partitions_for_topic(t) or ()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        if until is not None:
            ends = {tp: min(end, until.get((tp.topic, tp.partition), 0)) for tp, end in ends.items()}
        found: dict[tuple[str, int], list[tuple[int, str | None]]] = {(tp.topic, tp.partition): [] for tp in partitions}
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                found[(tp.topic, tp.partition)] += [(r.offset, _event_id(tp.topic, r.value)) for r in records
                                                    if r.offset < ends[tp]]
        return found
    finally:
        await consumer.stop()


def _event_id(topic: str, value: bytes | None) -> str | None:
    """The event id of a public event of ``topic`` as the contract reads it; None for anything else (poison other
    tests put on the shared topics)."""
    try:
        envelope = parse_event(value or b"")
    except ContractError:
        return None
    return str(envelope.event_id) if CONTRACTS[envelope.event_type].topic == topic else None


async def test_the_table_from_the_topics_counts_each_product_in_its_current_star(launcher: Any,
                                                                                  tmp_path: Path) -> None:
    district = random.choice(["384", "385", "386", "387", "388"])
    played = season(district)
    await publish(launcher.bootstrap_servers, played.events)
    state = tmp_path / "kafka.sqlite"

    done = subscribe("--kafka", launcher.bootstrap_servers, "--state", str(state), "--until-idle", "--json")

    assert done.returncode == 0, done.stderr
    _, products = read_state(state)
    assert {p: products[p] for p in played.expected} == {p: (district, s) for p, s in played.expected.items()}
    line = last_json(done.stdout)
    row = next(r for r in line["districts"] if r["district_code"] == district)
    assert row["district"].startswith(("Huyện", "Thị xã", "Thành phố"))
    mine = Counter(s for p, (d, s) in products.items() if d == district and s)
    assert {int(k): v for k, v in row["stars"].items() if v} == dict(mine)
    assert Counter(played.counts()) <= mine
    shown = subscribe("--kafka", launcher.bootstrap_servers, "--state", str(state), "--until-idle")
    assert shown.returncode == 0 and row["district"] in shown.stdout and "Toàn tỉnh" in shown.stdout


async def test_killed_mid_stream_it_resumes_from_its_own_offsets_with_nothing_lost_or_repeated(
        launcher: Any, tmp_path: Path) -> None:
    played = [e for _ in range(20) for e in season("389").events]
    await publish(launcher.bootstrap_servers, played)
    before = await topic_contents(launcher.bootstrap_servers)
    total = sum(len(records) for records in before.values())
    state, log = tmp_path / "kafka.sqlite", tmp_path / "subscriber.log"
    process = start("--kafka", launcher.bootstrap_servers, "--state", str(state), "--max-records", "3", "--json",
                    log=log)

    killed_at = kill_once_it_applied_some(process, state, total, log)

    done = subscribe("--kafka", launcher.bootstrap_servers, "--state", str(state), "--until-idle", "--json")
    assert done.returncode == 0, done.stderr
    assert applied_count(state) > killed_at
    applied, _ = read_state(state)
    with sqlite3.connect(state) as db:
        reached = {(t, p): o for t, p, o in db.execute("SELECT topic, partition, next_offset FROM kafka_offsets")}
    assert all(not records or reached.get(partition, 0) > records[-1][0] for partition, records in before.items()), \
        "it stopped before the ends the topics had before the kill"
    # The topics up to where the subscriber stopped (other tests' services may still publish to them).
    contents = await topic_contents(launcher.bootstrap_servers, until=reached)
    copies: dict[str, set[tuple[str, int, int]]] = defaultdict(set)
    for (topic, partition), records in contents.items():
        for offset, event_id in records:
            if event_id is not None:
                copies[event_id].add((topic, partition, offset))
    assert len({a["event_id"] for a in applied}) == len(applied)
    assert {a["event_id"] for a in applied} == set(copies)
    assert all((a["topic"], a["partition"], a["offset"]) in copies[a["event_id"]] for a in applied)
    for partition in contents:
        offsets = [a["offset"] for a in applied if (a["topic"], a["partition"]) == partition]
        assert offsets == sorted(offsets), f"{partition} applied out of order"
    ours = {str(e.event_id) for e in played}
    assert {a["event_id"]: {(a["topic"], a["partition"], a["offset"])} for a in applied if a["event_id"] in ours} \
        == {event_id: copies[event_id] for event_id in ours}
