"""Topics, producers, headers, envelope construction and the upcasting hook."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import pytest

from shared.contracts import (
    CONTRACTS,
    UPCASTERS,
    ContractError,
    Envelope,
    ProductRatedData,
    contract_for_topic,
    dead_letter_topic,
    kafka_headers,
    kafka_key,
    new_envelope,
    parse_event,
    serialize_event,
)
from shared.settings import SERVICES as SETTINGS_SERVICES
from shared.settings import service_settings

from .samples import FLOW, PRODUCT_ID, encode, product_rated, sample_dict

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_each_event_type_has_its_versioned_topic_and_producer() -> None:
    table = {(c.event_type, c.topic, c.source, c.schema_version) for c in CONTRACTS.values()}
    assert table == {
        ("ProductRegistered", "ocop.product-registered.v1", "registration", 1),
        ("ProductRated", "ocop.product-rated.v1", "rating", 1),
        ("RewardApproved", "ocop.reward-approved.v1", "finance", 1),
        ("InspectionFailed", "ocop.inspection-failed.v1", "monitoring", 1),
    }
    assert contract_for_topic("ocop.product-rated.v1") is CONTRACTS["ProductRated"]
    assert contract_for_topic("ocop.dlq.rating") is None


def test_dead_letter_topics_follow_the_service_name_and_match_settings() -> None:
    assert dead_letter_topic("monitoring") == "ocop.dlq.monitoring"
    for service in SETTINGS_SERVICES:
        assert dead_letter_topic(service) == service_settings(service).dead_letter_topic


def test_dead_letter_topic_refuses_unknown_services() -> None:
    with pytest.raises(ContractError, match="service"):
        dead_letter_topic("billing")


def test_kafka_key_is_the_utf8_product_id() -> None:
    assert kafka_key(product_rated()) == PRODUCT_ID.encode("utf-8")


def test_headers_carry_trace_context_and_routing_metadata() -> None:
    event = product_rated()
    headers = kafka_headers(event, TRACEPARENT, "ocop=abc")
    assert headers == [
        ("traceparent", TRACEPARENT.encode()),
        ("tracestate", b"ocop=abc"),
        ("event_type", b"ProductRated"),
        ("schema_version", b"1"),
        ("event_id", str(event.event_id).encode()),
        ("ce_specversion", b"1.0"),
        ("ce_id", str(event.event_id).encode()),
        ("ce_source", b"/ocop/thanh-hoa/rating"),
        ("ce_type", b"vn.ocop.ProductRated.v1"),
        ("ce_time", event.occurred_at.isoformat().encode()),
        ("ce_subject", PRODUCT_ID.encode()),
        ("ce_dataschema", b"urn:ocop:contracts:ProductRated.v1"),
        ("content-type", b"application/json"),
    ]


def test_headers_without_tracing_keep_only_metadata() -> None:
    assert [name for name, _ in kafka_headers(product_rated(), None, None)] == [
        "event_type",
        "schema_version",
        "event_id",
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_time",
        "ce_subject",
        "ce_dataschema",
        "content-type",
    ]


@pytest.mark.parametrize(
    ("traceparent", "tracestate"),
    [
        ("not-a-traceparent", None),
        ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", None),
        (None, "ocop=abc"),
    ],
)
def test_malformed_trace_context_is_refused(traceparent: str | None, tracestate: str | None) -> None:
    with pytest.raises(ContractError):
        kafka_headers(product_rated(), traceparent, tracestate)


def test_new_envelope_fills_identity_time_and_producer() -> None:
    before = datetime.now().astimezone()
    event = new_envelope("RewardApproved", PRODUCT_ID, sample_dict("RewardApproved")["data"])
    assert event.source == "finance" and event.schema_version == 1
    assert event.occurred_at.utcoffset() == timedelta(hours=7)  # Asia/Ho_Chi_Minh
    assert event.occurred_at >= before - timedelta(seconds=1)
    assert event.correlation_id == event.event_id  # a new flow is correlated by its first event
    assert event.causation_id is None and event.actor is None
    assert UUID(str(event.event_id)).version == 4


def test_new_envelope_links_an_event_to_its_cause() -> None:
    cause = product_rated()
    event = new_envelope(
        "RewardApproved",
        cause.product_id,
        sample_dict("RewardApproved")["data"],
        correlation_id=cause.correlation_id,
        causation_id=cause.event_id,
    )
    assert event.correlation_id == FLOW and event.causation_id == cause.event_id
    assert new_envelope("RewardApproved", PRODUCT_ID, event.data).event_id != event.event_id


def test_new_envelope_rejects_naive_time_and_wrong_data() -> None:
    with pytest.raises(ContractError, match="occurred_at"):
        new_envelope("ProductRated", PRODUCT_ID, product_rated().data, occurred_at=datetime(2021, 12, 20))
    with pytest.raises(ContractError, match="data"):
        new_envelope("RewardApproved", PRODUCT_ID, product_rated().data)
    with pytest.raises(ContractError, match="event_type"):
        new_envelope("ProductEaten", PRODUCT_ID, {})


def test_events_are_immutable() -> None:
    event = product_rated()
    with pytest.raises(ValueError):
        event.product_id = "other"  # type: ignore[misc]


def test_only_registered_envelope_types_are_serialized() -> None:
    event = product_rated()
    generic = Envelope[ProductRatedData].model_validate(event.model_dump())
    with pytest.raises(ContractError, match="not the registered model"):
        serialize_event(generic)


def _legacy_v0_rated() -> dict[str, object]:
    payload = sample_dict("ProductRated")
    payload["schema_version"] = 0
    payload["data"]["score"] = payload["data"].pop("average_score")
    return payload


def test_upcaster_is_applied_before_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def rename_score(raw: dict) -> dict:  # a fake v0 → v1 upcaster
        calls.append(raw["schema_version"])
        data = dict(raw["data"])
        data["average_score"] = data.pop("score")
        return {**raw, "data": data}

    key = ("ProductRated", 0)
    with monkeypatch.context() as patch:
        patch.setitem(UPCASTERS, key, rename_score)
        event = parse_event(encode(_legacy_v0_rated()))
    assert key not in UPCASTERS  # removed again: the real registry stays empty
    assert calls == [0]
    assert event.schema_version == 1
    assert event.data.average_score == 87.35


def test_old_version_without_upcaster_is_rejected() -> None:
    with pytest.raises(ContractError, match="no upcaster registered"):
        parse_event(encode(_legacy_v0_rated()))


def test_failing_upcaster_becomes_a_contract_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(UPCASTERS, ("ProductRated", 0), lambda raw: raw["missing"])
    with pytest.raises(ContractError, match="upcaster from v0 failed"):
        parse_event(encode(_legacy_v0_rated()))


def test_registry_ships_without_upcasters() -> None:
    assert UPCASTERS == {}
