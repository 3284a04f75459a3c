"""Faults under HTTP: a lost database connection is retried or answered 503 with JSON and Retry-After, an unexpected
error is a JSON 500, and input PostgreSQL cannot store is a 422 naming the field, on every route."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
from fastapi import APIRouter, Query
from pydantic import BaseModel
from structlog.testing import capture_logs

from shared.auth import mint_token
from shared.contracts.roles import Role
from shared.db import connection_lost
from shared.http.app import create_app
from shared.runtime import ServiceDefinition
from shared.settings import service_settings
from shared.uow import CommitOutcomeUnknown
from tests.kernel.support import eventually, new_topic, tally_service
from tests.kernel.tally import Tally, open_and_increment
from tests.kernel.test_api import TallyApi

# ----------------------------------------------------------------------------------------------- in memory


class Product(BaseModel):
    name: str
    count: int = 0


class Form(BaseModel):
    product: Product
    tags: list[str] = []


def _app(failures: list[Exception] | None = None):
    """Routes that fail with the given exceptions, one per call, then answer; and routes taking every kind of input."""
    failures = failures if failures is not None else []
    calls: list[bytes] = []
    router = APIRouter()

    @router.post("/commands")
    async def command(form: Form) -> dict[str, str]:
        calls.append(form.product.name.encode())
        if failures:
            raise failures.pop(0)
        return {"name": form.product.name}

    @router.get("/items/{item_id}")
    async def items(item_id: str, offset: int = Query(default=0, ge=0), q: str | None = None,
                    code: str | None = None) -> dict[str, object]:
        return {"item_id": item_id, "offset": offset, "q": q, "code": code}

    app = create_app(ServiceDefinition(name="faults", routers=(router,)), service_settings("faults", http_attempts=3))
    return app, calls


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ocop")


async def test_a_request_hit_by_a_lost_connection_runs_again_with_its_body():
    app, calls = _app([asyncpg.exceptions.ConnectionDoesNotExistError("closed in the middle of operation"), OSError()])
    async with _client(app) as http:
        response = await http.post("/commands", json={"product": {"name": "Bánh gai"}})

    assert response.status_code == 200 and response.json() == {"name": "Bánh gai"}
    assert calls == ["Bánh gai".encode()] * 3


async def test_a_connection_lost_on_every_attempt_answers_503_with_retry_after_and_the_json_body():
    app, calls = _app([asyncpg.exceptions.AdminShutdownError("terminating connection")] * 5)
    async with _client(app) as http:
        response = await http.post("/commands", json={"product": {"name": "Nem chua"}})

    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert response.json() == {"detail": {"error": "unavailable", "message": "the database is unavailable; try again",
                                          "field": None}}
    assert len(calls) == 3


async def test_a_commit_whose_outcome_is_unknown_is_not_run_again_and_answers_503():
    app, calls = _app([CommitOutcomeUnknown("connection lost during COMMIT")])
    async with _client(app) as http:
        response = await http.post("/commands", json={"product": {"name": "Chè lam"}})

    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert "may have been applied" in response.json()["detail"]["message"]
    assert len(calls) == 1


async def test_an_unexpected_error_answers_500_with_the_json_body_not_plain_text_and_is_logged_with_its_trace():
    app, calls = _app([KeyError("a bug")])
    async with _client(app) as http:
        with capture_logs() as logs:
            response = await http.post("/commands", json={"product": {"name": "Mắm tép"}})

    detail = response.json()["detail"]
    [logged] = [e for e in logs if e["event"] == "unexpected error"]
    assert response.status_code == 500 and response.headers["content-type"] == "application/json"
    assert detail["error"] == "internal" and detail["field"] is None and logged["reference"] in detail["message"]
    assert isinstance(logged["exc_info"], KeyError) and logged["path"] == "/commands"
    assert len(calls) == 1


async def test_a_nul_character_in_any_string_of_the_body_is_a_422_naming_the_field():
    app, calls = _app()
    async with _client(app) as http:
        in_name = await http.post("/commands", json={"product": {"name": "Bánh\u0000gai"}})
        in_list = await http.post("/commands", json={"product": {"name": "ok"}, "tags": ["a", "b\u0000"]})

    assert in_name.status_code == 422 and in_name.json()["detail"]["field"] == "product.name"
    assert in_name.json()["detail"]["error"] == "invalid_request" and "NUL" in in_name.json()["detail"]["message"]
    assert in_list.status_code == 422 and in_list.json()["detail"]["field"] == "tags.1"
    assert calls == []


async def test_a_nul_character_in_the_query_or_the_path_is_a_422_naming_the_parameter():
    app, _ = _app()
    async with _client(app) as http:
        query = await http.get("/items/a", params={"q": "x\u0000y"})
        path = await http.get("/items/a%00b")

    assert query.status_code == 422 and query.json()["detail"]["field"] == "q"
    assert path.status_code == 422 and path.json()["detail"]["field"] == "item_id"


async def test_an_integer_beyond_64_bits_is_a_422_in_the_query_and_the_body_but_digits_as_text_pass():
    app, calls = _app()
    async with _client(app) as http:
        offset = await http.get("/items/a", params={"offset": "99999999999999999999"})
        body = await http.post("/commands", json={"product": {"name": "ok", "count": 2**64}})
        text = await http.get("/items/a", params={"code": "99999999999999999999", "offset": str(2**63 - 1)})

    assert offset.status_code == 422 and offset.json()["detail"]["field"] == "offset"
    assert "64 bits" in offset.json()["detail"]["message"]
    assert body.status_code == 422 and body.json()["detail"]["field"] == "product.count"
    assert text.status_code == 200 and text.json()["code"] == "99999999999999999999"
    assert calls == []


async def test_nan_in_the_body_is_a_422():
    app, _ = _app()
    async with _client(app) as http:
        response = await http.post("/commands", content=b'{"product": {"name": "ok"}, "score": NaN}',
                                   headers={"content-type": "application/json"})

    assert response.status_code == 422 and response.json()["detail"]["field"] == "score"


async def test_a_number_written_as_a_float_beyond_64_bits_is_a_422_naming_the_field():
    app, calls = _app()
    async with _client(app) as http:
        response = await http.post("/commands", content=b'{"product": {"name": "ok", "count": 1e30}}',
                                   headers={"content-type": "application/json"})

    assert response.status_code == 422 and response.json()["detail"]["field"] == "product.count"
    assert calls == []


def test_every_route_documents_the_503_with_its_retry_after_header_and_the_500():
    app, _ = _app()
    paths = app.openapi()["paths"]

    operations = [operation for methods in paths.values() for operation in methods.values()]
    assert len(operations) == 5  # /commands, /items, /healthz, /readyz, /ops/status
    for operation in operations:
        assert {"500", "503"} <= set(operation["responses"])
        assert "Retry-After" in operation["responses"]["503"]["headers"]
        assert operation["responses"]["503"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorBody"}


def test_every_error_a_route_may_answer_is_documented_with_the_project_error_body_not_fastapis():
    app, _ = _app()
    spec = app.openapi()

    for methods in spec["paths"].values():
        for operation in methods.values():
            for status in ("401", "403", "404", "409", "413", "422"):
                assert operation["responses"][status]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorBody"}, status
    assert "HTTPValidationError" not in spec["components"]["schemas"]


# ----------------------------------------------------------------------------------------------- real PostgreSQL


async def _terminate_busy_backends(database_url: str, application_name: str) -> int:
    """End the service's connections that are inside a statement or a transaction; how many."""
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = $1 AND state IN ('active', 'idle in transaction')",
            application_name,
        )
    finally:
        await conn.close()


async def _stored_versions(api: TallyApi, tally_ids: list[str]) -> dict[str, set[int]]:
    """Read on a connection of the test's own: the service's are the ones being cut."""
    conn = await asyncpg.connect(api.settings.database_url)
    try:
        rows = await conn.fetch(f'SELECT stream_id, version FROM "{api.name}".events WHERE stream_id = ANY($1::text[])',
                                tally_ids)
    finally:
        await conn.close()
    versions: dict[str, set[int]] = {t: set() for t in tally_ids}
    for row in rows:
        versions[row["stream_id"]].add(row["version"])
    return versions


async def test_connections_cut_during_a_stream_of_commands_answer_no_500_and_lose_no_acknowledged_command(launcher):
    workers, commands, cuts = 8, 30, 4
    async with TallyApi(launcher, raise_app_exceptions=False) as api:
        tally_ids = [f"t-{uuid.uuid4()}" for _ in range(workers)]
        for tally_id in tally_ids:
            await open_and_increment(api.runtime.uow(), tally_id, f"p-{tally_id}", [1], api.topic)
        office = api.token(Role.provincial_office)
        answers: list[tuple[str, httpx.Response]] = []

        async def send_commands(tally_id: str) -> None:
            version = 2
            for _ in range(commands):
                response = await api.increment(tally_id, "380", version, office)
                answers.append((tally_id, response))
                # After a 503 the store says where the stream is (the command may or may not have been applied).
                version = response.json()["version"] if response.status_code == 201 else max(
                    (await _stored_versions(api, [tally_id]))[tally_id])

        async def cut_connections() -> list[int]:
            cut: list[int] = []
            for _ in range(cuts):
                done = len(answers)
                cut.append(await eventually(
                    lambda: _terminate_busy_backends(launcher.database_url, f"ocop-{api.name}"),
                    timeout=20, what="a service connection inside a transaction"))
                # The next cut comes after the service answered more commands, not after some time.
                await eventually(lambda: _answered_since(answers, done, 10), timeout=20, what="commands after a cut")
            return cut

        *_, cut = await asyncio.gather(*(send_commands(t) for t in tally_ids), cut_connections())
        stored = await _stored_versions(api, tally_ids)

    statuses = Counter(response.status_code for _, response in answers)
    assert sum(cut) >= cuts and len(answers) == workers * commands
    assert set(statuses) <= {201, 503}, statuses
    for tally_id, response in answers:
        if response.status_code == 201:
            assert response.json()["version"] in stored[tally_id]
        else:
            assert response.headers["retry-after"] == "1"
            assert response.json()["detail"]["error"] == "unavailable"
    for tally_id in tally_ids:
        mine = Counter(response.status_code for t, response in answers if t == tally_id)
        # Every acknowledged increment is stored; a 503 may or may not have been applied; nothing else was.
        assert mine[201] <= len(stored[tally_id]) - 2 <= mine[201] + mine[503]


async def _answered_since(answers: list, done: int, count: int) -> bool:
    return len(answers) >= done + count


class _Cuttable:
    """A TCP relay to PostgreSQL in the test's event loop; ``cut()`` closes its connections and refuses new ones."""

    def __init__(self, database_url: str) -> None:
        self._parts = urlsplit(database_url)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.url = ""

    async def __aenter__(self) -> _Cuttable:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = urlunsplit(self._parts._replace(netloc=self._parts.netloc.replace(f":{self._parts.port}", f":{port}")))
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.cut()

    def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.transport.abort()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream = await asyncio.open_connection(self._parts.hostname, self._parts.port)
        self._writers |= {writer, upstream}
        await asyncio.gather(_pipe(reader, upstream), _pipe(upstream_reader, writer))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.transport.abort()


async def test_an_unreachable_database_answers_commands_503_with_retry_after_and_readiness_503(launcher):
    async with _Cuttable(launcher.database_url) as database:
        async with TallyApi(launcher, database_url=database.url, shutdown_step_seconds=2) as api:
            tally_id = f"t-{uuid.uuid4()}"
            await open_and_increment(api.runtime.uow(), tally_id, "p-down", [1], api.topic)
            ready = await api.client.get("/readyz")
            database.cut()
            command = await api.increment(tally_id, "380", 2, api.token(Role.provincial_office))
            not_ready = await api.client.get("/readyz")

    assert ready.status_code == 200
    assert command.status_code == 503 and command.headers["retry-after"] == "1"
    assert command.json() == {"detail": {"error": "unavailable", "message": "the database is unavailable; try again",
                                         "field": None}}
    assert not_ready.status_code == 503 and not_ready.headers["content-type"] == "application/json"
    assert not_ready.json()["status"] == "not ready" and not_ready.json()["database"].startswith("unreachable")


# ----------------------------------------------------------------------------------------------- a COMMIT whose answer is lost


class _LostCommit:
    """Injected at the one point no real fault can be aimed at: the connection drops during COMMIT, after the server
    got it (``committed``) or before, and ``then`` runs as it drops."""

    def __init__(self, transaction, *, committed: bool, then=lambda: None) -> None:
        self._transaction, self._committed, self._then = transaction, committed, then

    async def commit(self) -> None:
        if self._committed:
            await self._transaction.commit()
        self._then()
        raise asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation")

    async def rollback(self) -> None:
        await self._transaction.rollback()


async def _opened(uow, tally_id: str) -> None:
    tally = Tally.open(tally_id, f"p-{tally_id}", "380")
    tally.increment(1)
    uow.repository(Tally).add(tally)


async def _commit(uow, tally_id: str, **lost) -> object:
    """Commit a new tally through a lost COMMIT; what commit() returned or raised."""
    async with uow:
        await _opened(uow, tally_id)
        uow._tx = _LostCommit(uow._tx, **lost)
        try:
            return await uow.commit()
        except Exception as exc:
            return exc


async def _stored(svc, tally_id: str) -> int:
    async with svc.pool.acquire() as conn:
        return await conn.fetchval("SELECT count(*) FROM events WHERE stream_id = $1", tally_id)


async def test_a_commit_whose_answer_was_lost_but_which_committed_counts_as_committed(launcher):
    tally_id = f"t-{uuid.uuid4()}"
    async with tally_service(launcher, new_topic(launcher), consume=False, relay=False) as svc:
        recorded = await _commit(svc.uow(), tally_id, committed=True)
        stored = await _stored(svc, tally_id)

    assert [r.version for r in recorded] == [1, 2] and stored == 2


async def test_a_commit_lost_before_it_committed_raises_the_lost_connection_so_the_work_may_run_again(launcher):
    tally_id = f"t-{uuid.uuid4()}"
    async with tally_service(launcher, new_topic(launcher), consume=False, relay=False) as svc:
        raised = await _commit(svc.uow(), tally_id, committed=False)
        stored = await _stored(svc, tally_id)

    assert connection_lost(raised) and not isinstance(raised, CommitOutcomeUnknown)
    assert stored == 0


async def test_a_commit_lost_with_the_database_unreachable_is_an_unknown_outcome(launcher):
    async with _Cuttable(launcher.database_url) as database:
        async with tally_service(launcher, new_topic(launcher), consume=False, relay=False, database_url=database.url,
                                 database_acquire_timeout_seconds=2, shutdown_step_seconds=2) as svc:
            raised = await _commit(svc.uow(), f"t-{uuid.uuid4()}", committed=True, then=database.cut)

    assert isinstance(raised, CommitOutcomeUnknown)


async def test_registration_refuses_what_postgresql_cannot_store_with_422_not_500(launcher):
    from services.registration.service import definition
    from tests.kernel.support import running_service

    async with running_service(launcher, definition) as (http, settings, _):
        officer = {"Authorization": "Bearer " + mint_token(settings, actor_id="ds-394", role=Role.district_officer,
                                                             district="394")}
        body = {"producer_id": f"p-{uuid.uuid4().hex[:10]}", "name": "HTX\u0000Yên Định", "legal_form": "cooperative",
                "district_code": "394", "commune_code": "15397"}
        nul = await http.post("/producers", json=body, headers=officer)
        offset = await http.get("/registrations", params={"offset": "99999999999999999999"}, headers=officer)
        search = await http.get("/registrations", params={"q": "b\u0000nh"}, headers=officer)

    assert (nul.status_code, nul.json()["detail"]["field"]) == (422, "name")
    assert (offset.status_code, offset.json()["detail"]["field"]) == (422, "offset")
    assert (search.status_code, search.json()["detail"]["field"]) == (422, "q")
