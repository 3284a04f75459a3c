"""How finance's routes read: a query on a pooled connection, and 404 for what is not there."""

from __future__ import annotations

from typing import Any

from fastapi import Query, Request

from shared.http.app import runtime_of
from shared.http.params import OFFSET, limit_query, year_query
from shared.uow import NotFound

Year = year_query()
District = Query(default=None, pattern=r"^\d{3}$")
Limit = limit_query(default=100, maximum=1000)
Offset = OFFSET


async def read(request: Request, query: Any, *args: Any) -> Any:
    async with runtime_of(request).pool.acquire() as conn:
        return await query(conn, *args)


def found(value: Any, kind: str, key: str) -> Any:
    if value is None:
        raise NotFound(kind, key)
    return value
