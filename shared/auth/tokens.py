"""Bearer JWTs: sign one for an actor, verify one back into an actor.

Tokens are signed with the key in :class:`~shared.settings.KernelSettings` (``jwt_secret`` for HS*,
``jwt_private_key`` / ``jwt_public_key`` for RS*/PS*/ES*/EdDSA) and carry ``sub`` (actor id), ``role``,
``district`` / ``commune`` where the role needs them, and the standard ``exp``, ``iat``, ``iss``, ``aud``.
Role claims are read with the settings' role vocabulary (``settings.roles``).
"""

from __future__ import annotations

import functools
import types
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from pydantic import ValidationError

from shared.auth.actor import MAX_ACTOR_ID, Actor, ScopedRole, scope_problem
from shared.auth.errors import (
    AuthError,
    InvalidAudienceError,
    InvalidClaimsError,
    InvalidIssuerError,
    InvalidSignatureError,
    MalformedTokenError,
    MissingDistrictError,
    MissingTokenError,
    TokenExpiredError,
    UnknownRoleError,
    shown,
)
from shared.auth.keys import algorithm_of, signing_key, verification_key
from shared.settings import KernelSettings

DEFAULT_TTL = timedelta(hours=8)
#: Clock skew tolerated on ``exp`` / ``iat`` / ``nbf`` between the token issuer and the service.
DEFAULT_LEEWAY = timedelta(seconds=30)

_DECODE_OPTIONS = {
    "require": ["exp", "iat", "iss", "aud", "sub", "role"],
    # Times are checked by _check_times against ``now`` so tests and replays can pin the clock.
    "verify_exp": False,
    "verify_iat": False,
    "verify_nbf": False,
}


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def mint_token(
    settings: KernelSettings,
    *,
    actor_id: str,
    role: ScopedRole | str,
    district: str | None = None,
    commune: str | None = None,
    ttl: timedelta = DEFAULT_TTL,
    now: datetime | None = None,
) -> str:
    """Sign a token for one actor. Raises ``ValueError`` for an invalid actor (unknown role, district-scoped role
    without district, ...) or a non-positive ``ttl``, and :class:`AuthConfigurationError` for unusable settings."""
    actor = _valid_actor(settings, actor_id, role, district, commune)
    if ttl <= timedelta(0):
        raise ValueError("ttl must be positive")
    issued = _utc(now)
    algorithm = algorithm_of(settings)
    claims: dict[str, Any] = {
        "sub": actor.id,
        "role": actor.role.value,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": int(issued.timestamp()),
        "exp": int((issued + ttl).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    if actor.district is not None:
        claims["district"] = actor.district
    if actor.commune is not None:
        claims["commune"] = actor.commune
    return jwt.encode(claims, signing_key(settings, algorithm), algorithm=algorithm)


def _valid_actor(settings: KernelSettings, actor_id: str, role: ScopedRole | str, district: str | None,
                 commune: str | None) -> Actor:
    parsed = settings.roles(role)
    if problem := scope_problem(parsed, district, commune):
        raise ValueError(problem[1])
    try:
        return Actor(id=actor_id, role=parsed, district=district, commune=commune)
    except ValidationError as exc:  # re-raised as a one-line ValueError the CLI can print as it is
        first = exc.errors()[0]
        raise ValueError(f"invalid {'.'.join(map(str, first['loc'])) or 'actor'}: {first['msg']}") from None


def decode_token(
    settings: KernelSettings,
    token: str | None,
    *,
    now: datetime | None = None,
    leeway: timedelta = DEFAULT_LEEWAY,
) -> Actor:
    """Verify a bare JWT (no ``Bearer`` prefix) and return its actor, or raise an :class:`AuthError`."""
    if token is None or not token.strip():
        raise MissingTokenError()
    claims = _verified_claims(settings, token.strip())
    _check_times(claims, _utc(now).timestamp(), leeway.total_seconds())
    return _actor_of(claims, settings)


def _verified_claims(settings: KernelSettings, token: str) -> Mapping[str, Any]:
    algorithm = algorithm_of(settings)
    key = verification_key(settings, algorithm)
    try:
        return _verified(token, key, algorithm, settings.jwt_issuer, settings.jwt_audience)
    except jwt.InvalidTokenError as exc:
        raise _rejection(exc, settings, token, algorithm) from exc


@functools.lru_cache(maxsize=4096)
def _verified(token: str, key: Any, algorithm: str, issuer: str, audience: str) -> Mapping[str, Any]:
    """The claims of a token whose signature, issuer and audience were checked with ``key``; read-only.

    Cached: a client sends the same token with every request, and decoding and checking it again was a visible part of
    a command's CPU (bench.http_path). The cache is keyed by the key, issuer and audience too, so another
    configuration checks again; a refused token is never cached (the error propagates); times (exp, nbf) are not
    part of this and are checked on every request by ``_check_times``.
    """
    return types.MappingProxyType(jwt.decode(token, key, algorithms=[algorithm], issuer=issuer, audience=audience,
                                             options=_DECODE_OPTIONS))


def _rejection(exc: jwt.InvalidTokenError, settings: KernelSettings, token: str, algorithm: str) -> AuthError:
    """The 401 for a token PyJWT refused; the checks go from the most specific PyJWT error to the most general."""
    if isinstance(exc, jwt.InvalidSignatureError):
        return InvalidSignatureError("invalid token signature")
    if isinstance(exc, jwt.InvalidAlgorithmError):
        return InvalidSignatureError(f"token algorithm {_unverified_alg(token)} is not accepted (expected {algorithm})")
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return InvalidClaimsError(f"token is missing the {exc.claim!r} claim")
    if isinstance(exc, jwt.InvalidIssuerError):
        return InvalidIssuerError(f"token issuer is not accepted (expected {settings.jwt_issuer!r})")
    if isinstance(exc, jwt.InvalidAudienceError):
        return InvalidAudienceError(f"token audience is not accepted (expected {settings.jwt_audience!r})")
    if isinstance(exc, jwt.DecodeError):
        return MalformedTokenError("malformed token: not a valid JWT")
    return InvalidClaimsError(f"invalid token claims: {exc}")  # e.g. sub or jti of the wrong type


def _unverified_alg(token: str) -> str:
    try:
        return shown(jwt.get_unverified_header(token).get("alg"), 24)
    except jwt.PyJWTError:
        return "'?'"


def _numeric_date(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidClaimsError(f"{name} claim must be a number of seconds since the epoch")
    return float(value)


def _check_times(claims: Mapping[str, Any], current: float, slack: float) -> None:
    expires = _numeric_date(claims, "exp")
    issued = _numeric_date(claims, "iat")
    not_before = _numeric_date(claims, "nbf")
    if expires is not None and current >= expires + slack:
        raise TokenExpiredError()
    if issued is not None and issued > current + slack:
        raise InvalidClaimsError("token issued in the future (iat)")
    if not_before is not None and not_before > current + slack:
        raise InvalidClaimsError("token not yet valid (nbf)")


def _actor_of(claims: Mapping[str, Any], settings: KernelSettings) -> Actor:
    subject = claims["sub"]
    if not subject or len(subject) > MAX_ACTOR_ID:
        raise InvalidClaimsError(f"sub claim must be a non-empty actor id of at most {MAX_ACTOR_ID} characters")
    raw_role = claims["role"]
    try:
        role = settings.roles(raw_role)
    except ValueError:
        raise UnknownRoleError(f"unknown role {shown(raw_role)}") from None
    district, commune = claims.get("district"), claims.get("commune")
    if problem := scope_problem(role, district, commune):
        code, message = problem
        raise (MissingDistrictError if code == "missing_district" else InvalidClaimsError)(message, error=code)
    return Actor(id=subject, role=role, district=district, commune=commune)
