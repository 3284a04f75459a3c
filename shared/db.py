"""PostgreSQL pool and versioned migrations, one schema per service."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import structlog
from asyncpg.exceptions import _base as asyncpg_base
from pydantic_core import from_json

KERNEL_MIGRATIONS = Path(__file__).parent / "migrations"
log = structlog.get_logger(__name__)

# The connection to PostgreSQL was lost, refused, or not to be had in time. The transaction on it is gone (the server
# rolls back a session that ends), so nothing it wrote was committed and the whole attempt may run again.
_LOST: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,  # 08xxx, and "connection was closed in the middle of operation"
    asyncpg.InterfaceError,  # "connection is closed": the connection died between two statements
    asyncpg.exceptions.AdminShutdownError,  # 57P01: pg_terminate_backend, a fast shutdown
    asyncpg.exceptions.CrashShutdownError,  # 57P02
    asyncpg.CannotConnectNowError,  # 57P03: the server is starting or stopping
    asyncpg.TooManyConnectionsError,  # 53300
    # The server's FATAL goodbye reached an idle connection before its close did: the next statement is refused with
    # "cannot switch to state …; another operation (2) is in progress". The connection is finished.
    asyncpg.exceptions.InternalClientError,
    OSError,  # refused, reset, unreachable; TimeoutError (a pool acquire that waited too long) is an OSError
)
# InterfaceErrors that are not about the connection: a bad argument (client-side DataError), configuration, a
# feature asyncpg lacks. Running again gives the same answer.
_CLIENT_SIDE: tuple[type[BaseException], ...] = (
    asyncpg_base.DataError,
    asyncpg_base.ClientConfigurationError,
    asyncpg_base.UnsupportedClientFeatureError,
    asyncpg_base.UnsupportedServerFeatureError,
)


def connection_lost(exc: BaseException) -> bool:
    """True when ``exc`` means the database connection was lost or could not be had (the work was not committed)."""
    return isinstance(exc, _LOST) and not isinstance(exc, _CLIENT_SIDE)


def may_run_again(exc: BaseException) -> bool:
    """True when the server rolled the work back for a reason that may pass: a lost connection, a serialisation
    failure or a deadlock (SQLSTATE class 40)."""
    return connection_lost(exc) or isinstance(exc, asyncpg.exceptions.TransactionRollbackError)


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=jsonb_text, decoder=jsonb_value, schema="pg_catalog")


def jsonb_value(text: str) -> object:
    """A jsonb value read: pydantic-core's JSON parser (jiter, already here with pydantic) is 2-3x faster than json's
    and gives the same values (integers of any size, floats correctly rounded); json for what it refuses (a lone
    surrogate escape). Every event the store gives back goes through here twice (data, metadata)."""
    try:
        return from_json(text)
    except ValueError:
        return json.loads(text)


def jsonb_text(value: object) -> str:
    """How the pool writes a jsonb value (compact, Vietnamese kept as it is)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


async def create_pool(url: str, schema: str, *, min_size: int = 1, max_size: int = 10, name: str = "ocop") -> asyncpg.Pool:
    """A pool whose connections see only ``schema`` (and ``public``)."""
    await ensure_schema(url, schema)
    return await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_keep_session,
        server_settings={"search_path": f"{schema},public", "application_name": name},
    )


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Skip the RESET ALL round trip on every release: our sessions keep no state but the search path.

    asyncpg still rolls back an open transaction first; the relay releases its advisory lock itself.
    """


async def ensure_schema(url: str, schema: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    finally:
        await conn.close()


@dataclass(frozen=True)
class Migration:
    component: str
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(component: str, folder: Path) -> list[Migration]:
    """Files named ``NNN_description.sql``, in version order."""
    found = []
    for path in sorted(folder.glob("*.sql")):
        number, _, name = path.stem.partition("_")
        found.append(Migration(component, int(number), name, path.read_text(encoding="utf-8")))
    return found


class MigrationError(RuntimeError):
    pass


async def migrate(pool: asyncpg.Pool, schema: str, migrations: Iterable[Migration]) -> list[Migration]:
    """Apply what is missing, each file in its own transaction; safe to run from several replicas at once."""
    applied: list[Migration] = []
    async with pool.acquire() as conn:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT, version INTEGER, name TEXT NOT NULL,"
            " checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (component, version))"
        )
        for migration in migrations:
            async with conn.transaction():
                # Replicas starting together serialise here instead of racing on DDL.
                await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"migrate:{schema}")
                done = await conn.fetchval(
                    "SELECT checksum FROM schema_migrations WHERE component = $1 AND version = $2",
                    migration.component,
                    migration.version,
                )
                if done is not None:
                    if done != migration.checksum:
                        raise MigrationError(
                            f"migration {migration.component}/{migration.version:03d}_{migration.name} was edited"
                            " after it was applied; add a new migration instead"
                        )
                    continue
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (component, version, name, checksum) VALUES ($1, $2, $3, $4)",
                    migration.component,
                    migration.version,
                    migration.name,
                    migration.checksum,
                )
                applied.append(migration)
                log.info("migration applied", component=migration.component, version=migration.version)
    return applied
