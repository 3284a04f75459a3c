"""What every service process has: pool, migrations, broker, relay, consumers, health, error mapping.

A service describes itself with a ``ServiceDefinition``; ``create_app`` is the
composition root that turns it into a FastAPI app whose lifespan starts and
stops everything. Nothing connects at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import structlog
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from shared.context import message_context
from shared.consumer import DeadLetters, InboxConsumer, Subscription
from shared.db import KERNEL_MIGRATIONS, create_pool, discover, migrate
from shared.events import EventRegistry
from shared.eventstore import ConcurrencyError, WrongStreamType
from shared.auth import Actor, require
from shared.kafka import cluster_id_async, consumer_lag, contract_topics, ensure_topics_async, make_broker
from shared.observability import configure_logging, configure_tracing
from shared.ports import ServicePorts
from shared.projections import Projection
from shared.relay import OutboxRelay, notify_channel
from shared.settings import ServiceSettings, service_settings
from shared.uow import NotFound, UnitOfWork

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    # Every domain event the service stores, with its upcasters: the repository, projections and rebuild decode through it.
    events: EventRegistry = field(default_factory=lambda: EventRegistry(()))
    migrations: Path | None = None
    projections: Callable[[], Sequence[Projection]] = lambda: ()
    subscriptions: Sequence[Subscription] = ()
    routers: Sequence[APIRouter] = ()
    # Domain exception type → (HTTP status, error code); the body names the field and the rule.
    errors: dict[type[Exception], tuple[int, str]] = field(default_factory=dict)
    # The composition root: given a factory of PostgreSQL units of work, the service's ports (ServicePorts or a
    # subclass with its catalogue, policy, reference data); routes read them through ``ports_of``, consumers get them.
    bootstrap: Callable[[Callable[[], UnitOfWork]], ServicePorts] = lambda uow: ServicePorts(uow=uow)
    # Called with the started runtime, for background work (schedules).
    on_start: Callable[[ServiceRuntime], Any] | None = None


class ServiceRuntime:
    """The live parts of one service process; tests build it directly with their own settings."""

    def __init__(self, definition: ServiceDefinition, settings: ServiceSettings) -> None:
        self.definition = definition
        self.settings = settings
        self.projections = list(definition.projections())
        self.pool: asyncpg.Pool | None = None
        self.broker = make_broker(settings, client_id=f"ocop-{settings.service}")
        self.relay: OutboxRelay | None = None
        self.consumers: list[InboxConsumer] = []
        self.ports: ServicePorts | None = None
        self._tasks: list[asyncio.Task[Any]] = []

    def spawn(self, work: Any, name: str) -> None:
        """Run a background coroutine of the service (a scheduled job) until the service stops."""
        self._tasks.append(asyncio.create_task(work, name=f"{self.settings.service}-{name}"))

    def uow(self) -> UnitOfWork:
        assert self.pool is not None, "service not started"
        return UnitOfWork(self.pool, self.definition.events, self.projections, notify_channel=notify_channel(self.settings.schema))

    async def start(self, *, relay: bool = True, consumers: bool = True, timeout: float = 60.0) -> None:
        self.pool = await _retry(self._connect_database, timeout, "database")
        self.ports = self.definition.bootstrap(self.uow)
        topics = {*contract_topics(), self.settings.dead_letter_topic, *(t for s in self.definition.subscriptions for t in s.topics)}
        await _retry(lambda: ensure_topics_async(self.settings, topics), timeout, "broker")
        dead_letters = DeadLetters(self.broker, self.pool, self.settings.dead_letter_topic)
        if consumers:
            for subscription in self.definition.subscriptions:
                consumer = InboxConsumer(subscription, self.ports, dead_letters, self.settings)
                consumer.register(self.broker)
                self.consumers.append(consumer)
        await _retry(self.broker.start, timeout, "broker")
        if self.definition.on_start is not None:
            self.definition.on_start(self)
        if relay:
            self.relay = OutboxRelay(self.pool, self.settings)
            self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.settings.service}-relay"))
        log.info("service started", port=self.settings.port)

    async def _connect_database(self) -> asyncpg.Pool:
        settings = self.settings
        pool = await create_pool(
            settings.database_url,
            settings.schema,
            min_size=settings.database_pool_min,
            max_size=settings.database_pool_max,
            name=f"ocop-{settings.service}",
        )
        migrations = discover("kernel", KERNEL_MIGRATIONS)
        if self.definition.migrations:
            migrations += discover(settings.service, self.definition.migrations)
        await migrate(pool, settings.schema, migrations)
        return pool

    async def stop(self) -> None:
        """Stop background work, broker clients and the pool; a step that does not finish in time is forced.

        Nothing is lost by forcing: unpublished events stay in the outbox and unacknowledged records are
        redelivered, so a bounded shutdown only trades a clean goodbye for a process that always exits.
        """
        limit = self.settings.shutdown_step_seconds
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            _, stuck = await asyncio.wait(self._tasks, timeout=limit)
            for task in stuck:
                log.warning("background task did not stop in time", task=task.get_name(), seconds=limit)
        self._tasks.clear()
        try:
            await asyncio.wait_for(self.broker.stop(), limit)
        except Exception as exc:  # a stuck or failing client must not keep the process alive
            log.warning("broker clients did not stop cleanly", error=repr(exc), seconds=limit)
        if self.pool is not None:
            pool, self.pool = self.pool, None
            try:
                await asyncio.wait_for(pool.close(), limit)
            except TimeoutError:
                log.warning("database pool did not close in time; terminating its connections", seconds=limit)
                pool.terminate()

    async def status(self) -> dict[str, Any]:
        """Pipeline health for operators: outbox backlog, dead letters, consumer lag."""
        assert self.pool is not None, "service not started"
        async with self.pool.acquire() as conn:
            outbox = await conn.fetchrow(
                "SELECT count(*) AS pending, extract(epoch FROM now() - min(created_at)) AS oldest_seconds"
                " FROM outbox WHERE published_at IS NULL"
            )
            dead_letters = await conn.fetchval("SELECT count(*) FROM dead_letters")
        lag = {}
        for consumer in self.consumers:
            lag[consumer.consumer] = await asyncio.to_thread(
                consumer_lag, self.settings.kafka_bootstrap_servers, consumer.group_id, consumer.subscription.topics
            )
        return {
            "service": self.settings.service,
            "relay_leader": bool(self.relay and self.relay.is_leader),
            "outbox_pending": outbox["pending"],
            "outbox_oldest_pending_seconds": float(outbox["oldest_seconds"] or 0),
            "dead_letters": dead_letters,
            "consumer_lag": lag,
        }

    async def readiness(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            assert self.pool is not None, "not started"
            async with self.pool.acquire(timeout=2) as conn:
                await conn.fetchval("SELECT 1")
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {exc}"
        try:
            await asyncio.wait_for(cluster_id_async(self.settings.kafka_bootstrap_servers, 2.0), 3.0)
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = f"unreachable: {exc or type(exc).__name__}"
        return checks


async def _retry(step: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline, delay = time.monotonic() + timeout, 0.2
    while True:
        try:
            return await step()
        except Exception as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} not reachable after {timeout:.0f}s: {exc}") from exc
            log.warning("waiting for dependency", dependency=what, error=str(exc))
            await asyncio.sleep(delay)
            delay = min(delay * 2, 3.0)


def _error(status: int, error: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": {"error": error, "message": message, **extra}})


def _problem(error: dict[str, Any]) -> dict[str, str]:
    """One validation problem as the field path (without FastAPI's 'body' prefix) and the rule broken."""
    loc = [str(part) for part in error.get("loc", ())]
    if loc and loc[0] in ("body", "query", "path"):
        loc = loc[1:] or loc
    if error.get("type") == "json_invalid":
        return {"field": "body", "rule": f"malformed JSON: {error.get('ctx', {}).get('error', error.get('msg'))}"}
    return {"field": ".".join(loc) or "body", "rule": str(error.get("msg"))}


def _domain_error_handler(status: int, code: str) -> Callable[[Request, Exception], Any]:
    async def handle(_: Request, exc: Exception) -> JSONResponse:
        return _error(status, code, str(exc), field=getattr(exc, "field", None))

    return handle


class BodySizeLimit:
    """Refuses request bodies over ``max_bytes`` with 413 before they are read into memory."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await _too_large(self.max_bytes)(scope, receive, send)
        seen = 0

        async def limited() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                # An HTTPException, because FastAPI turns any other error while reading the body into a 400.
                raise HTTPException(413, detail=_too_large_detail(self.max_bytes))
            return message

        await self.app(scope, limited, send)


def _too_large_detail(limit: int) -> dict[str, str]:
    return {"error": "payload_too_large", "message": f"request body over {limit} bytes", "field": "body"}


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(status_code=413, content={"detail": _too_large_detail(limit)})


def create_app(definition: ServiceDefinition, settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or service_settings(definition.name)
    runtime = ServiceRuntime(definition, settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=f"OCOP {definition.name}", lifespan=lifespan)
    app.state.runtime = runtime
    app.state.settings = settings
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        return {"status": "alive", "service": definition.name}

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        checks = await runtime.readiness()
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ready" if ready else "not ready", **checks}, status_code=200 if ready else 503)

    @app.get("/ops/status", tags=["operations"])
    async def ops_status(_: Actor = Depends(require(*settings.roles.operations_roles()))) -> dict[str, Any]:
        return await runtime.status()

    @app.exception_handler(ConcurrencyError)
    async def conflict(_: Request, exc: ConcurrencyError) -> JSONResponse:
        return _error(409, "conflict", str(exc), stream_id=exc.stream_id)

    @app.exception_handler(WrongStreamType)
    async def id_taken(_: Request, exc: WrongStreamType) -> JSONResponse:
        return _error(409, "id_taken", str(exc))

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound) -> JSONResponse:
        return _error(404, "not_found", str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [_problem(e) for e in exc.errors()]
        message = "; ".join(f"{p['field']}: {p['rule']}" for p in problems)
        return _error(422, "invalid_request", message, field=problems[0]["field"] if problems else None, errors=problems)

    for error_type, (status, code) in definition.errors.items():
        app.add_exception_handler(error_type, _domain_error_handler(status, code))

    for router in definition.routers:
        app.include_router(router)
    # An HTTP command starts (or continues, from an incoming traceparent) the flow's trace.
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz")
    return app


@contextlib.contextmanager
def acting(actor: Actor, request: Request) -> Iterator[None]:
    """Events recorded in this block name the actor and carry the request's X-Correlation-ID, if any."""
    values: dict[str, Any] = {"actor": actor.as_event_actor()}
    if correlation := request.headers.get("x-correlation-id"):
        try:
            values["correlation_id"] = uuid.UUID(correlation)
        except ValueError:
            raise RequestValidationError([{"loc": ("header", "x-correlation-id"), "msg": "must be a UUID",
                                           "type": "uuid_parsing"}]) from None
    with message_context(**values):
        yield


def runtime_of(request: Request) -> ServiceRuntime:
    """The running service behind a route (set by ``create_app``)."""
    return request.app.state.runtime


def ports_of(request: Request) -> Any:
    """The ports the service's bootstrap built (its units of work, clock, catalogue, policy …)."""
    ports = request.app.state.runtime.ports
    assert ports is not None, "service not started"
    return ports


def serve(name: str, definition: ServiceDefinition) -> None:
    """Run one service process with uvicorn (``ocop serve NAME`` and ``python -m services.NAME``)."""
    import uvicorn
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    settings = service_settings(name)
    configure_logging(name, settings.log_level, json=settings.log_json)
    configure_tracing(name, settings.trace_sample_ratio)
    AsyncPGInstrumentor().instrument()
    app = create_app(definition, settings)
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False, lifespan="on")
