"""One JSON access line per HTTP request: method, route template, status, duration, actor, and the server span's trace;
for refused and failed requests too; probes at DEBUG."""

from __future__ import annotations

import uuid

import httpx
from fastapi import APIRouter, Depends, FastAPI, Query
from opentelemetry.trace import SpanKind

from shared.auth import Actor, mint_token, require
from shared.contracts.roles import Role
from shared.http.access import log_requests
from shared.http.app import create_app
from shared.runtime import ServiceDefinition
from shared.settings import service_settings
from tests.kernel.test_observability import configure, lines_of  # noqa: F401  (configure is a fixture)


def _app() -> FastAPI:
    router = APIRouter()

    @router.get("/districts/{district}/things/{thing_id}")
    async def thing(district: str, thing_id: str, limit: int = Query(10, le=100),
                    actor: Actor = Depends(require(Role.district_officer))) -> dict[str, str]:
        actor.ensure_district(district)
        return {"thing_id": thing_id}

    @router.post("/things")
    async def fail() -> None:
        raise RuntimeError("a bug")

    return create_app(ServiceDefinition(name="access", routers=(router,)), service_settings("access"))


def _token(app: FastAPI) -> dict[str, str]:
    token = mint_token(app.state.settings, actor_id="cb-380", role=Role.district_officer, district="380")
    return {"Authorization": f"Bearer {token}"}


async def _send(app: FastAPI, *requests: tuple[str, str, dict[str, str]]) -> list[int]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                 base_url="http://ocop") as http:
        return [(await http.request(method, path, headers=headers)).status_code for method, path, headers in requests]


def _server_span(spans, trace_id: str):
    return next(s for s in spans.get_finished_spans()
                if s.kind is SpanKind.SERVER and format(s.context.trace_id, "032x") == trace_id)


async def test_each_request_writes_one_line_with_route_status_duration_actor_and_trace(configure, spans):
    logs = configure(level="INFO")
    app = _app()
    trace_id = uuid.uuid4().hex
    traced = _token(app) | {"traceparent": f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"}

    statuses = await _send(app, ("GET", "/districts/380/things/t-1?limit=5", traced),
                           ("GET", "/districts/380/things/t-1", {}),
                           ("GET", "/districts/380/things/t-1?limit=many", _token(app)),
                           ("GET", "/districts/381/things/t-1", _token(app)),
                           ("GET", "/nowhere/1", {}),
                           ("DELETE", "/things", {}),
                           ("POST", "/things", _token(app)))
    lines = [line for line in lines_of(logs) if line["event"] == "http request"]

    assert statuses == [200, 401, 422, 403, 404, 405, 500]
    assert [(line["method"], line["route"], line["status"]) for line in lines] == [
        ("GET", "/districts/{district}/things/{thing_id}", 200),
        ("GET", "/districts/{district}/things/{thing_id}", 401),
        ("GET", "/districts/{district}/things/{thing_id}", 422),
        ("GET", "/districts/{district}/things/{thing_id}", 403),
        ("GET", None, 404),
        ("DELETE", "/things", 405),
        ("POST", "/things", 500),
    ]
    ok = lines[0]
    assert ok["path"] == "/districts/380/things/t-1" and "limit" not in str(ok)  # the query string is not logged
    assert (ok["level"], ok["service"], ok["logger"]) == ("info", "registration", "shared.http.access")
    assert (ok["actor_id"], ok["actor_role"]) == ("cb-380", "district_officer")
    server = _server_span(spans, trace_id)
    assert (ok["trace_id"], ok["span_id"]) == (trace_id, format(server.context.span_id, "016x"))
    assert all(isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0 for line in lines)
    assert all(len(line["trace_id"]) == 32 and len(line["span_id"]) == 16 for line in lines)
    assert lines[1]["actor_id"] is None and lines[1]["actor_role"] is None  # refused before any actor was admitted
    assert (lines[3]["actor_id"], lines[3]["status"]) == ("cb-380", 403)  # admitted, then refused by district
    assert lines[4]["path"] == "/nowhere/1"


async def test_probes_are_logged_at_debug_only(configure):
    app = _app()
    logs = configure(level="INFO")
    assert await _send(app, ("GET", "/healthz", {}), ("GET", "/ops/status", {})) == [200, 401]
    assert [(line["route"], line["status"]) for line in lines_of(logs)] == [("/ops/status", 401)]

    logs = configure(level="DEBUG", library_level="WARNING")
    await _send(app, ("GET", "/healthz", {}))
    probe = next(line for line in lines_of(logs) if line["event"] == "http request")
    assert (probe["route"], probe["status"], probe["level"]) == ("/healthz", 200, "debug")
    assert "trace_id" not in probe  # probes are not traced


async def test_warning_level_quiets_access_lines(configure):
    logs = configure(level="WARNING")
    assert await _send(_app(), ("GET", "/ops/status", {})) == [401]
    assert lines_of(logs) == []


async def test_a_request_whose_handler_raises_past_every_handler_is_logged_as_500(configure):
    """The bare middleware: what escapes the app is a 500 from the server's error middleware, and still one line."""
    logs = configure(level="INFO")
    app = FastAPI()
    log_requests(app)

    @app.get("/explode/{n}")
    async def explode(n: int) -> None:
        raise ZeroDivisionError(n)

    assert await _send(app, ("GET", "/explode/0", {})) == [500]
    (line,) = [line for line in lines_of(logs) if line["event"] == "http request"]
    assert (line["route"], line["status"], line["actor_id"]) == ("/explode/{n}", 500, None)
