"""CloudEvents 1.0 attributes of a public event: one mapping for Kafka's binary mode and the HTTP feed's batches.

A subscriber built with a CloudEvents SDK reads our events without our code. The event's ``data`` is the whole
envelope (the value on Kafka, unchanged), so a CloudEvents reader and a reader of the envelope see the same bytes;
the attributes repeat what the envelope says in the names CloudEvents gives them:

- ``id`` = ``event_id``; ``subject`` = ``product_id``; ``time`` = ``occurred_at`` (RFC 3339, +07:00);
- ``type`` = ``vn.ocop.<EventType>.v<schema_version>`` (a breaking change is a new type, as it is a new topic);
- ``source`` = ``/ocop/thanh-hoa/<service>`` (the producing service; ``id`` is unique on its own, a UUID);
- ``dataschema`` = the JSON Schema's ``$id`` (``urn:ocop:contracts:<EventType>.v<n>``), which the committed schema
  files carry and the HTTP feed serves.
"""

from __future__ import annotations

from typing import Any

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
BATCH_CONTENT_TYPE = "application/cloudevents-batch+json"
TYPE_PREFIX = "vn.ocop."
SOURCE_PREFIX = "/ocop/thanh-hoa/"
KAFKA_HEADER_PREFIX = "ce_"


def event_type_uri(event_type: str, schema_version: int) -> str:
    """CloudEvents ``type`` of one event type and version, e.g. ``vn.ocop.ProductRated.v1``."""
    return f"{TYPE_PREFIX}{event_type}.v{schema_version}"


def source_uri(service: str) -> str:
    """CloudEvents ``source`` of a producing service, e.g. ``/ocop/thanh-hoa/rating``."""
    return SOURCE_PREFIX + service


def dataschema_uri(event_type: str, schema_version: int) -> str:
    """The ``$id`` of the event's JSON Schema, also its CloudEvents ``dataschema``."""
    return f"urn:ocop:contracts:{event_type}.v{schema_version}"


def attributes(envelope: Any) -> dict[str, str]:
    """The context attributes of one envelope (without ``data``), as strings."""
    return {
        "specversion": SPEC_VERSION,
        "id": str(envelope.event_id),
        "source": source_uri(envelope.source),
        "type": event_type_uri(envelope.event_type, envelope.schema_version),
        "time": envelope.occurred_at.isoformat(),
        "subject": envelope.product_id,
        "dataschema": dataschema_uri(envelope.event_type, envelope.schema_version),
        "datacontenttype": CONTENT_TYPE,
    }


def kafka_binary_headers(envelope: Any) -> list[tuple[str, bytes]]:
    """The Kafka protocol binding's binary-mode headers: ``ce_<attribute>`` each, and ``content-type`` for
    ``datacontenttype`` (the value stays the envelope)."""
    headers: list[tuple[str, bytes]] = []
    for name, value in attributes(envelope).items():
        if name == "datacontenttype":
            headers.append(("content-type", value.encode("utf-8")))
        else:
            headers.append((KAFKA_HEADER_PREFIX + name, value.encode("utf-8")))
    return headers


def structured(envelope: Any, data: Any, **extensions: Any) -> dict[str, Any]:
    """One event in JSON structured mode (an element of a ``application/cloudevents-batch+json`` array): the
    attributes, ``data`` (the envelope as JSON) and extension attributes such as the feed's ``position``."""
    return {**attributes(envelope), **extensions, "data": data}
