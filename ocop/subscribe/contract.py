"""What the subscriber takes as a public event: what the published contract (shared/contracts, the JSON Schemas'
code) parses, upcast to the version this subscriber knows. Both readers, the feed's and Kafka's, go through it."""

from __future__ import annotations

import json
from typing import Any

from shared.contracts import ContractError, parse_event, serialize_event


def public_event(value: bytes | None, expected_type: str | None = None) -> dict[str, Any] | str:
    """The envelope as JSON, or why it is no public event (of ``expected_type``, when its topic says)."""
    try:
        envelope = parse_event(value if value is not None else b"")
    except ContractError as exc:
        return f"refused by the contract: {exc}"
    if expected_type is not None and envelope.event_type != expected_type:
        return f"a {envelope.event_type} where only {expected_type} belongs"
    return json.loads(serialize_event(envelope))
