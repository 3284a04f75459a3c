"""Base of event-sourced aggregates: pure, no I/O.

A command method checks the rules and calls ``record``; state changes only in
``apply``, which replays the same events when the aggregate is loaded.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar


@dataclasses.dataclass(frozen=True)
class DomainEvent:
    """A fact that happened to one aggregate, named in the past tense.

    ``schema_version`` goes up when the stored shape changes; an upcaster (``shared.events.Upcast``) reads the old one.
    """

    schema_version: ClassVar[int] = 1

    @property
    def event_type(self) -> str:
        return type(self).__name__

    def to_data(self) -> dict[str, Any]:
        """Field values as stored (shallow: events are immutable, and asdict's deep copy is costly)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


class Aggregate:
    """Holds ``id``, ``version`` (events applied so far) and the events recorded but not yet saved."""

    stream_type: ClassVar[str] = ""
    event_types: ClassVar[dict[str, type[DomainEvent]]] = {}

    def __init__(self, aggregate_id: str) -> None:
        self.id = aggregate_id
        self.version = 0
        self._pending: list[DomainEvent] = []

    def apply(self, event: DomainEvent) -> None:
        raise NotImplementedError

    def record(self, event: DomainEvent) -> None:
        self.apply(event)
        self.version += 1
        self._pending.append(event)

    def replay(self, event: DomainEvent) -> None:
        self.apply(event)
        self.version += 1

    @property
    def pending(self) -> tuple[DomainEvent, ...]:
        """Events recorded since loading and not yet saved (e.g. to turn into integration events)."""
        return tuple(self._pending)

    def collect(self) -> list[DomainEvent]:
        """Hand the pending events to the repository and forget them."""
        pending, self._pending = self._pending, []
        return pending

    @property
    def loaded_version(self) -> int:
        """The version the store held when this aggregate was loaded: the expected version of the next append."""
        return self.version - len(self._pending)
