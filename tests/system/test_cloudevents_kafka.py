"""A subscriber built with the CloudEvents SDK reads our public events on the real broker without our code.

Registration's district officer sends a list (HTTP) → ProductRegistered, published by the relay from the outbox;
rating hears it, a district council scores the product → ProductRated. Each record is read back with kafka-python (an
independent client: no group, none of the project's consumer code) and converted with the ``cloudevents`` package's
Kafka binding: id, type, source, subject, time, dataschema and data are the envelope's.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from cloudevents.core.bindings.kafka import KafkaMessage, from_binary
from cloudevents.core.formats.json import JSONFormat
from kafka import KafkaConsumer, TopicPartition

from services.rating.service import definition as rating
from services.registration.service import definition as registration
from shared.contracts import PRODUCT_RATED_TOPIC, PRODUCT_REGISTERED_TOPIC, parse_event
from tests.contracts.asyncapi_wire import record_problems
from tests.kernel.support import isolated_settings, running_service, start_groups_at_the_end
from tests.rating.flow import RatingDriver
from tests.registration.support import YEN_DINH, RegistrationClient


def _records_keyed(bootstrap: str, topic: str, key: str, count: int, timeout: float = 60.0) -> list[Any]:
    """The records of ``topic`` whose key is ``key``, read from the beginning until ``count`` are there."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                             auto_offset_reset="earliest", client_id="cloudevents-test")
    try:
        deadline = time.monotonic() + timeout
        while not (partitions := consumer.partitions_for_topic(topic)):
            if time.monotonic() > deadline:
                raise AssertionError(f"{topic} not on the broker after {timeout}s")
            consumer.topics()  # refreshes the metadata
        assigned = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        found: list[Any] = []
        while len(found) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found)} of {count} records keyed {key} on {topic} after {timeout}s")
            for records in consumer.poll(timeout_ms=200).values():
                found += [r for r in records if r.key == key.encode()]
        return found
    finally:
        consumer.close()


def _cloudevent(record: Any) -> Any:
    headers = dict(record.headers)
    assert len(headers) == len(record.headers), record.headers  # each header once
    return from_binary(KafkaMessage(headers=headers, key=record.key, value=record.value), JSONFormat())


def _assert_is_the_envelope(record: Any, event_type: str, source: str) -> Any:
    envelope, event = parse_event(record.value), _cloudevent(record)
    assert event.get_specversion() == "1.0"
    assert event.get_id() == str(envelope.event_id)
    assert event.get_type() == f"vn.ocop.{event_type}.v1"
    assert event.get_source() == f"/ocop/thanh-hoa/{source}"
    assert event.get_subject() == envelope.product_id == record.key.decode()
    assert event.get_time() == envelope.occurred_at
    assert event.get_dataschema() == f"urn:ocop:contracts:{event_type}.v1"
    assert event.get_datacontenttype() == "application/json"
    assert event.get_data() == json.loads(record.value)
    # Today's headers are still there, unchanged.
    headers = {name: value.decode() for name, value in record.headers}
    assert (headers["event_type"], headers["schema_version"], headers["event_id"]) == (
        event_type, "1", str(envelope.event_id))
    assert headers["traceparent"].startswith("00-")
    # And the record is what the AsyncAPI document says of its channel: headers, key and payload.
    assert record_problems(event_type, record.headers, record.key, record.value) == []
    return envelope


async def test_a_cloudevents_sdk_reads_product_registered_and_product_rated_from_the_topics(launcher):
    rating_settings = isolated_settings(launcher, rating)
    await start_groups_at_the_end(rating, rating_settings)  # this rating hears the product of this test only
    async with (
        running_service(launcher, registration) as (client, settings, runtime),
        running_service(launcher, rating, rating_settings) as (rating_client, _, rating_runtime),
    ):
        chosen = await RegistrationClient(client, settings, runtime).sent_to_province()

        [registered] = await asyncio.to_thread(_records_keyed, launcher.bootstrap_servers, PRODUCT_REGISTERED_TOPIC,
                                               chosen.product_id, 1)
        envelope = _assert_is_the_envelope(registered, "ProductRegistered", "registration")
        assert envelope.data.registration_id == chosen.registration_id

        driver = RatingDriver(rating_client, rating_settings, rating_runtime)
        await driver.dossier_when(chosen.product_id)
        await driver.season("district", {chosen.product_id: 62}, district=YEN_DINH, held_on="2021-03-01")

        [rated] = await asyncio.to_thread(_records_keyed, launcher.bootstrap_servers, PRODUCT_RATED_TOPIC,
                                          chosen.product_id, 1)
        envelope = _assert_is_the_envelope(rated, "ProductRated", "rating")
        assert (envelope.data.level, envelope.data.status) == ("district", "proposed")
