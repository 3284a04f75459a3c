"""Authentication and authorisation for the OCOP services: actors, bearer JWTs, FastAPI dependencies.

A command endpoint declares who may call it::

    @router.post("/districts/{district}/selections")
    async def select(district: str, actor: Actor = Depends(require(Role.district_officer, Role.provincial_office))):
        actor.ensure_district(district)
        ...

The kernel knows no role by name: ``Role`` is the programme's vocabulary (:mod:`shared.contracts.roles`), handed to
auth through ``KernelSettings.roles``. The package, by reason to change:

- :mod:`~shared.auth.errors` — every failure as an HTTP error with its RFC 6750 challenge;
- :mod:`~shared.auth.actor` — the :class:`Actor` and the district/commune scope its role declares;
- :mod:`~shared.auth.keys` — the JWT algorithm and the key that signs or verifies;
- :mod:`~shared.auth.tokens` — :func:`mint_token` and :func:`decode_token`;
- :mod:`~shared.auth.http` — bearer parsing and the FastAPI dependencies :func:`require`, :func:`current_actor`.
"""

from shared.auth.actor import Actor, RoleVocabulary, ScopedRole
from shared.auth.errors import (
    AuthConfigurationError,
    AuthenticationError,
    AuthError,
    DistrictForbiddenError,
    InvalidAudienceError,
    InvalidClaimsError,
    InvalidIssuerError,
    InvalidSignatureError,
    MalformedTokenError,
    MissingDistrictError,
    MissingTokenError,
    PermissionDeniedError,
    RoleNotAllowedError,
    TokenExpiredError,
    UnknownRoleError,
    UnsupportedSchemeError,
)
from shared.auth.http import bearer_token_from_header, current_actor, require
from shared.auth.tokens import DEFAULT_LEEWAY, DEFAULT_TTL, decode_token, mint_token

__all__ = [
    "DEFAULT_LEEWAY",
    "DEFAULT_TTL",
    "Actor",
    "AuthConfigurationError",
    "AuthError",
    "AuthenticationError",
    "DistrictForbiddenError",
    "InvalidAudienceError",
    "InvalidClaimsError",
    "InvalidIssuerError",
    "InvalidSignatureError",
    "MalformedTokenError",
    "MissingDistrictError",
    "MissingTokenError",
    "PermissionDeniedError",
    "RoleNotAllowedError",
    "RoleVocabulary",
    "ScopedRole",
    "TokenExpiredError",
    "UnknownRoleError",
    "UnsupportedSchemeError",
    "bearer_token_from_header",
    "current_actor",
    "decode_token",
    "mint_token",
    "require",
]
