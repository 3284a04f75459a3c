"""The one kernel base of every service's domain errors."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of a domain refused the request: the message states the rule, ``field`` names what was wrong.

    Each service subclasses it (``RatingError``, ``RegistrationError``) and maps its subclasses to a status in
    its ``ServiceDefinition.errors``; the HTTP layer answers with ``{"detail": {"error", "message", "field"}}``.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
