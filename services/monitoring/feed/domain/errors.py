"""Refusals of the feed's key management: each names the field and states the rule."""

from __future__ import annotations

from shared.errors import DomainError


class FeedError(DomainError):
    """Base of the feed's refusals."""


class InvalidKeyRequest(FeedError):
    """A key asked with an empty organisation, no or unknown event types, or a rate out of range (422)."""


class KeyAlreadyRevoked(FeedError):
    """The key was revoked before (409)."""
