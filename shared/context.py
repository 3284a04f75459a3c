"""Who and what caused the current work: correlation, causation and actor, carried by a context variable."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class MessageContext:
    correlation_id: uuid.UUID = field(default_factory=uuid.uuid4)
    causation_id: uuid.UUID | None = None
    actor: dict[str, Any] | None = None

    def as_metadata(self) -> dict[str, Any]:
        return {
            "correlation_id": str(self.correlation_id),
            "causation_id": str(self.causation_id) if self.causation_id else None,
            "actor": self.actor,
        }


_current: contextvars.ContextVar[MessageContext | None] = contextvars.ContextVar("ocop_message_context", default=None)


def current_context() -> MessageContext:
    return _current.get() or MessageContext()


@contextmanager
def message_context(**values: Any) -> Iterator[MessageContext]:
    """Run a block on behalf of a request or an incoming event."""
    ctx = replace(current_context(), **values) if _current.get() else MessageContext(**values)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
