"""When the pipeline needs an operator: the alert rules over lag, outbox age and dead letters, one function each.

The figures come from the broker and the services' tables (adapters); the thresholds are settings
(``OCOP_MONITORING_ALERT_*``). An alert names what passed which threshold, so the page says what to look at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    lag_messages: int
    """A consumer group further behind than this many messages (on all its partitions) alerts."""
    lag_seconds: float
    """A consumer group whose oldest unconsumed record is older than this alerts."""
    outbox_age_seconds: float
    """A service whose oldest unpublished event waits longer than this alerts."""
    dead_letters: int
    """A service with more dead letters than this that were not re-driven alerts (0: any)."""

    def __post_init__(self) -> None:
        if min(self.lag_messages, self.lag_seconds, self.outbox_age_seconds, self.dead_letters) < 0:
            raise ValueError("alert thresholds are ≥ 0")


@dataclass(frozen=True)
class GroupFigures:
    service: str
    group: str
    lag_messages: int
    seconds_behind: float | None
    """None when the oldest unconsumed record could not be read."""


@dataclass(frozen=True)
class ServiceFigures:
    service: str
    outbox_pending: int | None
    outbox_oldest_seconds: float | None
    dead_letters_awaiting: int | None
    """None: the service's tables were not found (not deployed on this database)."""


@dataclass(frozen=True)
class Alert:
    kind: str
    """consumer_lag | consumer_delay | outbox_age | dead_letters | broker"""
    subject: str
    value: float
    threshold: float
    message: str


def consumer_alerts(group: GroupFigures, limits: Thresholds) -> list[Alert]:
    found = []
    if group.lag_messages > limits.lag_messages:
        found.append(Alert("consumer_lag", group.group, group.lag_messages, limits.lag_messages,
                           f"{group.group} is {group.lag_messages} messages behind (alert above {limits.lag_messages})"))
    if group.seconds_behind is not None and group.seconds_behind > limits.lag_seconds:
        found.append(Alert("consumer_delay", group.group, group.seconds_behind, limits.lag_seconds,
                           f"{group.group} is {group.seconds_behind:.0f} s behind (alert above {limits.lag_seconds:.0f} s)"))
    return found


def outbox_alert(service: ServiceFigures, limits: Thresholds) -> Alert | None:
    age = service.outbox_oldest_seconds
    if age is None or not service.outbox_pending or age <= limits.outbox_age_seconds:
        return None
    return Alert("outbox_age", service.service, age, limits.outbox_age_seconds,
                 f"{service.service}'s oldest unpublished event waits for {age:.0f} s"
                 f" ({service.outbox_pending} pending; alert above {limits.outbox_age_seconds:.0f} s)")


def dead_letter_alert(service: ServiceFigures, limits: Thresholds) -> Alert | None:
    awaiting = service.dead_letters_awaiting
    if awaiting is None or awaiting <= limits.dead_letters:
        return None
    return Alert("dead_letters", service.service, awaiting, limits.dead_letters,
                 f"{service.service} has {awaiting} dead letters not re-driven (alert above {limits.dead_letters})")


def broker_alert(broker: str) -> Alert | None:
    if broker == "ok":
        return None
    return Alert("broker", "kafka", 1, 0, f"the broker does not answer: {broker}")


def alerts(broker: str, services: Iterable[ServiceFigures], groups: Iterable[GroupFigures],
           limits: Thresholds) -> tuple[Alert, ...]:
    """Every alert of one look at the pipeline; none means the state is ``ok``."""
    found: list[Alert | None] = [broker_alert(broker)]
    for service in services:
        found += [outbox_alert(service, limits), dead_letter_alert(service, limits)]
    for group in groups:
        found += consumer_alerts(group, limits)
    return tuple(a for a in found if a is not None)
