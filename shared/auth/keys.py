"""Which JWT algorithm the settings name, and the key that signs or verifies with it (HS* secret, RS*/ES*/… PEM)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jwt

from shared.auth.errors import AuthConfigurationError
from shared.settings import KernelSettings

HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
ASYMMETRIC_ALGORITHMS = frozenset(jwt.algorithms.requires_cryptography)


def algorithm_of(settings: KernelSettings) -> str:
    algorithm = (settings.jwt_algorithm or "").strip()
    if algorithm not in HMAC_ALGORITHMS and algorithm not in ASYMMETRIC_ALGORITHMS:
        raise AuthConfigurationError(
            f"OCOP_JWT_ALGORITHM {algorithm!r} is not supported; use HS256/HS384/HS512 or RS*/PS*/ES*/EdDSA"
        )
    return algorithm


def signing_key(settings: KernelSettings, algorithm: str) -> Any:
    if algorithm in HMAC_ALGORITHMS:
        return _secret(settings, algorithm)
    if not settings.jwt_private_key:
        raise AuthConfigurationError(f"OCOP_JWT_ALGORITHM {algorithm} needs OCOP_JWT_PRIVATE_KEY to mint tokens")
    _need_crypto(algorithm)
    return _prepared_key(algorithm, _pem(settings.jwt_private_key), False)


def verification_key(settings: KernelSettings, algorithm: str) -> Any:
    if algorithm in HMAC_ALGORITHMS:
        return _secret(settings, algorithm)
    if settings.jwt_public_key:
        _need_crypto(algorithm)
        return _prepared_key(algorithm, _pem(settings.jwt_public_key), False)
    if settings.jwt_private_key:
        _need_crypto(algorithm)
        return _prepared_key(algorithm, _pem(settings.jwt_private_key), True)
    raise AuthConfigurationError(
        f"OCOP_JWT_ALGORITHM {algorithm} needs OCOP_JWT_PUBLIC_KEY (or OCOP_JWT_PRIVATE_KEY) to verify tokens"
    )


def _secret(settings: KernelSettings, algorithm: str) -> str:
    if not settings.jwt_secret:
        raise AuthConfigurationError(f"OCOP_JWT_ALGORITHM {algorithm} needs OCOP_JWT_SECRET")
    return settings.jwt_secret


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
