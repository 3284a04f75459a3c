"""Anything that breaks the contract raises one ContractError naming the field and the rule."""

from __future__ import annotations

import pytest

from shared.contracts import ContractError, parse_event

from .samples import encode, sample_dict


def _rejected(value: bytes) -> ContractError:
    with pytest.raises(ContractError) as caught:
        parse_event(value)
    return caught.value


def _with(event_type: str, path: str, value: object) -> bytes:
    payload = sample_dict(event_type)
    *parents, leaf = path.split(".")
    target = payload
    for key in parents:
        target = target[key]
    target[leaf] = value
    return encode(payload)


def test_contract_error_is_a_value_error() -> None:
    assert issubclass(ContractError, ValueError)


def test_non_json_bytes_are_rejected() -> None:
    error = _rejected(b"this is not json")
    assert error.field == "value"
    assert "not valid JSON" in str(error)


def test_invalid_utf8_is_rejected() -> None:
    error = _rejected(b'{"event_type": "ProductRated", "x": "\xff\xfe"}')
    assert error.field == "value"
    assert "UTF-8" in str(error)


def test_json_that_is_not_an_object_is_rejected() -> None:
    assert _rejected(b"[1, 2]").field == "value"


def test_nan_is_not_json() -> None:
    raw = _with("ProductRated", "data.average_score", 1.0).replace(b"1.0", b"NaN")
    assert _rejected(raw).field == "value"


def test_unknown_event_type_is_rejected() -> None:
    error = _rejected(_with("ProductRated", "event_type", "ProductEaten"))
    assert error.field == "event_type"
    assert "ProductEaten" in str(error)


def test_newer_schema_version_is_rejected_without_upcaster() -> None:
    error = _rejected(_with("ProductRated", "schema_version", 2))
    assert error.field == "schema_version"
    assert "unsupported version 2" in str(error)


def test_producer_legal_form_must_be_one_of_the_four() -> None:
    error = _rejected(_with("ProductRegistered", "data.producer.legal_form", "company"))
    assert error.field == "data.producer.legal_form"
    assert "data.producer.legal_form: Input should be 'enterprise'" in str(error)


def test_reward_amount_must_be_integer_vnd() -> None:
    error = _rejected(_with("RewardApproved", "data.amount_vnd", 30_000_000.0))
    assert error.field == "data.amount_vnd"
    assert "integer" in str(error)


def test_reward_amount_cannot_be_negative() -> None:
    assert _rejected(_with("RewardApproved", "data.amount_vnd", -1)).field == "data.amount_vnd"


def test_occurred_at_must_carry_a_timezone_offset() -> None:
    error = _rejected(_with("ProductRated", "occurred_at", "2021-12-20T09:30:00"))
    assert error.field == "occurred_at"
    assert "timezone" in str(error)


def test_occurred_at_must_be_an_rfc3339_string_not_an_epoch() -> None:
    assert _rejected(_with("ProductRated", "occurred_at", 1639967400)).field == "occurred_at"


def test_stars_cannot_exceed_five() -> None:
    error = _rejected(_with("ProductRated", "data.stars", 6))
    assert error.field == "data.stars"
    assert "less than or equal to 5" in str(error)


def test_stars_given_as_text_are_rejected() -> None:
    assert _rejected(_with("ProductRated", "data.stars", "4")).field == "data.stars"


def test_average_score_keeps_at_most_two_decimals() -> None:
    error = _rejected(_with("ProductRated", "data.average_score", 87.355))
    assert error.field == "data.average_score"
    assert "2 decimal places" in str(error)


def test_certificate_cannot_expire_before_it_starts() -> None:
    error = _rejected(_with("ProductRated", "data.certificate.valid_until", "2021-12-19"))
    assert error.field == "data.certificate.valid_until"
    assert "on or after valid_from" in str(error)


def test_certificate_valid_for_a_single_day_is_accepted() -> None:
    event = parse_event(_with("ProductRated", "data.certificate.valid_until", "2021-12-20"))
    assert event.data.certificate.valid_until == event.data.certificate.valid_from


def test_missing_product_id_is_rejected() -> None:
    payload = sample_dict("ProductRated")
    del payload["product_id"]
    error = _rejected(encode(payload))
    assert error.field == "product_id"
    assert "product_id: Field required" in str(error)


def test_inspection_needs_at_least_one_finding() -> None:
    assert _rejected(_with("InspectionFailed", "data.findings", [])).field == "data.findings"


def test_nested_list_errors_name_the_index() -> None:
    error = _rejected(_with("InspectionFailed", "data.findings", [{"criterion": "", "description": "x"}]))
    assert error.field == "data.findings[0].criterion"


def test_source_must_be_the_owning_service() -> None:
    assert _rejected(_with("RewardApproved", "source", "rating")).field == "source"


def test_unknown_envelope_field_is_rejected() -> None:
    payload = sample_dict("ProductRated")
    payload["tenant"] = "thanh-hoa"
    assert _rejected(encode(payload)).field == "tenant"


def test_unknown_data_field_is_ignored_so_optional_additions_are_not_breaking() -> None:
    payload = sample_dict("ProductRated")
    payload["data"]["council_size"] = 7
    event = parse_event(encode(payload))
    assert "council_size" not in event.data.model_dump()


def test_every_error_is_reported_not_only_the_first() -> None:
    payload = sample_dict("ProductRated")
    payload["data"]["stars"] = 6
    payload["data"]["level"] = "national"
    error = _rejected(encode(payload))
    assert {field for field, _ in error.errors} == {"data.stars", "data.level"}
