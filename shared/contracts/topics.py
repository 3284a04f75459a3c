"""Kafka topic names: one topic per event type, suffixed with the schema's major version.

A breaking change ships as ``.v2`` next to ``.v1`` so old consumers keep reading the old topic
while producers dual-write during the migration.
"""

from __future__ import annotations

from typing import get_args

from .envelope import Service
from .errors import ContractError

PRODUCT_REGISTERED_TOPIC = "ocop.product-registered.v1"
PRODUCT_RATED_TOPIC = "ocop.product-rated.v1"
REWARD_APPROVED_TOPIC = "ocop.reward-approved.v1"
INSPECTION_FAILED_TOPIC = "ocop.inspection-failed.v1"

SERVICES: tuple[str, ...] = get_args(Service)

# The project's topic layout (the defaults of OCOP_KAFKA_PARTITIONS and OCOP_KAFKA_REPLICATION_FACTOR, the values
# docker-compose and the Kubernetes config map set, and what the AsyncAPI document states). Six partitions keyed by
# product_id keep one product's events in order while six consumers of a group share the load.
TOPIC_PARTITIONS = 6
TOPIC_REPLICATION_FACTOR = 1

DEAD_LETTER_PREFIX = "ocop.dlq."


def dead_letter_topic(service: str) -> str:
    """Dead-letter topic (hàng đợi thư chết) of a consuming service, e.g. ``ocop.dlq.rating``."""
    if service not in SERVICES:
        # An unknown name would silently auto-create a topic nobody watches.
        rule = f"unknown service {service!r} (known: {', '.join(SERVICES)})"
        raise ContractError.about("service", rule, subject="dead-letter topic")
    return DEAD_LETTER_PREFIX + service
