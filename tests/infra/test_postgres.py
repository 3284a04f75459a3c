"""Embedded PostgreSQL: durability across stop/start, clean shutdown, port checks."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import asyncpg
import pytest

from ocop.infra.pgenv import PostgresError
from ocop.infra.ports import free_port, wait_until
from ocop.infra.postgres import EmbeddedPostgres, resolve_database_url

# Each test starts and stops PostgreSQL clusters or Tansu brokers of its own (2-4 s).
pytestmark = pytest.mark.integration


@pytest.fixture
def pg_dir(tmp_path: Path):
    """A requested data dir; removes the /var/tmp fallback too if root had to use it."""
    requested = tmp_path / "pgdata"
    made: list[EmbeddedPostgres] = []
    yield requested, made
    for pg in made:
        pg.stop()
        if tmp_path not in pg.base_dir.parents and pg.base_dir != tmp_path:
            shutil.rmtree(pg.base_dir, ignore_errors=True)


def _processes_for(data_dir: Path, postmaster: int) -> list[int]:
    """PIDs of the postmaster or anything naming the data dir / parented by it."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # process vanished while we looked
        if int(proc.name) == postmaster or ppid == postmaster or str(data_dir) in cmdline:
            found.append(int(proc.name))
    return found


async def _query(dsn: str, sql: str, *args):
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def test_data_survives_restart_and_stop_is_clean(pg_dir):
    requested, made = pg_dir
    port = free_port()
    pg = EmbeddedPostgres(data_dir=requested, port=port)
    made.append(pg)
    pg.start()
    pg.ensure_database("ocop")
    pg.ensure_database("ocop")  # idempotent
    await _query(pg.dsn(), "CREATE TABLE kept (id int PRIMARY KEY, note text)")
    await _query(pg.dsn(), "INSERT INTO kept VALUES (1, 'mỗi xã một sản phẩm')")
    pg.stop()
    assert not pg.is_running()

    again = EmbeddedPostgres(data_dir=requested, port=port)  # a fresh object, same cluster
    made.append(again)
    again.start()
    rows = await _query(again.dsn(), "SELECT note FROM kept WHERE id = 1")
    assert [r["note"] for r in rows] == ["mỗi xã một sản phẩm"]
    settings = await _query(again.dsn(), "SELECT name, setting FROM pg_settings "
                            "WHERE name IN ('fsync', 'max_connections', 'listen_addresses')")
    assert {r["name"]: r["setting"] for r in settings} == {
        "fsync": "on", "max_connections": "200", "listen_addresses": "127.0.0.1"}

    postmaster = int((again.data_dir / "postmaster.pid").read_text().splitlines()[0])
    again.stop()
    wait_until(lambda: not _processes_for(again.data_dir, postmaster), time.monotonic() + 10,
               what="postgres processes to exit")


def test_running_cluster_is_reused(pg_dir):
    requested, made = pg_dir
    first = EmbeddedPostgres(data_dir=requested, port=free_port())
    made.append(first)
    first.start()
    second = EmbeddedPostgres(data_dir=requested, port=free_port())
    second.start()  # must adopt the live cluster rather than fail or start another
    assert second.port == first.port
    assert second.is_running()


def test_busy_port_is_reported(pg_dir):
    requested, made = pg_dir
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        pg = EmbeddedPostgres(data_dir=requested, port=squatter.getsockname()[1])
        made.append(pg)
        with pytest.raises(PostgresError, match="in use by another process"):
            pg.start()


def test_database_url_from_env_starts_nothing():
    url, pg = resolve_database_url({"OCOP_DATABASE_URL": "postgresql://u@db.example:5432/x"})
    assert (url, pg) == ("postgresql://u@db.example:5432/x", None)
