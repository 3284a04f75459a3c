"""Errors of the registration domain; the service definition maps each to a status, the body names the field and the rule."""

from __future__ import annotations

from shared.errors import DomainError


class RegistrationError(DomainError):
    """Base of registration's refusals: ``field`` names what was wrong, the message states the rule."""


class InvalidInput(RegistrationError):
    """The request breaks a rule of the data (422)."""


class DoesNotFit(RegistrationError):
    """The request is well formed but what the service holds refuses it: the registrations it names are of another
    district or cycle, there are none to send, the product was registered in a later cycle (409)."""


class IllegalTransition(RegistrationError):
    """The registration is not in a state that allows this step (409)."""


class DuplicateRegistration(RegistrationError):
    """The same producer already registered the same product in this cycle (409)."""


class UnknownProduct(RegistrationError):
    """A form 02 names a product (by id or certificate number) that was never registered here (404)."""


class ProductOfAnotherProducer(RegistrationError):
    """A form 02 names a product of another producer (409)."""


class NotANewProduct(RegistrationError):
    """A form 01 (new product) for a product its producer registered before: that is form 02's job (409)."""


class AlreadyExists(RegistrationError):
    """An aggregate with this id exists already (409)."""
