"""Authentication and authorisation for the OCOP services: roles, actors, bearer JWTs, FastAPI dependencies.

A command endpoint declares who may call it::

    @router.post("/districts/{district}/selections")
    async def select(district: str, actor: Actor = Depends(require(Role.district_officer, Role.provincial_office))):
        actor.ensure_district(district)
        ...

Tokens are JWTs signed with the key in :class:`~shared.settings.KernelSettings` (``jwt_secret`` for HS*,
``jwt_private_key`` / ``jwt_public_key`` for RS*/PS*/ES*/EdDSA) and carry ``sub`` (actor id), ``role``,
``district`` / ``commune`` where the role needs them, and the standard ``exp``, ``iat``, ``iss``, ``aud``.

Every failure is an :class:`AuthError`, which is a Starlette ``HTTPException``: FastAPI turns it into a response
with no extra handler, the body always being::

    {"detail": {"error": "<code>", "message": "<human sentence>", "field": "authorization" | "district" | "commune"}}

401 responses carry ``WWW-Authenticate: Bearer realm="ocop"`` (plus ``error="invalid_token"`` when a token was
presented but rejected, RFC 6750 §3); 403 responses carry ``error="insufficient_scope"``.

Settings are never read at import time: :func:`require` takes them from ``request.app.state.settings``.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from enum import Enum
from functools import lru_cache
from typing import Any

import jwt
from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.exceptions import HTTPException

from shared.settings import KernelSettings

__all__ = [
    "DEFAULT_LEEWAY",
    "DEFAULT_TTL",
    "DISTRICT_SCOPED_ROLES",
    "OPTIONALLY_DISTRICT_SCOPED_ROLES",
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
    "Role",
    "RoleNotAllowedError",
    "TokenExpiredError",
    "UnknownRoleError",
    "UnsupportedSchemeError",
    "bearer_token_from_header",
    "current_actor",
    "decode_token",
    "mint_token",
    "require",
]

log = logging.getLogger(__name__)

REALM = "ocop"
DEFAULT_TTL = timedelta(hours=8)
#: Clock skew tolerated on ``exp`` / ``iat`` / ``nbf`` between the token issuer and the service.
DEFAULT_LEEWAY = timedelta(seconds=30)

_DISTRICT_CODE = re.compile(r"^\d{3}$")  # GSO district code, e.g. "380" (TP Thanh Hóa)
_COMMUNE_CODE = re.compile(r"^\d{5}$")  # GSO commune code, five digits
_MAX_ACTOR_ID = 200
_HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
_ASYMMETRIC_ALGORITHMS = frozenset(jwt.algorithms.requires_cryptography)


# --------------------------------------------------------------------------------------------------- roles


class Role(str, Enum):
    """Who acts in the OCOP process. Values are what the ``role`` claim carries."""

    producer = "producer"
    commune_officer = "commune_officer"
    district_officer = "district_officer"
    council_member = "council_member"
    council_secretary = "council_secretary"
    provincial_office = "provincial_office"
    finance_officer = "finance_officer"
    inspector = "inspector"
    central_office = "central_office"
    operator = "operator"

    def __str__(self) -> str:  # f"{role}" -> "district_officer", not "Role.district_officer"
        return self.value

    @property
    def label_vi(self) -> str:
        return _LABELS_VI[self]

    @property
    def district_scoped(self) -> bool:
        """The role always acts inside one district and its token must carry ``district``."""
        return self in DISTRICT_SCOPED_ROLES


_LABELS_VI: dict[Role, str] = {
    Role.producer: "Chủ thể sản xuất (HTX, doanh nghiệp, tổ hợp tác, hộ có đăng ký kinh doanh)",
    Role.commune_officer: "Cán bộ UBND cấp xã",
    Role.district_officer: "Cán bộ bộ phận thường trực OCOP cấp huyện",
    Role.council_member: "Thành viên Hội đồng đánh giá, phân hạng sản phẩm OCOP",
    Role.council_secretary: "Thư ký Hội đồng đánh giá, phân hạng sản phẩm OCOP",
    Role.provincial_office: "Văn phòng Điều phối Chương trình MTQG xây dựng NTM tỉnh",
    Role.finance_officer: "Cán bộ Sở Tài chính",
    Role.inspector: "Cán bộ kiểm tra, giám sát chất lượng",
    Role.central_office: "Văn phòng Điều phối NTM Trung ương (Bộ NN&PTNT)",
    Role.operator: "Vận hành hệ thống (CNTT)",
}

#: Must carry ``district`` (and ``commune`` for commune_officer); act only inside it.
DISTRICT_SCOPED_ROLES: frozenset[Role] = frozenset({Role.commune_officer, Role.district_officer})
#: May carry ``district`` (district council) or not (provincial / central council).
OPTIONALLY_DISTRICT_SCOPED_ROLES: frozenset[Role] = frozenset({Role.council_member, Role.council_secretary})


def _scope_problem(role: Role, district: object, commune: object) -> tuple[str, str] | None:
    """``(error_code, message)`` when the role/district/commune combination is not allowed, else None."""
    if district is not None and (not isinstance(district, str) or not _DISTRICT_CODE.match(district)):
        return "invalid_claims", f"district claim must be a 3-digit district code, got {_shown(district)}"
    if commune is not None and (not isinstance(commune, str) or not _COMMUNE_CODE.match(commune)):
        return "invalid_claims", f"commune claim must be a 5-digit commune code, got {_shown(commune)}"
    if role in DISTRICT_SCOPED_ROLES and district is None:
        return "missing_district", f"{role} token must carry a district claim"
    if role is Role.commune_officer and commune is None:
        return "missing_commune", "commune_officer token must carry a commune claim"
    if role is not Role.commune_officer and commune is not None:
        return "invalid_claims", f"{role} token must not carry a commune claim (only commune_officer has one)"
    if district is not None and role not in DISTRICT_SCOPED_ROLES | OPTIONALLY_DISTRICT_SCOPED_ROLES:
        return "invalid_claims", f"{role} token must not carry a district claim ({role} is not district-scoped)"
    return None


def _shown(value: object, limit: int = 64) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------------------------------- errors


def _challenge(error: str | None = None, description: str | None = None) -> str:
    parts = [f'Bearer realm="{REALM}"']
    if error:
        parts.append(f'error="{error}"')
        if description:
            # RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E (printable ASCII but " and \).
            safe = "".join(c for c in description if " " <= c <= "~" and c not in '"\\')
            parts.append(f'error_description="{safe}"')
    return ", ".join(parts)


class AuthError(HTTPException):
    """Base of every authentication/authorisation failure; an ``HTTPException`` FastAPI renders as-is."""

    status_code: int = 401
    error: str = "unauthorized"
    field: str = "authorization"
    #: RFC 6750 ``error`` parameter of the ``WWW-Authenticate`` challenge, None for no error parameter.
    challenge_error: str | None = "invalid_token"
    #: When set, sent to the client instead of ``message`` (which then only goes to logs / the CLI).
    public_message: str | None = None

    def __init__(self, message: str, *, error: str | None = None, field: str | None = None) -> None:
        self.message = message
        if error is not None:
            self.error = error
        if field is not None:
            self.field = field
        shown = self.public_message or message
        headers = None
        if self.status_code in (401, 403):
            headers = {"WWW-Authenticate": _challenge(self.challenge_error, shown)}
        super().__init__(
            status_code=self.status_code,
            detail={"error": self.error, "message": shown, "field": self.field},
            headers=headers,
        )

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.status_code}, {self.error!r}, {self.message!r})"


class AuthenticationError(AuthError):
    """401: no usable credentials."""

    status_code = 401


class MissingTokenError(AuthenticationError):
    error = "missing_token"
    challenge_error = None  # RFC 6750 §3.1: no error code when the request carried no credentials

    def __init__(self, message: str = "missing bearer token") -> None:
        super().__init__(message)


class UnsupportedSchemeError(AuthenticationError):
    error = "unsupported_scheme"
    challenge_error = None


class MalformedTokenError(AuthenticationError):
    error = "malformed_token"


class InvalidSignatureError(AuthenticationError):
    error = "invalid_signature"


class TokenExpiredError(AuthenticationError):
    error = "token_expired"

    def __init__(self, message: str = "token expired") -> None:
        super().__init__(message)


class InvalidIssuerError(AuthenticationError):
    error = "invalid_issuer"


class InvalidAudienceError(AuthenticationError):
    error = "invalid_audience"


class InvalidClaimsError(AuthenticationError):
    error = "invalid_claims"


class UnknownRoleError(InvalidClaimsError):
    error = "unknown_role"


class MissingDistrictError(InvalidClaimsError):
    error = "missing_district"


class PermissionDeniedError(AuthError):
    """403: authenticated, but not allowed to do this."""

    status_code = 403
    error = "forbidden"
    challenge_error = "insufficient_scope"


class RoleNotAllowedError(PermissionDeniedError):
    error = "role_not_allowed"


class DistrictForbiddenError(PermissionDeniedError):
    error = "district_forbidden"
    field = "district"


class AuthConfigurationError(AuthError):
    """500: the service's JWT settings are unusable. ``message`` names the setting; clients see a generic text."""

    status_code = 500
    error = "auth_misconfigured"
    challenge_error = None
    public_message = "authentication is misconfigured on this server; see the service log"


# --------------------------------------------------------------------------------------------------- actor


class Actor(BaseModel):
    """The authenticated caller, as decoded from a token."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=_MAX_ACTOR_ID)
    role: Role
    district: str | None = None
    commune: str | None = None

    @model_validator(mode="after")
    def _check_scope(self) -> Actor:
        if problem := _scope_problem(self.role, self.district, self.commune):
            raise ValueError(problem[1])
        return self

    @property
    def scoped_district(self) -> str | None:
        """The district this actor is confined to; None when it may act province-wide (or is scoped otherwise)."""
        if self.role in DISTRICT_SCOPED_ROLES or self.role in OPTIONALLY_DISTRICT_SCOPED_ROLES:
            return self.district
        return None

    def ensure_district(self, district_code: str) -> None:
        """Raise 403 :class:`DistrictForbiddenError` if this actor is confined to another district.

        Actors without a district scope (provincial_office, finance_officer, central_office, inspector, a
        provincial/central council member, ...) pass; whether their *role* may act at all is :func:`require`'s job.
        """
        scoped = self.scoped_district
        if scoped is not None and scoped != str(district_code):
            raise DistrictForbiddenError(f"{self.role} of district {scoped} cannot act on district {district_code}")

    def ensure_commune(self, commune_code: str) -> None:
        """Raise 403 if a commune_officer acts on another commune. Other roles pass: a route acting on a commune
        must also call :meth:`ensure_district` with that commune's district (auth knows no commune→district map)."""
        if self.role is Role.commune_officer and self.commune != str(commune_code):
            raise DistrictForbiddenError(
                f"commune_officer of commune {self.commune} cannot act on commune {commune_code}", field="commune"
            )

    def as_event_actor(self) -> dict[str, str]:
        """What an event records about who caused it."""
        return {"id": self.id, "role": self.role.value}


# --------------------------------------------------------------------------------------------------- keys


def _algorithm(settings: KernelSettings) -> str:
    algorithm = (settings.jwt_algorithm or "").strip()
    if algorithm not in _HMAC_ALGORITHMS and algorithm not in _ASYMMETRIC_ALGORITHMS:
        raise AuthConfigurationError(
            f"OCOP_JWT_ALGORITHM {algorithm!r} is not supported; use HS256/HS384/HS512 or RS*/PS*/ES*/EdDSA"
        )
    return algorithm


def _pem(value: str) -> str:
    # A PEM pasted into one environment variable line often arrives with literal "\n".
    value = value.strip()
    if "\\n" in value and "\n" not in value:
        value = value.replace("\\n", "\n")
    return value


def _need_crypto(algorithm: str) -> None:
    if not jwt.algorithms.has_crypto:
        raise AuthConfigurationError(
            f"OCOP_JWT_ALGORITHM {algorithm} needs the 'cryptography' package (pip install 'pyjwt[crypto]')"
        )


@lru_cache(maxsize=16)
def _prepared_key(algorithm: str, material: str, public: bool) -> Any:
    """Parse a PEM once per (algorithm, key); ``public`` derives the public half when given a private key."""
    try:
        key = jwt.get_algorithm_by_name(algorithm).prepare_key(material)
    except (jwt.InvalidKeyError, NotImplementedError, ValueError, TypeError) as exc:
        raise AuthConfigurationError(f"the {algorithm} key in the settings cannot be loaded: {exc}") from exc
    if public and hasattr(key, "public_key"):
        key = key.public_key()
    return key


def _signing_key(settings: KernelSettings, algorithm: str) -> Any:
    if algorithm in _HMAC_ALGORITHMS:
        if not settings.jwt_secret:
            raise AuthConfigurationError(f"OCOP_JWT_ALGORITHM {algorithm} needs OCOP_JWT_SECRET")
        return settings.jwt_secret
    if not settings.jwt_private_key:
        raise AuthConfigurationError(f"OCOP_JWT_ALGORITHM {algorithm} needs OCOP_JWT_PRIVATE_KEY to mint tokens")
    _need_crypto(algorithm)
    return _prepared_key(algorithm, _pem(settings.jwt_private_key), False)


def _verification_key(settings: KernelSettings, algorithm: str) -> Any:
    if algorithm in _HMAC_ALGORITHMS:
        if not settings.jwt_secret:
            raise AuthConfigurationError(f"OCOP_JWT_ALGORITHM {algorithm} needs OCOP_JWT_SECRET")
        return settings.jwt_secret
    if settings.jwt_public_key:
        _need_crypto(algorithm)
        return _prepared_key(algorithm, _pem(settings.jwt_public_key), False)
    if settings.jwt_private_key:
        _need_crypto(algorithm)
        return _prepared_key(algorithm, _pem(settings.jwt_private_key), True)
    raise AuthConfigurationError(
        f"OCOP_JWT_ALGORITHM {algorithm} needs OCOP_JWT_PUBLIC_KEY (or OCOP_JWT_PRIVATE_KEY) to verify tokens"
    )


# --------------------------------------------------------------------------------------------------- tokens


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
    role: Role | str,
    district: str | None = None,
    commune: str | None = None,
    ttl: timedelta = DEFAULT_TTL,
    now: datetime | None = None,
) -> str:
    """Sign a token for one actor. Raises ``ValueError`` for an invalid actor (unknown role, district-scoped role
    without district, ...) or a non-positive ``ttl``, and :class:`AuthConfigurationError` for unusable settings."""
    parsed = Role(role)
    if problem := _scope_problem(parsed, district, commune):
        raise ValueError(problem[1])
    try:
        actor = Actor(id=actor_id, role=parsed, district=district, commune=commune)
    except ValidationError as exc:  # re-raised as a one-line ValueError the CLI can print as it is
        first = exc.errors()[0]
        raise ValueError(f"invalid {'.'.join(map(str, first['loc'])) or 'actor'}: {first['msg']}") from None
    if ttl <= timedelta(0):
        raise ValueError("ttl must be positive")
    issued = _utc(now)
    algorithm = _algorithm(settings)
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
    return jwt.encode(claims, _signing_key(settings, algorithm), algorithm=algorithm)


def _numeric_date(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidClaimsError(f"{name} claim must be a number of seconds since the epoch")
    return float(value)


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
    token = token.strip()
    algorithm = _algorithm(settings)
    key = _verification_key(settings, algorithm)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            # Times are checked below against ``now`` so tests and replays can pin the clock.
            options={
                "require": ["exp", "iat", "iss", "aud", "sub", "role"],
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.InvalidSignatureError as exc:
        raise InvalidSignatureError("invalid token signature") from exc
    except jwt.InvalidAlgorithmError as exc:
        raise InvalidSignatureError(
            f"token algorithm {_unverified_alg(token)} is not accepted (expected {algorithm})"
        ) from exc
    except jwt.MissingRequiredClaimError as exc:
        raise InvalidClaimsError(f"token is missing the {exc.claim!r} claim") from exc
    except jwt.InvalidIssuerError as exc:
        raise InvalidIssuerError(f"token issuer is not accepted (expected {settings.jwt_issuer!r})") from exc
    except jwt.InvalidAudienceError as exc:
        raise InvalidAudienceError(f"token audience is not accepted (expected {settings.jwt_audience!r})") from exc
    except jwt.DecodeError as exc:
        raise MalformedTokenError("malformed token: not a valid JWT") from exc
    except jwt.InvalidTokenError as exc:  # e.g. sub or jti of the wrong type
        raise InvalidClaimsError(f"invalid token claims: {exc}") from exc

    current = _utc(now).timestamp()
    slack = leeway.total_seconds()
    expires = _numeric_date(claims, "exp")
    issued = _numeric_date(claims, "iat")
    not_before = _numeric_date(claims, "nbf")
    if expires is not None and current >= expires + slack:
        raise TokenExpiredError()
    if issued is not None and issued > current + slack:
        raise InvalidClaimsError("token issued in the future (iat)")
    if not_before is not None and not_before > current + slack:
        raise InvalidClaimsError("token not yet valid (nbf)")

    subject = claims["sub"]
    if not subject or len(subject) > _MAX_ACTOR_ID:
        raise InvalidClaimsError(f"sub claim must be a non-empty actor id of at most {_MAX_ACTOR_ID} characters")
    raw_role = claims["role"]
    try:
        role = Role(raw_role)
    except ValueError:
        raise UnknownRoleError(f"unknown role {_shown(raw_role)}") from None
    district, commune = claims.get("district"), claims.get("commune")
    if problem := _scope_problem(role, district, commune):
        code, message = problem
        raise (MissingDistrictError if code == "missing_district" else InvalidClaimsError)(message, error=code)
    return Actor(id=subject, role=role, district=district, commune=commune)


def _unverified_alg(token: str) -> str:
    try:
        return _shown(jwt.get_unverified_header(token).get("alg"), 24)
    except jwt.PyJWTError:
        return "'?'"


# --------------------------------------------------------------------------------------------------- FastAPI

# Only for OpenAPI (the "Authorize" button); the header is parsed below so every failure gets our own error.
_bearer_scheme = HTTPBearer(auto_error=False, scheme_name="OCOP bearer JWT", bearerFormat="JWT")


def bearer_token_from_header(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header value, or an :class:`AuthenticationError`."""
    if authorization is None or not authorization.strip():
        raise MissingTokenError()
    scheme, _, rest = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise UnsupportedSchemeError(f"authorization scheme must be Bearer, got {_shown(scheme, 24)}")
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


def _roles(roles: Iterable[Role | str]) -> tuple[Role, ...]:
    return tuple(dict.fromkeys(Role(role) for role in roles))


def require(*roles: Role | str) -> Callable[..., Awaitable[Actor]]:
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
