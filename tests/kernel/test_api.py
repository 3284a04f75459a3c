"""A kernel service over HTTP: bearer tokens, district scope, optimistic concurrency as 409, readiness, error bodies."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from fastapi import APIRouter, FastAPI

from shared.auth import mint_token
from shared.contracts.roles import Role
from shared.errors import DomainError
from shared.http.app import create_app
from shared.runtime import ServiceDefinition
from shared.settings import service_settings
from tests.kernel.support import new_topic
from tests.kernel.tally import definition, open_and_increment, settings_for


class TallyApi:
    def __init__(self, launcher, *, raise_app_exceptions: bool = True, **settings):
        self.name = f"kt_{uuid.uuid4().hex[:10]}"
        self.topic = new_topic(launcher)
        self.settings = settings_for(launcher, self.name, **settings)
        self.app = create_app(definition(self.name, self.topic, consume=False), self.settings)
        self.runtime = self.app.state.runtime
        # False: an exception the app lets through is the 500 a client would get, not an error raised in the test.
        self.raise_app_exceptions = raise_app_exceptions

    async def __aenter__(self):
        await self.runtime.start()
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=self.raise_app_exceptions)
        self.client = httpx.AsyncClient(transport=transport, base_url="http://ocop")
        return self

    async def __aexit__(self, *exc):
        await self.client.aclose()
        await self.runtime.stop()

    def token(self, role: Role, district: str | None = None) -> dict[str, str]:
        return {"Authorization": "Bearer " + mint_token(self.settings, actor_id="u-1", role=role, district=district)}

    async def increment(self, tally_id: str, district: str, expected: int, headers: dict[str, str]) -> httpx.Response:
        return await self.client.post(
            f"/districts/{district}/tallies/{tally_id}/increments", json={"amount": 1, "expected_version": expected}, headers=headers
        )


async def test_commands_need_a_valid_token_in_the_right_district(launcher):
    async with TallyApi(launcher) as api:
        tally_id = f"t-{uuid.uuid4()}"
        await open_and_increment(api.runtime.uow(), tally_id, "p-api", [1], api.topic)
        officer = api.token(Role.district_officer, "380")

        missing = await api.increment(tally_id, "380", 2, {})
        other_district = await api.increment(tally_id, "381", 2, officer)
        wrong_role = await api.increment(tally_id, "380", 2, api.token(Role.producer))
        accepted = await api.increment(tally_id, "380", 2, officer)

    assert missing.status_code == 401
    assert other_district.status_code == 403 and "381" in other_district.text
    assert wrong_role.status_code == 403 and "producer" in wrong_role.text
    assert accepted.status_code == 201 and accepted.json() == {"version": 3}


async def test_concurrent_commands_on_one_stream_one_wins_the_other_gets_409(launcher):
    async with TallyApi(launcher) as api:
        tally_id = f"t-{uuid.uuid4()}"
        await open_and_increment(api.runtime.uow(), tally_id, "p-race", [1], api.topic)
        office = api.token(Role.provincial_office)
        responses = await asyncio.gather(*(api.increment(tally_id, "380", 2, office) for _ in range(2)))
        stale = await api.increment(tally_id, "380", 2, office)

    assert sorted(r.status_code for r in responses) == [201, 409]
    conflict = next(r for r in responses if r.status_code == 409).json()["detail"]
    assert conflict["error"] == "conflict" and conflict["stream_id"] == tally_id
    assert stale.status_code == 409


async def test_a_paused_broker_leaves_the_service_ready_and_taking_commands_and_shows_in_ops_status(launcher):
    # Changed by issue 9: /readyz answered 503 while the broker was away, though the outbox holds the events.
    async with TallyApi(launcher) as api:
        tally_id = f"t-{uuid.uuid4()}"
        await open_and_increment(api.runtime.uow(), tally_id, "p-ready", [1], api.topic)
        launcher.broker.pause()
        try:
            ready = await api.client.get("/readyz")
            command = await api.increment(tally_id, "380", 2, api.token(Role.provincial_office))
            status = await api.client.get("/ops/status", headers=api.token(Role.operator))
        finally:
            launcher.broker.resume()
        alive = await api.client.get("/healthz")

    assert ready.status_code == 200 and ready.json() == {"status": "ready", "database": "ok"}
    assert command.status_code == 201 and command.json() == {"version": 3}
    assert status.status_code == 200 and status.json()["broker"].startswith("unreachable")
    assert status.json()["outbox_pending"] >= 1
    assert alive.status_code == 200


async def test_the_outbox_row_carries_the_trace_of_the_http_request(launcher):
    trace_id = uuid.uuid4().hex
    async with TallyApi(launcher) as api:
        tally_id = f"t-{uuid.uuid4()}"
        await open_and_increment(api.runtime.uow(), tally_id, "p-traced", [1], api.topic)
        headers = api.token(Role.provincial_office) | {"traceparent": f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"}
        response = await api.increment(tally_id, "380", 2, headers)
        async with api.runtime.pool.acquire() as conn:
            stored = await conn.fetchval("SELECT headers FROM outbox ORDER BY id DESC LIMIT 1")
            metadata = await conn.fetchval("SELECT metadata FROM events WHERE stream_id = $1 AND version = 3", tally_id)

    assert response.status_code == 201
    assert dict(stored)["traceparent"].split("-")[1] == trace_id
    assert metadata["traceparent"].split("-")[1] == trace_id


class Refused(DomainError):
    """A domain error the test service lists (409)."""


class RefusedTwice(Refused):
    """Not listed itself: answers as its listed base."""


class Unlisted(DomainError):
    """Neither it nor a base is listed: answers 422 invalid_input."""


def _errors_app() -> FastAPI:
    router = APIRouter()

    @router.post("/raise/{kind}")
    async def raise_(kind: str) -> None:
        raise {"refused": Refused, "twice": RefusedTwice, "unlisted": Unlisted}[kind]("the rule", field="thing")

    definition = ServiceDefinition(name="errors", routers=(router,), errors={Refused: (409, "refused")})
    return create_app(definition, service_settings("errors", max_request_bytes=1024))


async def test_domain_errors_answer_through_the_definition_table_and_unlisted_ones_with_422():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_errors_app()), base_url="http://ocop") as http:
        answers = [await http.post(f"/raise/{kind}") for kind in ("refused", "twice", "unlisted")]

    assert [(r.status_code, r.json()) for r in answers] == [
        (409, {"detail": {"error": "refused", "message": "the rule", "field": "thing"}}),
        (409, {"detail": {"error": "refused", "message": "the rule", "field": "thing"}}),
        (422, {"detail": {"error": "invalid_input", "message": "the rule", "field": "thing"}}),
    ]


async def test_a_body_over_the_limit_is_refused_with_413():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_errors_app()), base_url="http://ocop") as http:
        response = await http.post("/raise/refused", content=b"x" * 2048)

    assert response.status_code == 413
    assert response.json() == {
        "detail": {"error": "payload_too_large", "message": "request body over 1024 bytes", "field": "body"}
    }


async def test_operations_status_admits_the_vocabulary_operations_roles_only():
    app = _errors_app()
    token = mint_token(app.state.settings, actor_id="htx-1", role=Role.producer)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ocop") as http:
        response = await http.get("/ops/status", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 403
    assert response.json()["detail"]["message"] == (
        "role producer is not allowed here; allowed roles: operator, provincial_office"
    )
