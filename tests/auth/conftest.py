"""A tiny FastAPI app with one protected command route, and helpers to mint or forge tokens for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI

from shared.auth import Actor, require
from shared.contracts.roles import Role
from shared.settings import KernelSettings

SECRET = "test-secret-for-ocop-auth-tests-0123456789-long-enough-for-hs512!!"
OTHER_SECRET = "another-secret-nobody-trusts-0123456789abcdef"


def make_settings(**overrides: Any) -> KernelSettings:
    """Explicit values everywhere so OCOP_JWT_* variables in the environment cannot leak into the tests."""
    values: dict[str, Any] = {
        "jwt_secret": SECRET,
        "jwt_algorithm": "HS256",
        "jwt_public_key": None,
        "jwt_private_key": None,
        "jwt_issuer": "ocop-test",
        "jwt_audience": "ocop-services",
    }
    values.update(overrides)
    return KernelSettings(**values)


def build_app(settings: KernelSettings | None) -> FastAPI:
    app = FastAPI()
    if settings is not None:
        app.state.settings = settings

    @app.post("/districts/{district}/things")
    async def create_thing(
        district: str, actor: Actor = Depends(require(Role.district_officer, Role.provincial_office))
    ) -> dict[str, Any]:
        actor.ensure_district(district)
        return {"district": district, "actor": actor.as_event_actor()}

    return app


def forge(claims: dict[str, Any], *, secret: str = SECRET, algorithm: str = "HS256", **standard: Any) -> str:
    """Sign arbitrary claims (mint_token refuses invalid actors), filling valid standard claims by default."""
    now = datetime.now(UTC)
    payload: dict[str, Any] = {
        "iss": "ocop-test",
        "aud": "ocop-services",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(hours=1)).timestamp()),
    }
    payload.update(standard)
    payload.update(claims)
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, secret, algorithm=algorithm)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def settings() -> KernelSettings:
    return make_settings()


@pytest.fixture
async def client(settings: KernelSettings) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://ocop.test") as http:
        yield http
