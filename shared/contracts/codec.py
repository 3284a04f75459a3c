"""Bytes on the wire ↔ envelopes: parse, serialize, Kafka key and headers, and building new events."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel, ValidationError

from .cloudevents import kafka_binary_headers
from .envelope import VIETNAM_TZ, Actor, Envelope
from .errors import ContractError
from .events import AnyEvent
from .registry import CONTRACTS, UPCASTERS, Contract

# W3C Trace Context level 1, version 00; all-zero ids and version ff are invalid by the spec.
_TRACEPARENT = re.compile(r"(?!ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}")


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN/Infinity, which are not JSON and which other consumers would choke on.
    raise ValueError(f"{name} is not valid JSON")


def _contract(event_type: Any) -> Contract:
    if not isinstance(event_type, str):
        raise ContractError.about("event_type", "Input should be a valid string")
    contract = CONTRACTS.get(event_type)
    if contract is None:
        known = ", ".join(CONTRACTS)
        raise ContractError.about("event_type", f"unknown event type {event_type!r} (known: {known})")
    return contract


def _upcast(payload: dict[str, Any], contract: Contract) -> tuple[dict[str, Any], bool]:
    """Bring an older envelope up to the version this code reads; say whether anything changed."""
    version = payload.get("schema_version")
    if "schema_version" not in payload:
        raise ContractError.about("schema_version", "Field required")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ContractError.about("schema_version", "Input should be a valid integer")
    start, target = version, contract.schema_version
    while version < target and (upcaster := UPCASTERS.get((contract.event_type, version))):
        try:
            payload = {**upcaster(payload), "schema_version": version + 1}
        except Exception as exc:  # an old message the upcaster cannot read is still a bad message
            raise ContractError.about("schema_version", f"upcaster from v{version} failed: {exc!r}") from exc
        version += 1
    if version != target:
        why = "no upcaster registered" if version < target else "newer versions are published on a new topic"
        rule = f"unsupported version {start} of {contract.event_type}; this code reads v{target} ({why})"
        raise ContractError.about("schema_version", rule)
    return payload, version != start


def parse_event(value: bytes) -> AnyEvent:
    """Decode a Kafka message value into its typed envelope, or raise ``ContractError``."""
    if not isinstance(value, bytes | bytearray | memoryview):
        raise ContractError.about("value", f"expected bytes, got {type(value).__name__}")
    try:
        text = bytes(value).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContractError.about("value", f"not valid UTF-8 ({exc.reason} at byte {exc.start})") from exc
    try:
        payload = json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        raise ContractError.about("value", f"not valid JSON ({exc})") from exc
    if not isinstance(payload, dict):
        raise ContractError.about("value", "the envelope must be a JSON object")
    if "event_type" not in payload:
        raise ContractError.about("event_type", "Field required")
    contract = _contract(payload["event_type"])
    payload, upcasted = _upcast(payload, contract)
    # Validate JSON as JSON, strictly: "5" is not 5 stars and an epoch number is not an RFC 3339 time.
    raw = json.dumps(payload, ensure_ascii=False) if upcasted else text
    try:
        return contract.model.model_validate_json(raw, strict=True)  # type: ignore[return-value]
    except ValidationError as exc:
        raise ContractError.from_validation(exc, subject=f"{contract.event_type} event") from exc


def serialize_event(envelope: Envelope[Any]) -> bytes:
    """Compact UTF-8 JSON; Vietnamese diacritics stay as UTF-8, never ``\\u`` escapes."""
    contract = _contract(envelope.event_type)
    if type(envelope) is not contract.model:
        rule = f"{type(envelope).__name__} is not the registered model {contract.model.__name__}"
        raise ContractError.about("event_type", rule)
    # pydantic-core writes compact JSON and never escapes non-ASCII: the same bytes as
    # json.dumps(..., ensure_ascii=False, separators=(",", ":")), several times faster.
    return envelope.model_dump_json().encode("utf-8")


def kafka_key(envelope: Envelope[Any]) -> bytes:
    """Partition key: the product id, so all events of one product keep their order."""
    return envelope.product_id.encode("utf-8")


def kafka_headers(
    envelope: Envelope[Any], traceparent: str | None = None, tracestate: str | None = None
) -> list[tuple[str, bytes]]:
    """Headers of the contract: W3C trace context (when traced), the routing metadata, then the CloudEvents binary-mode
    headers (``ce_*`` and ``content-type``), so a CloudEvents SDK reads the record as an event whose data is the
    envelope."""
    headers: list[tuple[str, bytes]] = []
    if traceparent:
        if not _TRACEPARENT.fullmatch(traceparent):
            raise ContractError.about("traceparent", f"not a W3C traceparent: {traceparent!r}", subject="headers")
        headers.append(("traceparent", traceparent.encode("ascii")))
        if tracestate:
            if not tracestate.isascii():
                raise ContractError.about("tracestate", "must be ASCII (W3C Trace Context)", subject="headers")
            headers.append(("tracestate", tracestate.encode("ascii")))
    elif tracestate:
        # Trace Context forbids using tracestate without the traceparent it belongs to.
        raise ContractError.about("tracestate", "given without a traceparent", subject="headers")
    headers += [
        ("event_type", envelope.event_type.encode("utf-8")),
        ("schema_version", str(envelope.schema_version).encode("ascii")),
        ("event_id", str(envelope.event_id).encode("ascii")),
    ]
    return headers + kafka_binary_headers(envelope)


def new_envelope(
    event_type: str,
    product_id: str,
    data: BaseModel | dict[str, Any],
    *,
    correlation_id: UUID | None = None,
    causation_id: UUID | None = None,
    actor: Actor | dict[str, str] | None = None,
    occurred_at: datetime | None = None,
    event_id: UUID | None = None,
) -> AnyEvent:
    """Build a valid envelope; a new flow (no ``correlation_id``) is correlated by its first event.

    ``event_id`` is given when the event is derived from a stored fact (``shared.publication``), so that deriving it
    again gives the same id.
    """
    contract = _contract(event_type)
    event_id = event_id or uuid4()
    try:
        return contract.model(  # type: ignore[return-value]
            event_id=event_id,
            event_type=contract.event_type,
            schema_version=contract.schema_version,
            occurred_at=occurred_at if occurred_at is not None else datetime.now(VIETNAM_TZ),
            source=contract.source,
            product_id=product_id,
            correlation_id=correlation_id if correlation_id is not None else event_id,
            causation_id=causation_id,
            actor=actor,
            data=data,
        )
    except ValidationError as exc:
        raise ContractError.from_validation(exc, subject=f"{event_type} event") from exc
