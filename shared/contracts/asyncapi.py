"""AsyncAPI 3.0 description of the public events: the Kafka topics with their bindings and security, and the HTTP feed.

FastStream turns the contract models into the payload schemas (``components.schemas``, the same pydantic validation
mode as the committed JSON Schemas); everything else (servers, channels, operations, messages, security) is stated
here, so the document is the whole wire contract and not only the payloads. No connection is made: the broker object
only carries publisher declarations for the generator. ``node tools/asyncapi/validate.mjs`` checks the result with
the AsyncAPI project's own parser (``tests/contracts/test_asyncapi_validator.py``).
"""

from __future__ import annotations

import inspect
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from . import cloudevents
from .registry import CONTRACTS, Contract
from .topics import TOPIC_PARTITIONS, TOPIC_REPLICATION_FACTOR

TITLE = "OCOP platform events"
VERSION = "1.0.0"
DOCUMENT_ID = "urn:ocop:thanh-hoa:events"
DESCRIPTION = (
    "Public events of the OCOP programme (Chương trình Mỗi xã một sản phẩm), Thanh Hóa 2021.\n\n"
    "**Kafka.** One topic per event type and major version (`ocop.<event>.v<major>`); key = `product_id` (UTF-8), "
    "so one product's events stay in order; value = the UTF-8 JSON envelope. Every message also carries the "
    "CloudEvents 1.0 Kafka binary-mode headers (`ce_specversion`, `ce_id` = event_id, `ce_source`, `ce_type`, "
    "`ce_time`, `ce_subject` = product_id, `ce_dataschema`, `content-type`), so a CloudEvents SDK reads them as they "
    "are. Delivery is at least once: de-duplicate on `event_id`. Dead letters go to `ocop.dlq.<service>` (internal, "
    "not part of this contract).\n\n"
    "**Security.** The `production` cluster (Apache Kafka) takes SASL/SCRAM-SHA-512 only: each service has its own "
    "principal, and a subscribing organisation gets a read-only `subscriber-<org>` principal. The `embedded` broker "
    "of `make run` (Tansu) has no SASL and is for one machine only.\n\n"
    "**HTTP feed.** Systems that cannot reach the cluster read the same events from the monitoring service: "
    "`GET /v1/feed` with an `X-API-Key` header (a read-only key per subscribing organisation, scoped to event "
    "types) answers `application/cloudevents-batch+json` pages in a total order; each event carries its `position` "
    "and the `X-OCOP-Feed-Position` header says what to pass as `after` next time (see the `feed` server and "
    "channel); the JSON Schemas are served at `GET /v1/feed/schemas/<Event>.v<n>`.\n\n"
    "**Evolution.** The payload schemas change only compatibly under the full-transitive rule (an optional field may "
    "be added or removed; nothing else); a breaking change ships as a new `.v2` event type on its own topic, "
    "published beside v1 for a transition period. `make test` checks every schema against each released version "
    "(`shared/contracts/RELEASES`)."
)
# Documentation only: deployments set OCOP_KAFKA_BOOTSTRAP_SERVERS. Constants keep the file stable.
PRODUCTION_HOST = "kafka:9092"
EMBEDDED_HOST = "127.0.0.1:9092"
FEED_HOST = "127.0.0.1:8004"
KAFKA_BINDING_VERSION = "0.5.0"
HTTP_BINDING_VERSION = "0.3.0"
KAFKA_SERVERS = ("production", "embedded")
FEED_CHANNEL = "feed"
FEED_MESSAGE = "FeedBatch"
FEED_POSITION_HEADER = "X-OCOP-Feed-Position"
API_KEY_HEADER = "X-API-Key"

SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "serviceScram": {
        "type": "scramSha512",
        "description": (
            "SASL/SCRAM-SHA-512 principal of one service, named after it (`registration`, `rating`, `finance`, "
            "`monitoring`; OCOP_KAFKA_SASL_USERNAME). ACLs (deploy/kafka/acls.sh) let it WRITE and DESCRIBE only its "
            "own public topic and its dead-letter topic `ocop.dlq.<service>`, READ the topics it consumes and its "
            "own consumer groups `ocop-<service>.*`, and DESCRIBE the contract's topics; nothing else. The one "
            "exception: monitoring may WRITE the other public topics for its dead-letter re-drive "
            "(OCOP_KAFKA_REDRIVE_WRITE=false leaves it out)."
        ),
    },
    "subscriberScram": {
        "type": "scramSha512",
        "description": (
            "SASL/SCRAM-SHA-512 principal of a subscribing organisation, `subscriber-<org>`, issued by the "
            "province's operator with `deploy/kafka/issue-subscriber.sh <org>`. Read-only: READ and DESCRIBE on the "
            "four public topics and nothing else, and consumer groups only under its own prefix `<org>.` (a "
            "PREFIXED ACL). It cannot write any topic, read dead letters, or join a service's or another "
            "organisation's group."
        ),
    },
    "feedApiKey": {
        "type": "httpApiKey",
        "name": API_KEY_HEADER,
        "in": "header",
        "description": (
            "Read-only key of a subscribing organisation for the HTTP feed, scoped to event types and rate-limited; "
            "issued and revoked with `ocop feed-key issue|revoke`, stored hashed. A missing, unknown or revoked key "
            "is 401; a type outside its scope is 403; over its rate 429 with Retry-After."
        ),
    },
}


def _ref(*parts: str) -> dict[str, str]:
    return {"$ref": "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)}


def _summary(contract: Contract) -> str:
    return (inspect.getdoc(contract.model) or "").splitlines()[0]


def _describe(contract: Contract) -> str:
    return f"{_summary(contract)} Produced by the {contract.source} service; key = product_id."


def build_broker() -> KafkaBroker:
    broker = KafkaBroker(EMBEDDED_HOST, description="OCOP Kafka cluster")
    for contract in CONTRACTS.values():
        broker.publisher(
            contract.topic, title=contract.topic, description=_describe(contract), schema=contract.model
        )
    return broker


def _servers() -> dict[str, Any]:
    return {
        "production": {
            "host": PRODUCTION_HOST,
            "protocol": "kafka",
            "protocolVersion": "3.9",
            "title": "Production cluster (Apache Kafka, KRaft)",
            "description": (
                "The Apache Kafka cluster of docker-compose and the Kubernetes manifests (set "
                "OCOP_KAFKA_BOOTSTRAP_SERVERS). Clients authenticate with SASL/SCRAM-SHA-512; ACLs deny what they "
                "do not grant."
            ),
            "security": [_ref("components", "securitySchemes", name) for name in ("serviceScram", "subscriberScram")],
        },
        "embedded": {
            "host": EMBEDDED_HOST,
            "protocol": "kafka",
            "title": "Embedded broker (Tansu)",
            "description": "The broker `make run` and `make test` start on one machine: PLAINTEXT, no SASL, no ACLs.",
        },
        "feed": {
            "host": FEED_HOST,
            "protocol": "http",
            "pathname": "/v1",
            "title": "HTTP event feed (monitoring service)",
            "description": (
                "The monitoring service's HTTP address (OCOP_MONITORING_PORT, 8004 on `make run`). For subscribers "
                "that cannot reach the Kafka cluster."
            ),
            "security": [_ref("components", "securitySchemes", "feedApiKey")],
        },
    }


def _headers_schema(contract: Contract, product_id: dict[str, Any]) -> dict[str, Any]:
    """Kafka headers of one public message: ours, W3C Trace Context, and CloudEvents' binary mode (values UTF-8)."""
    attributes = {
        "ce_specversion": {"type": "string", "const": cloudevents.SPEC_VERSION, "description": "CloudEvents version"},
        "ce_id": {"type": "string", "format": "uuid", "description": "CloudEvents id = the envelope's event_id"},
        "ce_source": {
            "type": "string",
            "const": cloudevents.source_uri(contract.source),
            "description": "CloudEvents source: the producing service",
        },
        "ce_type": {
            "type": "string",
            "const": cloudevents.event_type_uri(contract.event_type, contract.schema_version),
            "description": "CloudEvents type: event type and major version",
        },
        "ce_time": {
            "type": "string",
            "format": "date-time",
            "description": "CloudEvents time = the envelope's occurred_at (RFC 3339, +07:00)",
        },
        "ce_subject": {**product_id, "description": "CloudEvents subject = the envelope's product_id (the key)"},
        "ce_dataschema": {
            "type": "string",
            "const": cloudevents.dataschema_uri(contract.event_type, contract.schema_version),
            "description": "CloudEvents dataschema = the `$id` of the event's JSON Schema",
        },
        "content-type": {
            "type": "string",
            "const": cloudevents.CONTENT_TYPE,
            "description": "CloudEvents datacontenttype of the value (the envelope)",
        },
    }
    return {
        "type": "object",
        "required": ["event_type", "schema_version", "event_id", *attributes],
        "properties": {
            "event_type": {"type": "string", "const": contract.event_type},
            "schema_version": {"type": "string", "const": str(contract.schema_version)},
            "event_id": {"type": "string", "format": "uuid", "description": "Same as the envelope's event_id"},
            "traceparent": {"type": "string", "description": "W3C Trace Context traceparent"},
            "tracestate": {"type": "string", "description": "W3C Trace Context tracestate"},
            **attributes,
        },
    }


def _message(contract: Contract, payload_name: str, product_id: dict[str, Any]) -> dict[str, Any]:
    dataschema = cloudevents.dataschema_uri(contract.event_type, contract.schema_version)
    return {
        "name": contract.event_type,
        "title": f"{contract.event_type} v{contract.schema_version}",
        "summary": _summary(contract),
        "description": (
            f"{_describe(contract)} The payload is the envelope; its normative JSON Schema (draft 2020-12) is "
            f"shared/contracts/schemas/{contract.event_type}.v{contract.schema_version}.json, `$id` {dataschema}."
        ),
        "contentType": cloudevents.CONTENT_TYPE,
        "headers": _headers_schema(contract, product_id),
        "payload": _ref("components", "schemas", payload_name),
        "correlationId": {
            "description": "UUID of the whole business flow",
            "location": "$message.payload#/correlation_id",
        },
        "bindings": {"kafka": {"key": product_id, "bindingVersion": KAFKA_BINDING_VERSION}},
    }


def _channel(contract: Contract) -> dict[str, Any]:
    return {
        "address": contract.topic,
        "title": contract.topic,
        "description": _describe(contract),
        "servers": [_ref("servers", name) for name in KAFKA_SERVERS],
        "messages": {contract.event_type: _ref("components", "messages", contract.event_type)},
        "bindings": {
            "kafka": {
                "topic": contract.topic,
                "partitions": TOPIC_PARTITIONS,
                "replicas": TOPIC_REPLICATION_FACTOR,
                "topicConfiguration": {"cleanup.policy": ["delete"]},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _operation(contract: Contract) -> dict[str, Any]:
    return {
        "action": "send",
        "title": f"{contract.source} publishes {contract.event_type}",
        "summary": _summary(contract),
        "description": (
            f"The {contract.source} service's outbox relay publishes each {contract.event_type} with acks=all, "
            "in the order its facts were stored, at least once."
        ),
        "channel": _ref("channels", contract.topic),
        "messages": [_ref("channels", contract.topic, "messages", contract.event_type)],
    }


def _feed_event(payload_names: dict[str, str]) -> dict[str, Any]:
    """One CloudEvent of a feed page, JSON structured mode; ``data`` is one of the envelopes."""
    return {
        "type": "object",
        "required": [
            "specversion", "id", "source", "type", "time", "subject", "dataschema", "datacontenttype", "position",
            "data",
        ],
        "properties": {
            "specversion": {"type": "string", "const": cloudevents.SPEC_VERSION},
            "id": {"type": "string", "format": "uuid", "description": "= data.event_id"},
            "source": {"type": "string", "enum": sorted({cloudevents.source_uri(c.source) for c in CONTRACTS.values()})},
            "type": {
                "type": "string",
                "enum": [cloudevents.event_type_uri(c.event_type, c.schema_version) for c in CONTRACTS.values()],
            },
            "time": {"type": "string", "format": "date-time", "description": "= data.occurred_at"},
            "subject": {"type": "string", "description": "= data.product_id"},
            "dataschema": {
                "type": "string",
                "enum": [cloudevents.dataschema_uri(c.event_type, c.schema_version) for c in CONTRACTS.values()],
            },
            "datacontenttype": {"type": "string", "const": cloudevents.CONTENT_TYPE},
            "position": {
                "type": "integer",
                "minimum": 1,
                "description": "The event's place in the feed's total order (extension attribute); resume after it",
            },
            "data": {"oneOf": [_ref("components", "schemas", name) for name in payload_names.values()]},
        },
    }


def _feed_message(payload_names: dict[str, str]) -> dict[str, Any]:
    return {
        "name": FEED_MESSAGE,
        "title": "A page of the HTTP feed",
        "summary": "Events after the reader's position, in position order (possibly none after a long-poll).",
        "contentType": cloudevents.BATCH_CONTENT_TYPE,
        "headers": {
            "type": "object",
            "required": [FEED_POSITION_HEADER],
            "properties": {
                FEED_POSITION_HEADER: {
                    "type": "integer",
                    "minimum": 0,
                    "description": "What to pass as `after` next time: the last event's position, or `after` if none",
                }
            },
        },
        "payload": {"type": "array", "items": _feed_event(payload_names)},
        "bindings": {"http": {"statusCode": 200, "bindingVersion": HTTP_BINDING_VERSION}},
    }


def _feed_query() -> dict[str, Any]:
    """The query of ``GET /v1/feed`` as monitoring's OpenAPI states it (a test compares the two)."""
    return {
        "type": "object",
        "properties": {
            "after": {
                "type": "integer", "minimum": 0, "maximum": 2**63 - 1, "default": 0,
                "description": "The last position processed; 0 = from the start",
            },
            "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
            "timeout": {
                "type": "number", "minimum": 0, "maximum": 30, "default": 0,
                "description": "Long-poll: seconds to wait for an event when none follows `after`",
            },
            "type": {
                "type": "array",
                "items": {"type": "string", "enum": list(CONTRACTS)},
                "description": "Event types (repeatable); default every type the key is scoped to (another: 403)",
            },
            "product": {
                "type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^\\u0000]*$",
                "description": "Only this product's events",
            },
            "district": {
                "type": "string", "pattern": "^[0-9]{3}$",
                "description": "Only events of products of this district-level unit (3-digit GSO code)",
            },
            "since": {
                "type": "string",
                "format": "date",
                "pattern": "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
                "description": "Only events that occurred on or after this civil date (Asia/Ho_Chi_Minh)",
            },
        },
    }


def _feed_channel() -> dict[str, Any]:
    return {
        "address": "/feed",
        "title": "GET /v1/feed",
        "description": (
            "Every public event in one total order, as CloudEvents batches. A reader keeps the last position it "
            "processed and passes it as `after`: an event that commits late never lands behind a position already "
            "handed out, so a resuming reader sees no gap and no duplicate."
        ),
        "servers": [_ref("servers", "feed")],
        "messages": {FEED_MESSAGE: _ref("components", "messages", FEED_MESSAGE)},
    }


def _feed_operation() -> dict[str, Any]:
    return {
        "action": "send",
        "title": "monitoring serves the feed",
        "summary": "Answers GET /v1/feed with the next page of events.",
        "channel": _ref("channels", FEED_CHANNEL),
        "messages": [_ref("channels", FEED_CHANNEL, "messages", FEED_MESSAGE)],
        "bindings": {"http": {"method": "GET", "query": _feed_query(), "bindingVersion": HTTP_BINDING_VERSION}},
    }


def asyncapi_document() -> dict[str, Any]:
    spec = AsyncAPI(
        build_broker(), title=TITLE, version=VERSION, description=DESCRIPTION, schema_version="3.0.0"
    )
    generated: dict[str, Any] = spec.to_specification().to_jsonable()
    schemas: dict[str, Any] = generated["components"]["schemas"]
    # FastStream names each payload schema after its model; find each contract's by the event_type it fixes.
    payload_names = {
        contract.event_type: next(
            name for name, schema in schemas.items()
            if schema.get("properties", {}).get("event_type", {}).get("const") == contract.event_type
        )
        for contract in CONTRACTS.values()
    }
    product_id = {
        key: value
        for key, value in schemas[next(iter(payload_names.values()))]["properties"]["product_id"].items()
        if key != "title"
    }
    return {
        "asyncapi": "3.0.0",
        "id": DOCUMENT_ID,
        "info": {**generated["info"], "tags": [{"name": "ocop"}, {"name": "cloudevents"}]},
        "defaultContentType": cloudevents.CONTENT_TYPE,
        "servers": _servers(),
        "channels": {
            **{contract.topic: _channel(contract) for contract in CONTRACTS.values()},
            FEED_CHANNEL: _feed_channel(),
        },
        "operations": {
            **{contract.topic: _operation(contract) for contract in CONTRACTS.values()},
            FEED_CHANNEL: _feed_operation(),
        },
        "components": {
            "schemas": schemas,
            "messages": {
                **{
                    contract.event_type: _message(contract, payload_names[contract.event_type], product_id)
                    for contract in CONTRACTS.values()
                },
                FEED_MESSAGE: _feed_message(payload_names),
            },
            "securitySchemes": SECURITY_SCHEMES,
        },
    }
