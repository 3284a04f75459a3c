"""Public events as envelopes (the JSON on Kafka and in the feed's ``data``), for the subscriber's tests."""

from __future__ import annotations

import json
import uuid
from typing import Any

from shared.contracts import serialize_event
from tests.monitoring.public import decision, rated, registered


def envelope(event: Any) -> dict[str, Any]:
    return json.loads(serialize_event(event))


def registration(product_id: str, district: str) -> dict[str, Any]:
    return envelope(registered(product_id, district_code=district))


def rating(product_id: str, status: str, stars: int, certificate: str | None = None, **rest: Any) -> dict[str, Any]:
    decided = decision() if status in ("recognized", "downgraded", "revoked") else None
    return envelope(rated(product_id, status=status, stars=stars, certificate=certificate, decided=decided, **rest))


def new_product() -> str:
    return f"sp-{uuid.uuid4().hex[:10]}"
