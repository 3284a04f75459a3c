"""Records a consumer cannot take, of every kind, and where each must end: its service's dead letters, once."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer, ConsumerRecord

from shared.contracts import PRODUCT_RATED_TOPIC, PRODUCT_REGISTERED_TOPIC, kafka_headers, new_envelope, serialize_event
from tests.faults.history import topic_copies

# Which service consumes each topic, under which consumer name.
CONSUMERS = {PRODUCT_REGISTERED_TOPIC: "rating.product-registered", PRODUCT_RATED_TOPIC: "registration.product-rated"}


def registered(product_id: str) -> Any:
    return new_envelope("ProductRegistered", product_id, {
        "registration_id": f"reg-{uuid.uuid4()}", "cycle_year": 2021,
        "product": {"name": "Nem chua độc", "sector": "Thực phẩm", "group": "Thực phẩm chế biến", "product_set": 5,
                    "description": "thử"},
        "producer": {"producer_id": "p-poison", "name": "HTX thử", "legal_form": "cooperative"},
        "location": {"district_code": "380", "commune_code": "14758"}})


def _rated(product_id: str) -> Any:
    return new_envelope("ProductRated", product_id, {
        "evaluation_id": f"EV-{uuid.uuid4().hex[:8]}", "cycle_year": 2021, "level": "district", "average_score": 71.25,
        "stars": 3, "status": "recognized", "decision": None, "certificate": None, "reason": None,
        "inspection_id": None})


VALID = {PRODUCT_REGISTERED_TOPIC: registered, PRODUCT_RATED_TOPIC: _rated}
OTHER = {PRODUCT_REGISTERED_TOPIC: _rated, PRODUCT_RATED_TOPIC: registered}


def _as_json(envelope: Any) -> dict[str, Any]:
    return json.loads(serialize_event(envelope))


def _nested(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    *parents, leaf = path.split(".")
    target = body
    for key in parents:
        target = target[key]
    target[leaf] = value
    return body


# Refused at once, without reaching the handler: malformed, or an event type the topic does not carry.
AT_ONCE = ("not JSON", "JSON but not an object", "empty value", "no value (tombstone)", "envelope without its fields",
           "unknown event type", "another topic's event", "unknown schema version", "data breaking the contract")
# Valid for the contract, refused by PostgreSQL when the handler stores it: retried, then dead-lettered.
IN_THE_HANDLER = ("NUL in a string", "integer beyond 64 bits")


def traceparent() -> str:
    return f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01"


def kinds(topic: str) -> dict[str, tuple[bytes | None, list[tuple[str, bytes]]]]:
    """Every kind of record the consumer of ``topic`` must refuse: (value, headers) by name.

    Each carries a trace of its own, which its dead letter must continue.
    """
    product = f"poison-{uuid.uuid4().hex[:8]}"
    valid, other = VALID[topic](product), OTHER[topic](product)
    headers = kafka_headers(valid, traceparent())
    text_field = "data.product.name" if topic == PRODUCT_REGISTERED_TOPIC else "data.evaluation_id"
    int_field = "data.cycle_year"

    def body(change: Any) -> bytes:
        return json.dumps(change(_as_json(valid)), ensure_ascii=False).encode()

    return {
        "not JSON": (b"\xff\xfe{not json", [("traceparent", traceparent().encode())]),
        "JSON but not an object": (b"[1, 2, 3]", [("traceparent", traceparent().encode())]),
        "empty value": (b"", [("traceparent", traceparent().encode())]),
        "no value (tombstone)": (None, [("traceparent", traceparent().encode())]),
        "envelope without its fields": (json.dumps({"event_type": valid.event_type}).encode(), headers),
        "unknown event type": (body(lambda b: {**b, "event_type": "ProductExploded"}), headers),
        "another topic's event": (serialize_event(other), kafka_headers(other, traceparent())),
        "unknown schema version": (body(lambda b: {**b, "schema_version": 99}), headers),
        "data breaking the contract": (body(lambda b: {**b, "data": {"cycle_year": "two thousand"}}), headers),
        "NUL in a string": (body(lambda b: _nested(b, text_field, "Nem\u0000chua")), headers),
        "integer beyond 64 bits": (body(lambda b: _nested(b, int_field, 10**30)), headers),
    }


@dataclass(frozen=True)
class Sent:
    kind: str
    topic: str
    partition: int
    offset: int
    trace_id: str | None

    @property
    def origin(self) -> tuple[str, int, int]:
        return self.topic, self.partition, self.offset


async def send(bootstrap: str, records: list[tuple[str, str, bytes | None, list[tuple[str, bytes]], int | None]]
               ) -> list[Sent]:
    """Produce ``(kind, topic, value, headers, partition)`` records with a client of our own, in order."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False, acks="all")
    await producer.start()
    sent = []
    try:
        for kind, topic, value, headers, partition in records:
            meta = await producer.send_and_wait(topic, value, key=f"poison-{kind}".encode(), headers=headers,
                                                partition=partition)
            sent.append(Sent(kind, topic, meta.partition, meta.offset, trace_id(dict(headers).get("traceparent"))))
    finally:
        await producer.stop()
    return sent


async def send_poisons(bootstrap: str, topics: list[str]) -> list[Sent]:
    return await send(bootstrap, [(kind, topic, value, headers, None)
                                  for topic in topics for kind, (value, headers) in kinds(topic).items()])


def trace_id(traceparent: bytes | str | None) -> str | None:
    if traceparent is None:
        return None
    text = traceparent.decode() if isinstance(traceparent, bytes) else traceparent
    return text.split("-")[1] if text.count("-") == 3 else None


def header(record: ConsumerRecord, name: str) -> str | None:
    return next((v.decode() for k, v in record.headers or () if k == name), None)


async def dead_letter_copies(bootstrap: str, service: str) -> dict[tuple[str, int, int], list[ConsumerRecord]]:
    """The service's dead-letter topic, by the record each copy came from: (topic, partition, offset)."""
    found: dict[tuple[str, int, int], list[ConsumerRecord]] = {}
    for record in await topic_copies(bootstrap, f"ocop.dlq.{service}"):
        origin = (header(record, "dlq.topic") or "", int(header(record, "dlq.partition") or -1),
                  int(header(record, "dlq.offset") or -1))
        found.setdefault(origin, []).append(record)
    return found


def assert_dead_lettered_once(sent: list[Sent], copies: dict[tuple[str, int, int], list[ConsumerRecord]]) -> None:
    """One copy per poison record on the dead-letter topic, continuing its trace, refused at once when it must be."""
    for s in sent:
        found = copies.get(s.origin, [])
        assert len(found) == 1, f"{s.kind} on {s.topic}: {len(found)} copies on the dead-letter topic"
        [letter] = found
        assert trace_id(header(letter, "traceparent")) == s.trace_id, f"{s.kind}: the dead letter left the trace"
        if s.kind in AT_ONCE:
            assert header(letter, "dlq.attempts") == "1", f"{s.kind}: {header(letter, 'dlq.attempts')} attempts"
