"""Rebuild read models beside the live ones, resumably, and swap them in with one short transaction.

The projections' writers use unqualified table names. The build runs them on a connection whose search path puts a
scratch schema per projection (``<schema>_rebuild_<projection>``, holding empty copies of its tables, see
``shared.beside``) before the service schema: the writers fill the copies, ``events`` is read from the live schema,
and the live tables keep serving reads and live writes. Every batch commits its rows with the checkpoint
(``projection_rebuilds``), so an interrupted build resumes there. The swap locks the live tables, applies what the
build has not seen yet and moves the copies in; a live writer that was waiting for the lock then writes the new
table (PostgreSQL looks a name up again after a lock wait).

Positions are taken before commit, so a page read after ``position > checkpoint`` can pass a position whose
transaction commits later: such holes are kept with the checkpoint and looked for again every batch and at the swap.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import inspect
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

import asyncpg
import structlog

from shared import beside
from shared.batched import BatchedConnection
from shared.events import EventRegistry, Recorded
from shared.projections import Projection, apply_all

log = structlog.get_logger(__name__)

Progress = Callable[[int, int], None]
_SLICE = 100  # events decoded and written at a time within a batch
_LOCK_TIMEOUT_MS = 5000  # the swap's wait for the live tables, each attempt


class RebuildError(RuntimeError):
    pass


@dataclass
class _Build:
    """Projections rebuilt together: one pass over the store, one checkpoint, one swap."""

    schema: str
    projections: Sequence[Projection]
    build_id: uuid.UUID
    writer: BatchedConnection | None = None  # None: the writers' statements go one by one
    fresh: bool = False  # the beside tables were created empty by this run
    position: int = 0
    holes: list[int] = field(default_factory=list)
    settled: int = 0
    applied: int = 0

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.projections]

    def scratch(self, projection: Projection) -> str:
        return f"{self.schema}_rebuild_{projection.name}"

    @property
    def search_path(self) -> str:
        return beside.search_path([self.scratch(p) for p in self.projections], self.schema)


# Whoever inserts into ``events`` holds this lock from before its position is taken until it ends. None held (but
# ours) means every position taken so far is committed or rolled back: a later snapshot sees all that will ever be.
_QUIET = ("SELECT NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'relation' AND relation = 'events'::regclass"
          " AND mode = 'RowExclusiveLock' AND pid <> pg_backend_pid())")
_SAVE = ("UPDATE projection_rebuilds SET position = $2, holes = $3, settled = $4, applied = $5, updated_at = now()"
         " WHERE projection = ANY($1::text[]) AND build_id = $6")


async def rebuild(
    pool: asyncpg.Pool,
    projections: Sequence[Projection],
    registry: EventRegistry,
    *,
    only: Sequence[str] | None = None,
    restart: bool = False,
    batch_size: int = 1000,
    unlogged: bool = True,
    batched: bool = True,
    progress: Progress | None = None,
    attempts: int = 5,
) -> int:
    """Rebuild ``projections`` (or those named in ``only``) from the store beside the live tables, then swap.

    Resumes a build of the same projections that was interrupted, unless ``restart`` (or the live tables changed
    shape since). Returns the number of events this call applied. Events are decoded through ``registry``.
    """
    chosen = _chosen(projections, only)
    if not chosen:
        return 0
    async with pool.acquire() as conn, _alone(conn, chosen):
        build = await _begin(conn, chosen, restart=restart, unlogged=unlogged)
        build.writer = BatchedConnection(conn, fresh=build.fresh) if batched else None
        total, before = await conn.fetchval("SELECT count(*) FROM events"), build.applied

        def report() -> None:
            if progress:
                progress(build.applied, max(total, build.applied))

        try:
            await _fill(conn, build, registry, batch_size, unlogged, report)
            await _swap_retrying(conn, build, registry, batch_size, attempts)
        finally:
            if build.writer is not None:
                await build.writer.close()
        report()
    log.info("projections rebuilt", projections=build.names, events=build.applied - before)
    return build.applied - before


async def _fill(conn: asyncpg.Connection, build: _Build, registry: EventRegistry, batch_size: int, unlogged: bool,
                report: Callable[[], None]) -> None:
    """The beside tables up to the end of the store, logged, with all their indexes."""
    while await _build_batch(conn, build, registry, batch_size):
        report()
    async with conn.transaction():
        for p in build.projections:
            if unlogged:
                await beside.set_logged(conn, build.scratch(p), p.tables)
            await beside.add_indexes(conn, build.schema, build.scratch(p), p.tables)  # after: built once, logged
    while await _build_batch(conn, build, registry, batch_size):  # what came meanwhile
        report()


async def _swap_retrying(conn: asyncpg.Connection, build: _Build, registry: EventRegistry, batch_size: int,
                         attempts: int) -> None:
    for attempt in range(1, attempts + 1):
        saved = (build.position, build.holes, build.settled, build.applied)
        try:
            await _swap(conn, build, registry, batch_size)
            return
        except (asyncpg.DeadlockDetectedError, asyncpg.LockNotAvailableError):
            # The live tables are locked one by one, so a live writer holding one and waiting for another can
            # deadlock with us (PostgreSQL aborts one side); or a reader held them past our lock timeout. The swap
            # rolled back whole: running it again is safe.
            build.position, build.holes, build.settled, build.applied = saved
            if build.writer is not None:
                await build.writer.discard()
            if attempt == attempts:
                raise
            log.info("rebuild swap tried again", projections=build.names, attempt=attempt)
            await asyncio.sleep(0.05 * attempt)


@contextlib.asynccontextmanager
async def _alone(conn: asyncpg.Connection, chosen: Sequence[Projection]) -> AsyncIterator[None]:
    """One rebuild of a projection at a time: two would apply the same batches into the same beside tables (running
    totals counted twice), or one would drop the other's tables under it. A session lock per projection, held for the
    run and let go by PostgreSQL when the session ends, however the process ends."""
    keys = [f"ocop-rebuild:{await conn.fetchval('SELECT current_schema()')}:{p.name}" for p in chosen]
    taken: list[str] = []
    try:
        for key in keys:
            if not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", key):
                raise RebuildError(f"a rebuild of {key.rsplit(':', 1)[1]} is already running")
            taken.append(key)
        yield
    finally:
        for key in taken:
            with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                await conn.fetchval("SELECT pg_advisory_unlock(hashtext($1))", key)


def _chosen(projections: Sequence[Projection], only: Sequence[str] | None) -> list[Projection]:
    names = [p.name for p in projections]
    if len(set(names)) != len(names) or not all(names):
        raise RebuildError(f"projections need distinct names to be rebuilt one by one: {names}")
    unknown = sorted(set(only or ()) - set(names))
    if unknown:
        raise RebuildError(f"no projection named {', '.join(unknown)}; the service has {', '.join(names)}")
    return [p for p in projections if only is None or p.name in only]


async def _begin(conn: asyncpg.Connection, chosen: Sequence[Projection], *, restart: bool, unlogged: bool) -> _Build:
    """The interrupted build of exactly these projections, or a new one with empty beside tables."""
    schema = await conn.fetchval("SELECT current_schema()")
    names = [p.name for p in chosen]
    shapes = {p.name: await beside.shape(conn, schema, p.tables) for p in chosen}
    rows = await conn.fetch(
        "SELECT r.*, to_regnamespace(r.scratch) IS NOT NULL AS present, pg_postmaster_start_time() > r.updated_at"
        " AS server_restarted FROM projection_rebuilds r WHERE projection = ANY($1::text[])", names)
    marked = {r["projection"]: await beside.marked(conn, r["scratch"]) for r in rows if r["present"]}
    code = {p.name: _code_of(p) for p in chosen}
    if not restart and _resumable(rows, names, shapes, marked, code):
        first = rows[0]
        build = _Build(schema, chosen, first["build_id"], position=first["position"], holes=list(first["holes"]),
                       settled=first["settled"], applied=first["applied"])
        log.info("rebuild resumed", projections=names, position=build.position, applied=build.applied)
        return build
    build = _Build(schema, chosen, uuid.uuid4(), fresh=True)
    async with conn.transaction():
        await conn.execute("DELETE FROM projection_rebuilds WHERE projection = ANY($1::text[])", names)
        for p in chosen:
            await beside.create(conn, schema, build.scratch(p), p.tables, unlogged=unlogged)
            await beside.mark(conn, build.scratch(p), build.build_id)
            await conn.execute(
                "INSERT INTO projection_rebuilds (projection, build_id, scratch, shape, unlogged, code)"
                " VALUES ($1, $2, $3, $4, $5, $6)", p.name, build.build_id, build.scratch(p), shapes[p.name], unlogged,
                code[p.name])
    return build


def _code_of(projection: Projection) -> str:
    """A fingerprint of the code that writes the projection's rows (its module's source): rows written by two versions
    of a writer must not end up in one table, so a build interrupted before a release is not resumed after it."""
    wrapped = getattr(projection, "__wrapped__", projection)  # a wrapper (functools' convention) writes with its inner
    try:
        source = inspect.getsource(sys.modules[type(wrapped).__module__])
    except (OSError, TypeError, KeyError):
        return ""
    return hashlib.sha256(source.encode()).hexdigest()


def _resumable(rows: Sequence[asyncpg.Record], names: Sequence[str], shapes: dict[str, str],
               marked: dict[str, uuid.UUID | None], code: dict[str, str]) -> bool:
    if len(rows) != len(names) or len({(r["build_id"], r["position"]) for r in rows}) != 1:
        return False  # another set of projections was being rebuilt: start this one afresh
    # Crash recovery empties UNLOGGED tables, the marker among them, whether the server restarted or only recovered
    # from a backend's crash (its start time unchanged); a migration since the start changed what the rows must fit.
    return all(r["present"] and marked.get(r["projection"]) == r["build_id"] and r["code"] == code[r["projection"]]
               and not (r["unlogged"] and r["server_restarted"]) and r["shape"] == shapes[r["projection"]]
               for r in rows)


async def _build_batch(conn: asyncpg.Connection, build: _Build, registry: EventRegistry, batch_size: int) -> bool:
    """Apply the next page (and holes that filled) into the beside tables, committed with the checkpoint.

    True while there may be more: a full page was read.
    """
    async with conn.transaction():
        # The build's own commits need not wait for the disk: a crash loses batches, and their checkpoint with them.
        await conn.execute(f"SET LOCAL search_path TO {build.search_path}; SET LOCAL synchronous_commit TO off")
        full = await _step(conn, build, registry, batch_size)
        saved = await conn.execute(_SAVE, build.names, build.position, build.holes, build.settled, build.applied,
                                   build.build_id)
        if saved != f"UPDATE {len(build.names)}":
            # Our checkpoint is gone (another run restarted these projections): roll this batch back, whatever
            # tables it reached, rather than write on.
            raise RebuildError(f"the rebuild of {', '.join(build.names)} was taken over by another run")
    return full


# The store's columns as a rebuild reads them: ``data`` as its JSON text, validated straight into the event's class
# (``EventRegistry.decode_text``); the rest as ``EventStore`` reads them.
_READ = ("SELECT position, stream_id, stream_type, version, event_id, event_type, schema_version, data::text AS data,"
         " metadata, recorded_at FROM events")


def _recorded(registry: EventRegistry, row: asyncpg.Record) -> Recorded:
    position, stream_id, stream_type, version, event_id, event_type, schema_version, data, metadata, at = row
    return Recorded(registry.decode_text(event_type, schema_version, data), stream_id, stream_type, version, position,
                    event_id, metadata, at)


async def _step(conn: asyncpg.Connection, build: _Build, registry: EventRegistry, batch_size: int) -> bool:
    found = (await conn.fetch(f"{_READ} WHERE position = ANY($1::bigint[]) ORDER BY position", build.holes)
             if build.holes else [])
    page = await conn.fetch(f"{_READ} WHERE position > $1 ORDER BY position LIMIT $2", build.position, batch_size)
    quiet = await conn.fetchval(_QUIET)
    filled = {e["position"] for e in found}
    # A hole at or below ``settled`` had no writer left when a snapshot before this one was taken: still not visible,
    # it was rolled back and never fills.
    holes = [h for h in build.holes if h not in filled and h > build.settled]
    if page:
        seen = {e["position"] for e in page}
        holes += [p for p in range(build.position + 1, page[-1]["position"]) if p not in seen]
    stored = [*found, *page]
    if build.writer is None:
        await apply_all(conn, build.projections, [_recorded(registry, s) for s in stored])
    else:
        # Decoded a slice at a time, so Python decodes and writes the next slice while PostgreSQL runs this one.
        for i in range(0, len(stored), _SLICE):
            await apply_all(build.writer, build.projections,  # type: ignore[arg-type]
                            [_recorded(registry, s) for s in stored[i:i + _SLICE]])
        await build.writer.sync()
    build.position = page[-1]["position"] if page else build.position
    build.holes = holes
    if quiet:
        build.settled = build.position
    build.applied += len(stored)
    return len(page) == batch_size


async def _swap(conn: asyncpg.Connection, build: _Build, registry: EventRegistry, batch_size: int) -> None:
    tables = [beside.qualified(build.schema, t) for p in build.projections for t in p.tables]
    async with conn.transaction(isolation="repeatable_read"):
        if tables:
            # First statement: REPEATABLE READ takes its snapshot at the first query, and LOCK is none, so a writer
            # that committed while we waited is in the snapshot. Reading first would snapshot before, losing it.
            # (SET is no query either.) Readers queue behind our waiting lock: a long one makes us give up and try
            # again rather than stall every read behind it.
            await conn.execute(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT_MS}ms'")
            await conn.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")
        for p in build.projections:
            if await beside.shape(conn, build.schema, p.tables) != await conn.fetchval(
                    "SELECT shape FROM projection_rebuilds WHERE projection = $1", p.name):
                raise RebuildError(f"the tables of {p.name} changed during the rebuild (a migration?): run it again"
                                   " with restart")
        await conn.execute(f"SET LOCAL search_path TO {build.search_path}")
        while await _step(conn, build, registry, batch_size):
            pass
        # Holes still not visible are rolled back, or belong to writers that touched none of the locked tables yet:
        # they wait for our locks and then write the tables swapped in.
        for p in build.projections:
            await beside.swap_in(conn, build.schema, build.scratch(p), p.tables)
        await conn.execute("DELETE FROM projection_rebuilds WHERE projection = ANY($1::text[])", build.names)
