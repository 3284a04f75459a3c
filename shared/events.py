"""Typed, versioned domain events: how they are written to the store and read back through upcasters.

Stored events are never edited. When an event's shape changes, its class's ``schema_version`` goes up and a small
pure ``Upcast`` turns the old data into the new shape (or the old type into a new one); every reader — repository,
projections, rebuild — decodes through ``EventRegistry.decode``, so events written by older code replay unchanged.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic_core import from_json

from shared.aggregate import Aggregate, DomainEvent
from shared.eventstore import NewEvent, StoredEvent


class EventDecodingError(Exception):
    """A stored event this service cannot read: unknown type, missing upcaster, or data that does not fit its class."""


@dataclass(frozen=True)
class Upcast:
    """Turns data of ``event_type`` at ``from_version`` into version ``from_version + 1`` (of ``to_type``, if renamed).

    ``to_type`` may also be a function of the old data naming the new type, when one old event type splits into
    several (a catch-all event into specific facts): the data then becomes version 1 of the type it names.
    """

    event_type: str
    from_version: int
    change: Callable[[dict[str, Any]], dict[str, Any]]
    to_type: str | Callable[[Mapping[str, Any]], str] | None = None

    def target(self, old: Mapping[str, Any]) -> tuple[str, int]:
        """The type and version the data of ``old`` becomes."""
        if callable(self.to_type):
            return self.to_type(old), 1
        return self.to_type or self.event_type, self.from_version + 1


@dataclass(frozen=True)
class Recorded:
    """A domain event as the store holds it: the typed event plus where and when it was recorded.

    Projections receive these, never raw payloads.
    """

    event: DomainEvent
    stream_id: str
    stream_type: str
    version: int
    position: int
    event_id: uuid.UUID
    metadata: Mapping[str, Any]
    recorded_at: datetime

    @property
    def event_type(self) -> str:
        return self.event.event_type

    @property
    def actor(self) -> Mapping[str, Any] | None:
        return self.metadata.get("actor")


class EventRegistry:
    """The domain events one service stores, with the upcasters that bring older shapes up to date."""

    def __init__(self, types: Iterable[type[DomainEvent]], upcasts: Sequence[Upcast] = ()) -> None:
        self._types: dict[str, type[DomainEvent]] = {t.__name__: t for t in types}
        self._upcasts: dict[tuple[str, int], Upcast] = {}
        for upcast in upcasts:
            key = (upcast.event_type, upcast.from_version)
            if key in self._upcasts:
                raise ValueError(f"two upcasters for {upcast.event_type} v{upcast.from_version}")
            self._upcasts[key] = upcast
        for name, cls in self._types.items():
            for version in range(1, cls.schema_version):
                if (name, version) not in self._upcasts and not self._renamed_into(name, version):
                    raise ValueError(f"{name} is at v{cls.schema_version} but nothing upcasts v{version}")

    @classmethod
    def of(cls, *aggregates: type[Aggregate], upcasts: Sequence[Upcast] = (),
           extra: Iterable[type[DomainEvent]] = ()) -> EventRegistry:
        """The events of every aggregate the service stores (plus ``extra``), with their upcasters."""
        types = [t for a in aggregates for t in a.event_types.values()]
        return cls([*types, *extra], upcasts)

    def _renamed_into(self, name: str, version: int) -> bool:
        """True when ``name`` never existed at ``version``: a renamed event reaches it only at a later one."""
        return any(u.to_type == name and u.from_version >= version for u in self._upcasts.values())

    def __contains__(self, event_type: str) -> bool:
        return event_type in self._types

    def encode(self, event: DomainEvent, metadata: Mapping[str, Any]) -> NewEvent:
        """The event as the store keeps it: JSON-ready data and the class's current schema version."""
        return NewEvent(event.event_type, _adapter(type(event)).dump_python(event, mode="json"), dict(metadata),
                        type(event).schema_version)

    def decode(self, event_type: str, schema_version: int, data: Mapping[str, Any]) -> DomainEvent:
        name, version, current = event_type, schema_version, dict(data)
        while (upcast := self._upcasts.get((name, version))) is not None:
            (name, version), current = upcast.target(current), upcast.change(current)
        cls = self._types.get(name)
        if cls is None:
            raise EventDecodingError(f"unknown event type {name!r} (stored as {event_type} v{schema_version})")
        if version != cls.schema_version:
            raise EventDecodingError(f"{name} v{version} cannot be read as v{cls.schema_version}: no upcaster")
        try:
            return _adapter(cls).validate_python(current)
        except ValidationError as exc:
            raise EventDecodingError(f"{event_type} v{schema_version} does not fit {name}: {exc}") from exc

    def decode_text(self, event_type: str, schema_version: int, text: str) -> DomainEvent:
        """``decode`` of data as the store's JSON text. An event at its class's version, with no upcaster to run, is
        validated straight from the text (pydantic's JSON mode: a rebuild decodes every event, and this spares
        building the dict it would validate); otherwise, or if that fails, the text is parsed and ``decode``d."""
        cls = self._types.get(event_type)
        current = cls is not None and cls.schema_version == schema_version
        if current and (event_type, schema_version) not in self._upcasts:
            try:
                return _adapter(cls).validate_json(text)  # type: ignore[arg-type]
            except ValidationError:
                pass  # decode says why, from the same data
        try:
            data = from_json(text)
        except ValueError:  # what pydantic-core's parser refuses (a lone surrogate escape), json reads
            data = json.loads(text)
        return self.decode(event_type, schema_version, data)

    def recorded(self, stored: StoredEvent, event: DomainEvent | None = None) -> Recorded:
        """``stored`` as a typed ``Recorded``; ``event`` when the caller has it already (just appended)."""
        typed = event if event is not None else self.decode(stored.event_type, stored.schema_version, stored.data)
        return Recorded(typed, stored.stream_id, stored.stream_type, stored.version, stored.position, stored.event_id,
                        stored.metadata, stored.recorded_at)


class _Adapters(dict[type, TypeAdapter[Any]]):
    def __missing__(self, cls: type) -> TypeAdapter[Any]:
        adapter = self[cls] = TypeAdapter(cls)
        return adapter


_ADAPTERS = _Adapters()


def _adapter(cls: type[DomainEvent]) -> TypeAdapter[Any]:
    """One pydantic adapter per event class, built on first use (building one compiles a validator)."""
    return _ADAPTERS[cls]


