"""Registry of contracts (event type → topic, version, producer, model) and of upcasters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args

from .envelope import Envelope
from .events import InspectionFailed, ProductRated, ProductRegistered, RewardApproved
from .topics import (
    INSPECTION_FAILED_TOPIC,
    PRODUCT_RATED_TOPIC,
    PRODUCT_REGISTERED_TOPIC,
    REWARD_APPROVED_TOPIC,
)


@dataclass(frozen=True, slots=True)
class Contract:
    """One public event: where it is published, by whom, in which version, with which model."""

    event_type: str
    topic: str
    schema_version: int
    source: str
    model: type[Envelope[Any]]


def _literal(model: type[Envelope[Any]], field: str) -> Any:
    (value,) = get_args(model.model_fields[field].annotation)
    return value


def _contract(model: type[Envelope[Any]], topic: str) -> Contract:
    # Type, version and producer are read from the model's Literal fields so they cannot disagree.
    return Contract(
        event_type=_literal(model, "event_type"),
        topic=topic,
        schema_version=_literal(model, "schema_version"),
        source=_literal(model, "source"),
        model=model,
    )


CONTRACTS: dict[str, Contract] = {
    c.event_type: c
    for c in (
        _contract(ProductRegistered, PRODUCT_REGISTERED_TOPIC),
        _contract(ProductRated, PRODUCT_RATED_TOPIC),
        _contract(RewardApproved, REWARD_APPROVED_TOPIC),
        _contract(InspectionFailed, INSPECTION_FAILED_TOPIC),
    )
}

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

UPCASTERS: dict[tuple[str, int], Upcaster] = {}
"""``(event_type, from_version) → pure function`` turning a raw envelope dict of ``from_version``
into one of ``from_version + 1``. ``parse_event`` chains them up to the current version and
stamps the new ``schema_version`` itself, so an upcaster only reshapes fields."""


def contract_for_topic(topic: str) -> Contract | None:
    """The contract published on ``topic``, or None for topics that are not public events."""
    return next((c for c in CONTRACTS.values() if c.topic == topic), None)
