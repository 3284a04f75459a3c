"""Faults under a request: a request hit by a lost database connection runs again; what still fails answers the JSON
error body (503 with ``Retry-After``, or 500), never Starlette's plain-text 500.

Running a whole request again is safe: a unit of work that did not commit wrote nothing (its transaction died with
the connection) and handlers have no side effect outside it. A COMMIT whose answer was lost is settled by the unit of
work itself, and raises :class:`~shared.uow.CommitOutcomeUnknown` when it cannot be: that one is never run again.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from fastapi.responses import JSONResponse

from shared.db import may_run_again
from shared.http.errors import error_response, internal_error
from shared.uow import CommitOutcomeUnknown

log = structlog.get_logger(__name__)

Message = dict[str, Any]


class DatabaseFaults:
    """ASGI middleware: up to ``attempts`` runs of a request whose database work was rolled back by a fault."""

    def __init__(self, app: Any, *, attempts: int, retry_after: int, reconnect: Callable[[], Awaitable[None]]) -> None:
        self.app = app
        self.attempts = attempts
        self.retry_after = retry_after
        self.reconnect = reconnect

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        replay, answer = _Replay(receive), _Answer(send)
        for attempt in range(1, self.attempts + 1):
            try:
                # A copy of the scope: routing writes into it, and a second run must start from the request as it came.
                return await self.app(dict(scope), replay.receive, answer.send)
            except Exception as exc:
                if answer.started:
                    raise  # part of an answer is out: nothing else can be said on this connection
                if attempt == self.attempts or isinstance(exc, CommitOutcomeUnknown) or not may_run_again(exc):
                    return await self._failed(exc, scope)(scope, receive, send)
                log.warning("database fault; running the request again", attempt=attempt, error=repr(exc))
                await self.reconnect()
                await asyncio.sleep(random.uniform(0, 0.05 * attempt))  # spread the retries of a burst
                replay.rewind()

    def _failed(self, exc: Exception, scope: Message) -> JSONResponse:
        where = {"method": scope.get("method"), "path": scope.get("path")}
        if isinstance(exc, CommitOutcomeUnknown):
            log.error("database connection lost during commit; outcome unknown", error=repr(exc), **where)
            return self._unavailable("the database connection was lost while committing: the command may have been"
                                     " applied; read its result before sending it again")
        if may_run_again(exc):
            log.error("database unavailable; answering 503", error=repr(exc), **where)
            return self._unavailable("the database is unavailable; try again")
        return internal_error(exc, **where)

    def _unavailable(self, message: str) -> JSONResponse:
        response = error_response(503, "unavailable", message, field=None)
        response.headers["Retry-After"] = str(self.retry_after)
        return response


class _Replay:
    """The request's messages as the app read them, given again from the start on the next run."""

    def __init__(self, receive: Any) -> None:
        self._receive = receive
        self._seen: list[Message] = []
        self._next = 0

    async def receive(self) -> Message:
        if self._next < len(self._seen):
            self._next += 1
            return self._seen[self._next - 1]
        message = await self._receive()
        if message["type"] == "http.request":  # a disconnect is not part of the request: it is never replayed
            self._seen.append(message)
            self._next += 1
        return message

    def rewind(self) -> None:
        self._next = 0


class _Answer:
    def __init__(self, send: Any) -> None:
        self._send = send
        self.started = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)
