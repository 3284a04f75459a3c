"""PostgreSQL pool and versioned migrations, one schema per service."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import structlog

KERNEL_MIGRATIONS = Path(__file__).parent / "migrations"
log = structlog.get_logger(__name__)


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=_dumps, decoder=json.loads, schema="pg_catalog")


def _dumps(value: object) -> str:
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
