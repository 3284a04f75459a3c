"""``GET /v1/feed``: the public events as pages of CloudEvents, for systems off our Kafka cluster (see the README's
"HTTP event feed"); ``GET /v1/feed/reads``: who read what; ``GET /v1/feed/schemas/{name}``: the events' schemas."""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import suppress
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, Security
from fastapi.security import APIKeyHeader
from starlette.exceptions import HTTPException

from services.monitoring.feed.adapters import keys, log, reads
from services.monitoring.feed.adapters.wakeup import Wakeups
from services.monitoring.feed.application.gate import OutOfScope, RateGate, RateLimited, Unauthorised, authenticated, scoped
from services.monitoring.feed.config import MAX_TIMEOUT_SECONDS, FeedSettings
from services.monitoring.feed.domain.keys import EVENT_TYPES, presented
from services.monitoring.feed.entrypoints.views import FeedEvent, FeedReadPage, FeedRead
from shared.auth import Actor, require
from shared.contracts.cloudevents import BATCH_CONTENT_TYPE, structured
from shared.contracts.generate import SCHEMA_DIR
from shared.contracts.roles import Role
from shared.http.app import runtime_of
from shared.http.errors import SHARED_RESPONSES
from shared.http.params import OFFSET, CivilDate, limit_query

POSITION_HEADER = "X-OCOP-Feed-Position"
API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="FeedApiKey",
                       description="A subscribing organisation's read-only key: `ocopfeed_<key_id>_<secret>`"
                                   " (`ocop feed-key issue`)")
#: Who sees the read audit: the provincial office and operators.
READ_AUDITORS = (Role.provincial_office, Role.operator)
EventTypeName = Enum("EventTypeName", {name: name for name in EVENT_TYPES}, type=str)  # type: ignore[misc]
SchemaName = Enum("SchemaName", {p.stem: p.stem for p in sorted(SCHEMA_DIR.glob("*.json"))}, type=str)  # type: ignore[misc]

router = APIRouter(tags=["feed"])


class BatchResponse(Response):
    media_type = BATCH_CONTENT_TYPE


@dataclass
class FeedState:
    """The feed's per-process parts, made when it first serves: settings, the rate buckets, the listener."""

    settings: FeedSettings
    wakeups: Wakeups
    gate: RateGate = field(default_factory=RateGate)


def feed_state(request: Request) -> FeedState:
    state = request.app.state
    if getattr(state, "feed", None) is None:
        runtime = runtime_of(request)
        state.feed = FeedState(FeedSettings(), Wakeups(runtime.settings.database_url, runtime.settings.schema))
        runtime.spawn(_close_when_stopped(state.feed.wakeups), "feed-listener")
    return state.feed


async def _close_when_stopped(wakeups: Wakeups) -> None:
    try:
        await asyncio.Event().wait()
    finally:
        await wakeups.close()


def _error(status: int, error: str, message: str, field: str | None, headers: dict[str, str] | None = None) -> HTTPException:
    return HTTPException(status, {"error": error, "message": message, "field": field}, headers)


def _unauthorised() -> HTTPException:
    return _error(401, "unauthorized", "a valid API key is required in X-API-Key", "X-API-Key",
                  {"WWW-Authenticate": 'ApiKey realm="ocop-feed", header="X-API-Key"'})


_BATCH_SCHEMA = {"type": "array", "items": {"$ref": "#/components/schemas/FeedEvent"}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    **SHARED_RESPONSES,
    401: {"description": "Missing, unknown, wrong or revoked key (one answer for all; `WWW-Authenticate: ApiKey`)."},
    403: {"description": "A `type` outside the key's scope (`error`: `out_of_scope`)."},
    422: {"description": "A bad parameter: `field` names it and the message the rule."},
    429: {"description": "Over the key's rate limit (`error`: `rate_limited`).",
          "headers": {"Retry-After": {"required": True, "schema": {"type": "integer", "minimum": 1},
                                      "description": "seconds until the next request is taken"}}},
}
# Every error is the project's JSON body; stated per status, since FastAPI would give a `model` the route's own
# media type (the batch's).
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The events after `after` that match, in position order (possibly none).",
          "content": {BATCH_CONTENT_TYPE: {"schema": _BATCH_SCHEMA}},
          "headers": {POSITION_HEADER: {"required": True, "schema": {"type": "integer", "minimum": 0},
                                        "description": "the position to pass as `after` next time: the last event's,"
                                                       " or `after` when the page is empty"}}},
    **{status: {**{k: v for k, v in spec.items() if k != "model"},
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
       for status, spec in _ERRORS.items()},
}


@router.get("/v1/feed", response_class=BatchResponse, response_model=list[FeedEvent], responses=_RESPONSES)
async def read_feed(
    request: Request,
    after: int = Query(0, ge=0, le=2**63 - 1, description="the last position processed; 0 = from the start"),
    limit: int = Query(100, ge=1, le=1000, description="events per page at most"),
    timeout: float = Query(0, ge=0, le=MAX_TIMEOUT_SECONDS,
                           description="seconds to wait for an event when none follows `after` (long-poll)"),
    type: list[EventTypeName] | None = Query(None, description="only these event types (default: the key's scope)"),
    product: str | None = Query(None, min_length=1, max_length=200, description="only this product's events"),
    district: str | None = Query(None, pattern=r"^[0-9]{3}$", description="only events of products of this district"
                                 "-level unit (3-digit GSO code)"),
    since: CivilDate | None = Query(None, description="only events that occurred on or after this civil date"
                                    " (Asia/Ho_Chi_Minh)"),
    api_key: str | None = Security(API_KEY),
) -> Response:
    """The feed: CloudEvents in position order after `after`. Resume by passing `X-OCOP-Feed-Position` (or the last
    event's `position`) as `after`, with the same filters; with `timeout`, a caught-up reader waits for the next
    event instead of asking again."""
    state, runtime = feed_state(request), runtime_of(request)
    key = await _key(runtime.pool, api_key)
    try:
        state.gate.admit(key)
        filters = log.Filters(scoped(key, [t.value for t in type or ()]), product, district, since)
    except RateLimited as exc:
        raise _error(429, "rate_limited", str(exc), None, {"Retry-After": str(exc.retry_after)}) from None
    except OutOfScope as exc:
        raise _error(403, "out_of_scope", str(exc), "type") from None
    rows = await _page(request, state, after, limit, filters, min(timeout, state.settings.longest_wait_seconds))
    if rows is None:  # the reader left while it waited
        return Response(status_code=204)
    position = rows[-1].position if rows else after
    async with runtime.pool.acquire() as conn:
        await reads.record(conn, reads.Read(key.key_id, key.organisation, after, len(rows), position, filters.as_json()))
    body = [structured(*log.decoded(row), position=row.position) for row in rows]
    return BatchResponse(json.dumps(body, ensure_ascii=False).encode("utf-8"), headers={POSITION_HEADER: str(position)})


async def _key(pool: Any, api_key: str | None) -> keys.FeedKey:
    parts = presented(api_key or "")
    if parts is None:
        raise _unauthorised()
    async with pool.acquire() as conn:
        found = await keys.find(conn, parts[0])
    try:
        return authenticated(found, parts[1])
    except Unauthorised:
        raise _unauthorised() from None


async def _page(request: Request, state: FeedState, after: int, limit: int, filters: log.Filters,
                wait: float) -> list[log.FeedRow] | None:
    """The page; when empty and ``wait`` > 0, the first one that commits within ``wait`` seconds. None when the
    client disconnected while waiting."""
    pool, wakeups = runtime_of(request).pool, state.wakeups
    deadline = time.monotonic() + wait
    if wait > 0:
        await wakeups.listening()
    left = asyncio.ensure_future(_disconnected(request)) if wait > 0 else None
    try:
        while True:
            seen = wakeups.generation  # noted before the query: a commit after it notifies after this
            async with pool.acquire() as conn:
                rows = await log.page(conn, after, limit, filters)
            remaining = deadline - time.monotonic()
            if rows or remaining <= 0 or left is None:
                return rows
            woken = asyncio.ensure_future(wakeups.wait_past(seen, min(remaining, state.settings.recheck_seconds)))
            await asyncio.wait({woken, left}, return_when=asyncio.FIRST_COMPLETED)
            if left.done():
                woken.cancel()
                with suppress(asyncio.CancelledError):
                    await woken
                return None
            await wakeups.listening()  # again, if the listener lost its connection
    finally:
        if left is not None:
            left.cancel()
            with suppress(asyncio.CancelledError):
                await left


async def _disconnected(request: Request) -> None:
    try:
        while (await request.receive())["type"] != "http.disconnect":
            pass
    except Exception:  # a server that cannot say: the wait runs its course
        await asyncio.Event().wait()


@router.get("/v1/feed/reads")
async def feed_reads(request: Request, key: str | None = Query(None, min_length=1, max_length=64,
                                                                description="only this key's reads"),
                     limit: int = limit_query(100, 1000), offset: int = OFFSET,
                     _: Actor = Depends(require(*READ_AUDITORS))) -> FeedReadPage:
    """The read audit, newest first: which organisation's key read from which position, how many events, with which
    filters, when. For the provincial office and operators."""
    async with runtime_of(request).pool.acquire() as conn:
        found = await reads.latest(conn, key_id=key, limit=limit, offset=offset)
    return FeedReadPage(total=found["total"], items=[FeedRead.of(r) for r in found["items"]])


@router.get("/v1/feed/schemas/{name}", responses={200: {"content": {"application/schema+json": {
    "schema": {"type": "object"}}}, "description": "The JSON Schema (its `$id` is the events' `dataschema`)."}})
async def feed_schema(name: SchemaName = Path(description="<EventType>.v<version>")) -> Response:
    """The JSON Schema of one public event's envelope, as the events' `dataschema` names it. Public: the contract."""
    return Response((SCHEMA_DIR / f"{name.value}.json").read_bytes(), media_type="application/schema+json")
