"""CloudEvents binary mode on Kafka: the contract's headers read by the CloudEvents SDK (PyPI ``cloudevents``), both its
current API (``cloudevents.core``) and the 1.x one it keeps (``cloudevents.v1``), give the envelope's id, type,
source, subject, time and dataschema, and the envelope itself as data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary
from cloudevents.core.formats.json import JSONFormat
from cloudevents.v1 import kafka as kafka_v1

from shared.contracts import CONTRACTS, kafka_headers, kafka_key, serialize_event
from shared.contracts.cloudevents import dataschema_uri, event_type_uri
from shared.relay import with_cloudevents

from .samples import SAMPLES

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def _message(envelope: Any) -> tuple[dict[str, bytes], bytes, bytes]:
    return dict(kafka_headers(envelope, TRACEPARENT)), kafka_key(envelope), serialize_event(envelope)


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_the_sdk_reads_each_public_event_from_its_kafka_headers(event_type: str) -> None:
    envelope = SAMPLES[event_type]()
    headers, key, value = _message(envelope)

    event = from_binary(KafkaMessage(headers=headers, key=key, value=value), JSONFormat())

    assert event.get_specversion() == "1.0"
    assert event.get_id() == str(envelope.event_id)
    assert event.get_type() == f"vn.ocop.{event_type}.v1" == event_type_uri(event_type, envelope.schema_version)
    assert event.get_source() == f"/ocop/thanh-hoa/{CONTRACTS[event_type].source}"
    assert event.get_subject() == envelope.product_id
    assert event.get_time() == envelope.occurred_at and event.get_time().utcoffset().total_seconds() == 7 * 3600
    assert event.get_dataschema() == f"urn:ocop:contracts:{event_type}.v1" == dataschema_uri(event_type, 1)
    assert event.get_datacontenttype() == "application/json"
    assert event.get_data() == json.loads(value)
    assert event.get_extension("partitionkey") == envelope.product_id  # the binding's name for the record's key


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_the_sdks_1x_kafka_binding_reads_them_too(event_type: str) -> None:
    envelope = SAMPLES[event_type]()
    headers, key, value = _message(envelope)

    event = kafka_v1.from_binary(kafka_v1.KafkaMessage(headers=headers, key=key, value=value))

    assert (event["id"], event["type"], event["subject"]) == (
        str(envelope.event_id), event_type_uri(event_type, 1), envelope.product_id)
    assert event["source"] == f"/ocop/thanh-hoa/{CONTRACTS[event_type].source}"
    assert event["dataschema"] == dataschema_uri(event_type, 1)
    assert event["time"] == envelope.occurred_at.isoformat()
    assert event.data == json.loads(value)


def test_the_cloudevents_headers_follow_the_contract_headers_unchanged() -> None:
    envelope = SAMPLES["ProductRated"]()
    headers = kafka_headers(envelope, TRACEPARENT, "ocop=abc")
    names = [name for name, _ in headers]

    assert names[:5] == ["traceparent", "tracestate", "event_type", "schema_version", "event_id"]
    assert names[5:] == ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject", "ce_dataschema",
                         "content-type"]
    assert len(set(names)) == len(names)  # each once: a dict of them (faststream, the relay) loses nothing
    assert all(isinstance(value, bytes) for _, value in headers)


def test_an_outbox_row_written_before_the_cloudevents_headers_is_published_with_them() -> None:
    envelope = SAMPLES["RewardApproved"]()
    today = [[name, value.decode()] for name, value in kafka_headers(envelope, TRACEPARENT)]
    before = [pair for pair in today if not pair[0].startswith("ce_") and pair[0] != "content-type"]

    upgraded = with_cloudevents({"headers": before, "payload": serialize_event(envelope)})

    assert upgraded == dict(today)  # the headers a row written today stores, in the same order
    assert with_cloudevents({"headers": today, "payload": b"not parsed"}) == dict(today)
    assert with_cloudevents({"headers": [["event_id", "x"]], "payload": b"{}"}) == {"event_id": "x"}  # not ours
