"""Errors of the registration domain; the API maps each to a status with the field and the rule."""

from __future__ import annotations


class RegistrationError(Exception):
    """Base: ``field`` names what was wrong, the message states the rule."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidInput(RegistrationError):
    """The request breaks a rule of the data (422)."""


class IllegalTransition(RegistrationError):
    """The registration is not in a state that allows this step (409)."""


class DuplicateRegistration(RegistrationError):
    """The same producer already registered the same product in this cycle (409)."""


class AlreadyExists(RegistrationError):
    """An aggregate with this id exists already (409)."""
