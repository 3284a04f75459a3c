"""The HTTP floor of bench.http_path: a FastAPI app whose POST /producers does one raw INSERT, nothing else.

    OCOP_DATABASE_URL=… OCOP_FLOOR_PORT=… python -m bench.http_floor

Run as its own process under uvicorn with the services' options (``shared.serve.uvicorn_options``) and their pool
size (``OCOP_DATABASE_POOL_MAX``), on the same PostgreSQL: what a command costs through HTTP when the kernel, auth,
tracing and logging cost nothing. Its table lives in the schema ``bench_http_floor`` (made here, dropped by the bench).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

SCHEMA = "bench_http_floor"


def create_floor_app(database_url: str, pool_max: int) -> FastAPI:
    pool: list[asyncpg.Pool] = []

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            await conn.execute(f"CREATE TABLE IF NOT EXISTS {SCHEMA}.producers (producer_id text PRIMARY KEY, "
                               "body jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())")
        finally:
            await conn.close()
        pool.append(await asyncpg.create_pool(database_url, min_size=1, max_size=pool_max))
        try:
            yield
        finally:
            await pool[0].close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/readyz")
    async def readyz() -> dict[str, str]:
        return {"status": "ready"}

    @app.post("/producers", status_code=201)
    async def producers(request: Request) -> Any:
        body = await request.json()
        await pool[0].execute(f"INSERT INTO {SCHEMA}.producers (producer_id, body) VALUES ($1, $2::jsonb)",
                              body["producer_id"], json.dumps(body))
        return JSONResponse({**body, "version": 1}, status_code=201)

    return app


def main() -> None:
    import uvicorn

    from shared.serve import uvicorn_options

    app = create_floor_app(os.environ["OCOP_DATABASE_URL"], int(os.environ.get("OCOP_DATABASE_POOL_MAX", "10")))
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["OCOP_FLOOR_PORT"]), lifespan="on", **uvicorn_options())


if __name__ == "__main__":
    main()
