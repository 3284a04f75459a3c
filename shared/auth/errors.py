"""Every authentication/authorisation failure, as an HTTP error with an RFC 6750 ``WWW-Authenticate`` challenge.

The body is always ``{"detail": {"error": "<code>", "message": "<human sentence>", "field": "authorization" |
"district" | "commune"}}``. 401 responses carry ``WWW-Authenticate: Bearer realm="ocop"`` (plus
``error="invalid_token"`` when a token was presented but rejected, RFC 6750 §3); 403 responses carry
``error="insufficient_scope"``.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException

REALM = "ocop"


def shown(value: object, limit: int = 64) -> str:
    """A client-supplied value as it appears in a message: its repr, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def challenge(error: str | None = None, description: str | None = None) -> str:
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
        shown_message = self.public_message or message
        headers = None
        if self.status_code in (401, 403):
            headers = {"WWW-Authenticate": challenge(self.challenge_error, shown_message)}
        super().__init__(
            status_code=self.status_code,
            detail={"error": self.error, "message": shown_message, "field": self.field},
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
