"""FastAPI dependencies: read the bearer token of a request and admit its actor, by role.

Settings are never read at import time: the dependencies take them from ``request.app.state.settings``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth.actor import Actor, ScopedRole, is_role
from shared.auth.errors import (
    AuthConfigurationError,
    MalformedTokenError,
    MissingTokenError,
    RoleNotAllowedError,
    UnsupportedSchemeError,
    shown,
)
from shared.auth.tokens import decode_token
from shared.settings import KernelSettings

log = logging.getLogger("shared.auth")

# Only for OpenAPI (the "Authorize" button); the header is parsed below so every failure gets our own error.
_bearer_scheme = HTTPBearer(auto_error=False, scheme_name="OCOP bearer JWT", bearerFormat="JWT")


def bearer_token_from_header(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header value, or an :class:`AuthenticationError`."""
    if authorization is None or not authorization.strip():
        raise MissingTokenError()
    scheme, _, rest = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise UnsupportedSchemeError(f"authorization scheme must be Bearer, got {shown(scheme, 24)}")
    token = rest.strip()
    if not token:
        raise MissingTokenError()
    if any(c.isspace() for c in token):
        raise MalformedTokenError("malformed bearer token: it contains whitespace")
    return token


def _settings_of(request: Request) -> KernelSettings:
    settings = getattr(request.app.state, "settings", None)
    if not isinstance(settings, KernelSettings):
        raise AuthConfigurationError("app.state.settings is not a KernelSettings; the app factory must set it")
    return settings


def _authenticate(request: Request) -> Actor:
    try:
        actor = decode_token(_settings_of(request), bearer_token_from_header(request.headers.get("authorization")))
    except AuthConfigurationError as exc:
        log.error("auth misconfigured: %s", exc.message)
        raise
    request.state.actor = actor
    return actor


def _roles(roles: Iterable[ScopedRole]) -> tuple[ScopedRole, ...]:
    roles = tuple(roles)
    for role in roles:
        if not is_role(role):
            raise TypeError(f"require() takes members of the role vocabulary (e.g. Role.inspector), not {shown(role)}")
    return tuple(dict.fromkeys(roles))


def require(*roles: ScopedRole) -> Callable[..., Awaitable[Actor]]:
    """A FastAPI dependency admitting only the given roles: ``actor: Actor = Depends(require(Role.inspector))``.

    401 when the token is missing or invalid, 403 (:class:`RoleNotAllowedError`) when its role is not listed.
    District scope is checked by the route with :meth:`Actor.ensure_district`, which knows the target district.
    """
    allowed = _roles(roles)
    if not allowed:
        raise ValueError("require() needs at least one role; use current_actor for any authenticated actor")
    names = ", ".join(role.value for role in allowed)

    async def dependency(
        request: Request, _credentials: HTTPAuthorizationCredentials | None = Security(_bearer_scheme)
    ) -> Actor:
        actor = _authenticate(request)
        if actor.role not in allowed:
            raise RoleNotAllowedError(f"role {actor.role} is not allowed here; allowed roles: {names}")
        return actor

    dependency.__name__ = dependency.__qualname__ = f"require({names})"
    return dependency


async def current_actor(
    request: Request, _credentials: HTTPAuthorizationCredentials | None = Security(_bearer_scheme)
) -> Actor:
    """A FastAPI dependency admitting any authenticated actor, whatever the role (for reads, not commands)."""
    return _authenticate(request)
