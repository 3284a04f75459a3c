"""Loading aggregates in a unit of work, each stream once.

A consumer handles a batch of records in one unit of work, and every reward of a plan year draws on the same
budget line: loading that line once per record would give two copies, each recording from the same version, and the
unit would conflict with itself at commit. Here a stream loaded (or added) in a unit is the same object for the rest
of that unit. The map is keyed by the unit's event store, which each ``async with`` of a unit makes anew, so a
retried unit starts clean.
"""

from __future__ import annotations

from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from shared.aggregate import Aggregate
from shared.uow import NotFound

A = TypeVar("A", bound=Aggregate)

_LOADED: WeakKeyDictionary[Any, dict[str, Aggregate]] = WeakKeyDictionary()


def _loaded(uow: Any) -> dict[str, Aggregate]:
    return _LOADED.setdefault(uow.events, {})


async def find(uow: Any, kind: type[A], stream_id: str) -> A | None:
    loaded = _loaded(uow)
    if stream_id not in loaded:
        found = await uow.repository(kind).find(stream_id)
        if found is None:
            return None
        loaded[stream_id] = found
    return loaded[stream_id]  # type: ignore[return-value]


async def get(uow: Any, kind: type[A], stream_id: str) -> A:
    found = await find(uow, kind, stream_id)
    if found is None:
        raise NotFound(kind.stream_type, stream_id)
    return found


def add(uow: Any, aggregate: A) -> A:
    uow.repository(type(aggregate)).add(aggregate)
    _loaded(uow)[aggregate.id] = aggregate
    return aggregate


async def find_or_add(uow: Any, kind: type[A], stream_id: str) -> A:
    return await find(uow, kind, stream_id) or add(uow, kind(stream_id))


async def flush(uow: Any) -> None:
    """Save what the unit recorded so far, now, in its transaction (the kernel's consumer also does so after each
    record, inside its message context), and forget the aggregates loaded: the next record of the batch loads afresh
    and sees these facts in the transaction.
    """
    await uow.flush()
    _LOADED.pop(uow.events, None)
