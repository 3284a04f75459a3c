"""Errors of the registration domain; the service definition maps each to a status, the body names the field and the rule."""

from __future__ import annotations

from shared.errors import DomainError


class RegistrationError(DomainError):
    """Base of registration's refusals: ``field`` names what was wrong, the message states the rule."""


class InvalidInput(RegistrationError):
    """The request breaks a rule of the data (422)."""


class IllegalTransition(RegistrationError):
    """The registration is not in a state that allows this step (409)."""


class DuplicateRegistration(RegistrationError):
    """The same producer already registered the same product in this cycle (409)."""


class AlreadyExists(RegistrationError):
    """An aggregate with this id exists already (409)."""
