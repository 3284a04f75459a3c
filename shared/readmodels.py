"""Read-side helpers for the services' query modules: filters on equal columns and counted pages."""

from __future__ import annotations

from typing import Any

import asyncpg


class Where:
    """Collects ``column = $n`` clauses and their arguments, skipping filters that were not given."""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.clauses: list[str] = []
        self.args: list[Any] = []

    def equal(self, **filters: Any) -> Where:
        for column, value in filters.items():
            if value is not None:
                self.add(f"{self.alias}.{column} = ${{}}", value)
        return self

    def add(self, clause: str, value: Any) -> Where:
        """``clause`` holds one ``${}`` for the argument's placeholder."""
        self.args.append(value)
        self.clauses.append(clause.replace("${}", f"${len(self.args)}"))
        return self

    def sql(self) -> str:
        return (" WHERE " + " AND ".join(self.clauses)) if self.clauses else ""


async def page(
    conn: asyncpg.Connection, *, columns: str, source: str, where: Where, order_by: str, limit: int, offset: int,
    key: str | None = None,
) -> dict[str, Any]:
    """``{"total": n, "items": [...]}``: the count of all matches and one page of them.

    ``key``: a unique column of ``source``; the page's keys are chosen first, then only their rows are read. When an
    index holds the order and the filtered columns, the choice is an index-only scan: the rows that fail the filter
    are skipped in the index instead of each being fetched from the table (same rows, same order).
    """
    condition, args = where.sql(), where.args
    total = await conn.fetchval(f"SELECT count(*) FROM {source}{condition}", *args)
    chosen = f"{source}{condition} ORDER BY {order_by} LIMIT ${len(args) + 1} OFFSET ${len(args) + 2}"
    if key is None:
        sql = f"SELECT {columns} FROM {chosen}"
    else:
        sql = f"SELECT {columns} FROM {source} WHERE {key} IN (SELECT {key} FROM {chosen}) ORDER BY {order_by}"
    rows = await conn.fetch(sql, *args, limit, offset)
    return {"total": total, "items": [dict(r) for r in rows]}
