"""Valid events survive the wire unchanged and match their committed JSON Schema."""

from __future__ import annotations

import json
import unicodedata

import pytest
from jsonschema import Draft202012Validator

from shared.contracts import CONTRACTS, parse_event, serialize_event
from shared.contracts.generate import schema_path

from .samples import PRODUCER_NAME, PRODUCT_NAME, SAMPLES, encode, sample_dict


def _validator(event_type: str) -> Draft202012Validator:
    schema = json.loads(schema_path(CONTRACTS[event_type]).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("event_type", list(SAMPLES))
def test_every_event_type_round_trips_through_the_wire(event_type: str) -> None:
    event = SAMPLES[event_type]()
    value = serialize_event(event)
    parsed = parse_event(value)
    assert parsed == event
    assert type(parsed) is CONTRACTS[event_type].model
    assert serialize_event(parsed) == value  # byte-stable, so re-publishing does not change payloads


@pytest.mark.parametrize("event_type", list(SAMPLES))
def test_serialized_events_validate_against_the_committed_json_schema(event_type: str) -> None:
    wire = json.loads(serialize_event(SAMPLES[event_type]()))
    _validator(event_type).validate(wire)


@pytest.mark.parametrize(
    ("event_type", "path", "bad"),
    [
        ("ProductRated", ("data", "stars"), 6),
        ("ProductRegistered", ("data", "producer", "legal_form"), "company"),
        ("InspectionFailed", ("data", "findings"), []),
        ("RewardApproved", ("data", "amount_vnd"), -1),
    ],
)
def test_json_schema_rejects_what_the_model_rejects(event_type: str, path: tuple[str, ...], bad: object) -> None:
    payload = sample_dict(event_type)
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = bad
    assert not _validator(event_type).is_valid(payload)
    with pytest.raises(ValueError):
        parse_event(encode(payload))


@pytest.mark.parametrize("event_type", list(SAMPLES))
def test_serialized_output_is_compact_json_without_ascii_escaping(event_type: str) -> None:
    value = serialize_event(SAMPLES[event_type]())
    reference = json.dumps(json.loads(value), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert value == reference


def test_vietnamese_names_survive_byte_exact_without_unicode_escapes() -> None:
    value = serialize_event(SAMPLES["ProductRegistered"]())
    assert PRODUCT_NAME.encode("utf-8") in value
    assert PRODUCER_NAME.encode("utf-8") in value
    assert "Thực phẩm".encode("utf-8") in value
    assert b"\\u" not in value
    parsed = parse_event(value)
    assert parsed.data.product.name == PRODUCT_NAME


def test_decomposed_diacritics_are_not_normalised() -> None:
    # Byte-exact means no silent NFC: what the producer wrote is what the consumer reads.
    payload = sample_dict("ProductRegistered")
    nfd = unicodedata.normalize("NFD", PRODUCT_NAME)
    payload["data"]["product"]["name"] = nfd
    value = serialize_event(parse_event(encode(payload)))
    assert nfd.encode("utf-8") in value
    assert PRODUCT_NAME.encode("utf-8") not in value
