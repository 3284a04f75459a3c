"""Tables beside the live ones: empty copies in a scratch schema, filled by a rebuild, then moved into service.

A copy has what the live table has: columns, defaults, identity, CHECK constraints, storage, comments (``LIKE …
INCLUDING ALL``), and the live table's own index and constraint names (recreated from their definitions, not
renamed by ``LIKE``: later migrations and ``ON CONFLICT ON CONSTRAINT`` name them), grants and owner. The scratch
schema is never on a pool's search path, so the migration runner and live code do not see it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, table: str) -> str:
    return f"{ident(schema)}.{ident(table)}"


def search_path(scratch: Sequence[str], schema: str) -> str:
    """Scratch schemas first: the writers' unqualified names reach the beside tables, the rest (``events``) the live ones."""
    return ", ".join(ident(s) for s in (*scratch, schema, "public"))


# Everything that makes two tables interchangeable for the code that uses them. Rendered with the live schema on the
# search path (names unqualified), so the same tables give the same text at the start of a build and at its swap.
_SHAPE = """
SELECT md5(coalesce(string_agg(d, E'\\n' ORDER BY d), '')) FROM (
    SELECT c.relname || ' ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull
           || ' ' || a.attidentity::text || ' ' || coalesce(pg_get_expr(ad.adbin, ad.adrelid), '') AS d
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    WHERE c.oid = ANY($1::text[]::regclass[]) AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = ANY($1::text[]::regclass[])
    UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = ANY($1::text[]::regclass[])
) defs
"""


async def shape(conn: asyncpg.Connection, schema: str, tables: Sequence[str]) -> str:
    return await conn.fetchval(_SHAPE, [qualified(schema, t) for t in tables])


# The DDL that gives a copy the live table's names; rendered while only the live schema is on the search path, so
# it names tables unqualified and runs against whichever table the build connection's search path reaches first.
_CONSTRAINTS = """
SELECT format('ALTER TABLE %I ADD CONSTRAINT %I %s', c.relname, k.conname, pg_get_constraintdef(k.oid))
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
WHERE k.conrelid = $1::text::regclass AND k.contype IN ('p', 'u', 'x', 'f')
ORDER BY k.contype = 'f', k.conname
"""
# pg_get_indexdef always names the table with its schema: that is taken off, for the search path to choose.
# $2: the unique ones (created with the copy: ON CONFLICT needs them) or the others (see ``add_indexes``).
_INDEXES = """
SELECT replace(pg_get_indexdef(i.indexrelid), format(' %I.%I USING ', n.nspname, c.relname), format(' %I USING ', c.relname))
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE i.indrelid = $1::text::regclass AND i.indisunique = $2
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))
ORDER BY i.indexrelid
"""
_GRANTS = """
SELECT format('GRANT %s ON %s TO %s%s', a.privilege_type, $2::text,
              CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
              CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = $1::text::regclass AND a.grantee <> c.relowner
"""


async def create(conn: asyncpg.Connection, schema: str, scratch: str, tables: Sequence[str], *, unlogged: bool) -> None:
    """(Re)create ``scratch`` with an empty copy of each live table; on ``conn`` in the caller's transaction,
    whose search path is the live schema's. The copies have their constraints and unique indexes; the other
    indexes come with ``add_indexes`` once the copies are filled."""
    ddl: list[str] = [f"DROP SCHEMA IF EXISTS {ident(scratch)} CASCADE", f"CREATE SCHEMA {ident(scratch)}"]
    for table in tables:
        live, copy = qualified(schema, table), qualified(scratch, table)
        ddl.append(f"CREATE {'UNLOGGED ' if unlogged else ''}TABLE {copy} (LIKE {live} INCLUDING ALL EXCLUDING INDEXES)")
        owner = await conn.fetchval("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = $1::text::regclass", live)
        if owner != await conn.fetchval("SELECT current_user"):
            ddl.append(f"ALTER TABLE {copy} OWNER TO {ident(owner)}")
        ddl += [r[0] for r in await conn.fetch(_GRANTS, live, copy)]
    later: list[str] = []
    for table in tables:
        live = qualified(schema, table)
        later += [r[0] for r in await conn.fetch(_CONSTRAINTS, live)]
        later += [r[0] for r in await conn.fetch(_INDEXES, live, True)]
    for statement in ddl:
        await conn.execute(statement)
    await conn.execute(f"SET LOCAL search_path TO {search_path([scratch], schema)}")
    for statement in later:
        await conn.execute(statement)
    await conn.execute(f"SET LOCAL search_path TO {search_path([], schema)}")


# An UNLOGGED one-row table in the scratch schema naming the build: PostgreSQL empties it in any crash recovery, as it
# empties UNLOGGED copies, so a build is resumed only while its marker is there.
_MARKER = "_rebuild_marker"


async def mark(conn: asyncpg.Connection, scratch: str, build_id: Any) -> None:
    await conn.execute(f"CREATE UNLOGGED TABLE {qualified(scratch, _MARKER)} (build_id UUID PRIMARY KEY)")
    await conn.execute(f"INSERT INTO {qualified(scratch, _MARKER)} VALUES ($1)", build_id)


async def marked(conn: asyncpg.Connection, scratch: str) -> Any:
    """The build id ``scratch``'s marker holds (None: no marker, or emptied by a crash)."""
    if not await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", qualified(scratch, _MARKER)):
        return None
    return await conn.fetchval(f"SELECT build_id FROM {qualified(scratch, _MARKER)}")


async def add_indexes(conn: asyncpg.Connection, schema: str, scratch: str, tables: Sequence[str]) -> None:
    """Give the filled copies the live tables' other indexes (not unique, no constraint's), on ``conn`` in the
    caller's transaction, whose search path is the live schema's. Built once from the rows rather than kept up to
    date row by row while the copies fill: that upkeep was much of PostgreSQL's work in a rebuild, and an UPDATE
    that changes an indexed column of a row could not be a HOT one. The writers find their rows by primary key
    (or the unique indexes kept), which the copies have from the start. ``IF NOT EXISTS``: a resumed build may
    have added them already."""
    later: list[str] = []
    for table in tables:
        later += [r[0].replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
                  for r in await conn.fetch(_INDEXES, qualified(schema, table), False)]
    await conn.execute(f"SET LOCAL search_path TO {search_path([scratch], schema)}")
    for statement in later:
        await conn.execute(statement)
    await conn.execute(f"SET LOCAL search_path TO {search_path([], schema)}")


async def set_logged(conn: asyncpg.Connection, scratch: str, tables: Sequence[str]) -> None:
    for table in tables:
        await conn.execute(f"ALTER TABLE {qualified(scratch, table)} SET LOGGED")


async def swap_in(conn: asyncpg.Connection, schema: str, scratch: str, tables: Sequence[str]) -> None:
    """Replace each live table by its copy, in the caller's transaction (which holds the live tables' locks).

    No CASCADE: a view or foreign key on a live table stops the swap rather than being dropped with it.
    """
    for table in tables:
        await conn.execute(f"DROP TABLE {qualified(schema, table)}")
        await conn.execute(f"ALTER TABLE {qualified(scratch, table)} SET SCHEMA {ident(schema)}")
    await conn.execute(f"DROP TABLE IF EXISTS {qualified(scratch, _MARKER)}")
    await conn.execute(f"DROP SCHEMA {ident(scratch)}")


async def drop(conn: asyncpg.Connection, scratch: str) -> None:
    await conn.execute(f"DROP SCHEMA IF EXISTS {ident(scratch)} CASCADE")
