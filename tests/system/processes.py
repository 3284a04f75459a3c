"""Service processes for the system tests: ``python -m services.<name>`` on a free port, on the session's broker."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from ocop.infra.ports import free_port
from ocop.launcher import ROOT


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_ready(process: subprocess.Popen, ready: Callable[[], bool], what: str, output: Callable[[], str],
               timeout: float = 90) -> None:
    """Poll ``ready`` until true; fail at once if ``process`` exits, or at the deadline, with its output."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert process.poll() is None, f"{what} exited: {output()}"
        assert time.monotonic() < deadline, f"{what} not ready: {output()}"
        time.sleep(0.2)  # polling an outside process's HTTP probe: there is nothing to await


@contextmanager
def service_process(launcher, log_dir: Path, name: str, **env: str) -> Iterator[str]:
    """``python -m services.<name>`` on a free port (its output in ``log_dir/<name>.log``), ready: its URL."""
    port = free_port()
    with module_process(f"services.{name}", port, {**launcher.service_env(name, port), **env},
                        log_dir / f"{name}.log") as url:
        yield url


@contextmanager
def module_process(module: str, port: int, env: dict[str, str], log: Path) -> Iterator[str]:
    """``python -m <module>`` answering on ``port`` (output in ``log``), once its ``/readyz`` says so: its URL;
    terminated (killed after 30 s) on leaving."""
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", module], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, lambda: _ready(url), module, lambda: log.read_text()[-3000:])
        yield url
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fresh_database(launcher, prefix: str) -> str:
    """A new, empty database on the session's PostgreSQL server: its URL (for services whose data must stay apart)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        connection = await asyncpg.connect(launcher.database_url)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(create())
    parts = urlsplit(launcher.database_url)
    return urlunsplit(parts._replace(path=f"/{name}"))
