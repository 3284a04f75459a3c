"""Checks what goes on the wire against the AsyncAPI document (no tests here): a Kafka record's headers, key and
value, or any part of a message (the feed's pages)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft7Validator, FormatChecker

from shared.contracts import generate


@cache
def document() -> dict[str, Any]:
    return json.loads(generate.ASYNCAPI_PATH.read_text(encoding="utf-8"))


def problems(schema: dict[str, Any], instance: Any, what: str) -> list[str]:
    # The message's parts refer to #/components/...: validate within the document's components.
    validator = Draft7Validator({**schema, "components": document()["components"]}, format_checker=FormatChecker())
    return [f"{what} {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]


def record_problems(event_type: str, headers: list[tuple[str, bytes]], key: bytes, value: bytes) -> list[str]:
    """What in one record of ``event_type`` the document does not allow (empty when it all conforms)."""
    message = document()["components"]["messages"][event_type]
    decoded = {name: raw.decode("utf-8") for name, raw in headers}
    found = [] if len(decoded) == len(headers) else [f"headers repeated: {[name for name, _ in headers]}"]
    found += problems(message["headers"], decoded, "header")
    found += problems(message["bindings"]["kafka"]["key"], key.decode("utf-8"), "key")
    found += problems(message["payload"], json.loads(value), "payload")
    return found
