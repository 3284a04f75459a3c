"""A connection for rebuilds that sends the projection writers' statements many to a round trip.

A writer awaits each statement (a round trip each: Python and PostgreSQL take turns, most of a rebuild's time). The
same writers, given a ``BatchedConnection``, have their ``execute``/``executemany`` calls kept in order: each SQL text
is prepared once on the server (``PREPARE``, with the parameter types PostgreSQL infers, as asyncpg's own prepare
does) and each call becomes ``EXECUTE name(literal, …)``, its arguments written as the text of the parameter's type.
What is kept goes to the server as one multi-statement query when enough is kept, without waiting for the answer
(Python writes the next statements while PostgreSQL runs these), and is waited for before a writer reads
(``fetch*``) and at ``sync``. The writers' SQL is unchanged: one definition of each.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import asyncpg

from shared.db import jsonb_text

Render = Callable[[Any], str]


class Memo(dict[Any, Any]):
    """What writers derived from rows they wrote through this connection, so they need not read those rows back:
    a read (``fetch*``) waits for every statement kept before it, a round trip that stalls the batching.

    ``complete``: the tables were empty when the connection began and every row in them came through it (a fresh
    build), so a key not here has no rows. Forgotten, and no longer complete, when what was kept is discarded (its
    transaction rolled back) or when it holds ``limit`` entries (a writer then reads the rows again).
    """

    def __init__(self, complete: bool, limit: int = 500_000) -> None:
        super().__init__()
        self.complete, self._limit = complete, limit

    def keep(self, key: Any, value: Any) -> None:
        if len(self) >= self._limit and key not in self:
            self.forget()
        self[key] = value

    def forget(self) -> None:
        self.clear()
        self.complete = False


def _text(value: Any) -> str:
    """The text form PostgreSQL reads a scalar from."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.time)):  # a datetime is a date
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return f"{value.days} days {value.seconds} seconds {value.microseconds} microseconds"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()
    return str(value)


def _element(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (list, tuple)):
        return "{" + ",".join(_element(v) for v in value) + "}"
    return '"' + _text(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"  # standard_conforming_strings: a backslash is a plain character


_TEXT = {"text", "varchar", "bpchar", "name", "citext"}
_PLAIN = {"int2", "int4", "int8", "numeric", "float4", "float8", "oid", "uuid"}
_TIMES = {"timestamptz", "timestamp", "date", "time", "timetz"}


def renderer(type_: Any) -> Render:
    """How a value of the parameter's type (an ``asyncpg.types.Type``) is written as a literal (``_quote`` written
    out in the commonest: a rebuild renders a few arguments per event)."""
    if type_.name in _TEXT:
        return lambda v: "NULL" if v is None else "'" + (v if isinstance(v, str) else str(v)).replace("'", "''") + "'"
    # Quoted like any text: a str given for a number or a uuid (asyncpg takes one) must not end the literal.
    if type_.name in _PLAIN:
        return lambda v: "NULL" if v is None else "'" + str(v).replace("'", "''") + "'"
    if type_.name in _TIMES:
        return lambda v: "NULL" if v is None else "'" + (v.isoformat() if hasattr(v, "isoformat") else str(v)).replace(
            "'", "''") + "'"
    if type_.name == "jsonb":
        text: Callable[[Any], str] = jsonb_text  # shared.db's codec encodes any value, a str included, as JSON
    elif type_.name == "json":
        text = str  # no codec: asyncpg sends the text as it is
    elif type_.kind == "array":
        text = _element
    else:
        text = _text
    return lambda v: "NULL" if v is None else _quote(text(v))


class BatchedConnection:
    """What projection writers use of an ``asyncpg.Connection``, batching their writes (see the module)."""

    def __init__(self, conn: asyncpg.Connection, *, flush_at: int = 400, fresh: bool = False) -> None:
        """``fresh``: the tables the writers write were empty and only this connection writes them (see ``Memo``)."""
        self._conn, self._flush_at = conn, flush_at
        self.memo = Memo(complete=fresh)
        self._prefix = f"rebuild_{uuid.uuid4().hex[:12]}_"
        self._statements: dict[str, tuple[str, Sequence[Render]]] = {}
        self._kept: list[str] = []
        self._inflight: asyncio.Future[Any] | None = None
        self.statements = 0
        self.round_trips = 0

    async def _prepared(self, sql: str) -> tuple[str, Sequence[Render]]:
        found = self._statements.get(sql)
        if found is None:
            await self._wait()
            types = (await self._conn.prepare(sql)).get_parameters()
            name = f"{self._prefix}{len(self._statements)}"
            await self._conn.execute(f"PREPARE {name} AS {sql}")
            found = self._statements[sql] = (name, [renderer(t) for t in types])
        return found

    async def _keep(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        name, renders = await self._prepared(sql)
        for args in rows:
            if len(args) != len(renders):
                raise TypeError(f"the statement takes {len(renders)} arguments, {len(args)} given: {sql}")
            self._kept.append(f"EXECUTE {name}({','.join([r(a) for r, a in zip(renders, args)])})")
            self.statements += 1
        if len(self._kept) >= self._flush_at:
            await self._send()

    async def execute(self, sql: str, *args: Any, timeout: float | None = None) -> str:
        if args:
            await self._keep(sql, [args])
        else:  # perhaps several statements; nothing to prepare
            self._kept.append(sql)
            self.statements += 1
        return ""  # the command tag is not known before the batch runs; writers do not read it

    async def executemany(self, sql: str, args: Iterable[Sequence[Any]], *, timeout: float | None = None) -> None:
        await self._keep(sql, list(args))

    async def _send(self) -> None:
        """Send what is kept; the answer is waited for by the next send or read."""
        await self._wait()
        if self._kept:
            kept, self._kept = self._kept, []
            self.round_trips += 1
            self._inflight = asyncio.ensure_future(self._conn.execute(";\n".join(kept)))

    async def _wait(self) -> None:
        if self._inflight is not None:
            inflight, self._inflight = self._inflight, None
            await inflight

    async def sync(self) -> None:
        """Everything kept has run (or raised)."""
        await self._send()
        await self._wait()

    async def discard(self) -> None:
        """Forget what is kept and the answer awaited: their transaction failed."""
        self._kept.clear()
        self.memo.forget()  # it may hold rows of the failed transaction
        with contextlib.suppress(Exception):
            await self._wait()

    async def close(self) -> None:
        """Forget the prepared statements (the connection goes back to its pool, unless it was lost)."""
        await self.discard()
        statements, self._statements = self._statements, {}
        if not self._conn.is_closed():
            for name, _ in statements.values():
                await self._conn.execute(f"DEALLOCATE {name}")

    async def fetch(self, sql: str, *args: Any, **kwargs: Any) -> list[asyncpg.Record]:
        await self.sync()
        self.round_trips += 1
        return await self._conn.fetch(sql, *args, **kwargs)

    async def fetchrow(self, sql: str, *args: Any, **kwargs: Any) -> asyncpg.Record | None:
        await self.sync()
        self.round_trips += 1
        return await self._conn.fetchrow(sql, *args, **kwargs)

    async def fetchval(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        await self.sync()
        self.round_trips += 1
        return await self._conn.fetchval(sql, *args, **kwargs)
