"""A project-local PostgreSQL cluster for the launcher and the tests.

Layout (default ``base`` = ``<repo>/.ocop``):
  base/pgdata             the cluster (initdb on first use, survives stop/start)
  base/run                unix socket directory
  base/logs/postgres.log  server log

PostgreSQL refuses to run as root, so when we are root every server command runs
as the ``postgres`` system user.  That user must be able to traverse every parent
of ``base``; if it cannot (e.g. the repo lives under a 0700 dir), the cluster is
placed in ``/var/tmp/ocop-<sha256(requested data dir)[:12]>/`` instead, which is
stable per checkout so data still survives restarts.  ``data_dir`` tells you
which directory is actually used.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import logging
import os
import re
import subprocess
from pathlib import Path
from typing import Mapping

from ocop.infra.pgenv import (SUPERUSER, PostgresError, find_pg_bindir, run_as_kwargs,
                              server_account, traversable_by, utf8_locale)
from ocop.infra.ports import LOCALHOST, port_is_free

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT / ".ocop" / "pgdata"
DEFAULT_PORT = 55432
FALLBACK_ROOT = Path("/var/tmp")
_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes; keep a margin for ".s.PGSQL.<port>"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def _conf_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class EmbeddedPostgres:
    """Start/stop a private PostgreSQL cluster; usable as a context manager."""

    def __init__(self, data_dir: str | os.PathLike[str] | None = None, port: int = DEFAULT_PORT,
                 bindir: str | os.PathLike[str] | None = None) -> None:
        self.requested_data_dir = Path(data_dir or DEFAULT_DATA_DIR).resolve()
        self.port = port
        self._bindir = Path(bindir) if bindir else None
        self._account = server_account()
        self.base_dir = self._choose_base()

    # -- layout -----------------------------------------------------------------
    def _choose_base(self) -> Path:
        wanted = self.requested_data_dir.parent
        wanted.mkdir(parents=True, exist_ok=True)
        if self._account is None or traversable_by(wanted, self._account):
            return wanted
        digest = hashlib.sha256(str(self.requested_data_dir).encode()).hexdigest()[:12]
        fallback = FALLBACK_ROOT / f"ocop-{digest}"
        log.warning("%s is not traversable by user %r; using %s for the cluster",
                    wanted, self._account.pw_name, fallback)
        fallback.mkdir(mode=0o755, exist_ok=True)
        # /var/tmp is shared: refuse a planted symlink or a dir someone else owns.
        if fallback.is_symlink() or fallback.lstat().st_uid != os.geteuid():
            raise PostgresError(f"{fallback} exists but is not ours; remove it or set OCOP_PG_DATA")
        os.chmod(fallback, 0o755)  # root-owned but world-traversable
        return fallback

    @property
    def data_dir(self) -> Path:
        if self.base_dir == self.requested_data_dir.parent:
            return self.requested_data_dir
        return self.base_dir / "pgdata"

    @property
    def socket_dir(self) -> Path:
        return self.base_dir / "run"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "logs" / "postgres.log"

    @property
    def bindir(self) -> Path:
        if self._bindir is None:
            self._bindir = find_pg_bindir()
        return self._bindir

    # -- process helpers ----------------------------------------------------------
    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        # Drop PG* variables so a developer's PGPORT/PGDATA cannot redirect us.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        return subprocess.run([str(self.bindir / args[0]), *args[1:]], cwd=self.base_dir, env=env,
                              capture_output=True, text=True, timeout=timeout,
                              **run_as_kwargs(self._account))

    def _give_to_server(self, path: Path) -> None:
        if self._account is not None:
            os.chown(path, self._account.pw_uid, self._account.pw_gid)

    def _check(self, proc: subprocess.CompletedProcess[str], what: str) -> None:
        if proc.returncode != 0:
            raise PostgresError(f"{what} failed (exit {proc.returncode}):\n"
                                f"{proc.stdout}{proc.stderr}\nserver log: {self.log_file}")

    # -- lifecycle ------------------------------------------------------------------
    def is_running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        # pg_ctl status: 0 = running, 3 = not running (it also discards stale pid files).
        return self._run("pg_ctl", "status", "-D", str(self.data_dir)).returncode == 0

    def running_port(self) -> int | None:
        """Port recorded by the live postmaster (line 4 of postmaster.pid)."""
        try:
            return int((self.data_dir / "postmaster.pid").read_text().splitlines()[3])
        except (OSError, IndexError, ValueError):
            return None

    def start(self) -> "EmbeddedPostgres":
        self._prepare_dirs()
        if self.is_running():
            self._adopt_running()
            return self
        if not port_is_free(LOCALHOST, self.port):
            raise PostgresError(
                f"port {self.port} on {LOCALHOST} is in use by another process (not the OCOP "
                f"cluster in {self.data_dir}); pick another port (OCOP_PG_PORT) or point "
                "OCOP_DATABASE_URL at that server")
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        self._write_runtime_conf()
        self._check(self._run("pg_ctl", "start", "-D", str(self.data_dir), "-l", str(self.log_file),
                              "-w", "-t", "60"), "pg_ctl start")
        return self

    def _adopt_running(self) -> None:
        # A cluster left running by an earlier launcher is reused, even on another port.
        running = self.running_port()
        if running and running != self.port:
            log.warning("reusing cluster %s already running on port %s (asked for %s)",
                        self.data_dir, running, self.port)
            self.port = running

    def stop(self, timeout: float = 60) -> None:
        if not self.is_running():
            return
        self._check(self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast", "-w",
                              "-t", str(int(timeout)), timeout=timeout + 10), "pg_ctl stop")

    def stop_immediately(self, timeout: float = 30) -> None:
        """``pg_ctl stop -m immediate``: every backend ends at once, no checkpoint, as after a crash.

        The next ``start`` runs crash recovery; committed transactions survive (fsync is on).
        """
        if not self.is_running():
            return
        self._check(self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "immediate", "-w",
                              "-t", str(int(timeout)), timeout=timeout + 10), "pg_ctl stop -m immediate")

    def __enter__(self) -> "EmbeddedPostgres":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _prepare_dirs(self) -> None:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self.log_file.touch(exist_ok=True)
        self._give_to_server(self.log_file)
        self.socket_dir.mkdir(mode=0o755, exist_ok=True)
        self._give_to_server(self.socket_dir)
        self.data_dir.mkdir(mode=0o700, exist_ok=True)
        os.chmod(self.data_dir, 0o700)  # postgres refuses group/world-accessible data dirs
        self._chown_data_dir()

    def _chown_data_dir(self) -> None:
        """Repair ownership if the cluster was created by another account (e.g. non-root run)."""
        if self._account is None or self.data_dir.stat().st_uid == self._account.pw_uid:
            return
        for root, dirs, files in os.walk(self.data_dir):
            for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
                os.lchown(name, self._account.pw_uid, self._account.pw_gid)

    def _initdb(self) -> None:
        if any(self.data_dir.iterdir()):
            raise PostgresError(f"{self.data_dir} is not empty and is not a PostgreSQL cluster")
        proc = self._run("initdb", "-D", str(self.data_dir), "-A", "trust", "-U", SUPERUSER,
                         "-E", "UTF8", f"--locale={utf8_locale()}")
        self._check(proc, "initdb")

    def _include_runtime_conf(self) -> None:
        # Checked on every start (not just after initdb) so an interrupted first run heals.
        main = self.data_dir / "postgresql.conf"
        line = "include_if_exists = 'ocop.conf'"
        if line not in main.read_text():
            with open(main, "a") as conf:
                conf.write(f"\n# OCOP: ocop.conf is rewritten on every start\n{line}\n")

    def _write_runtime_conf(self) -> None:
        sockets = str(self.socket_dir)
        if len(sockets) > _SOCKET_PATH_MAX:
            log.warning("socket dir path too long for a unix socket; TCP only: %s", sockets)
            sockets = ""
        settings = {
            "listen_addresses": _conf_quote(LOCALHOST),
            "port": str(self.port),
            "unix_socket_directories": _conf_quote(sockets),
            "max_connections": "200",
            "shared_buffers": "'128MB'",
            # Durability stays on: this cluster holds the event store between runs.
            "fsync": "on",
            "synchronous_commit": "on",
            "full_page_writes": "on",
        }
        self._include_runtime_conf()
        path = self.data_dir / "ocop.conf"
        path.write_text("".join(f"{k} = {v}\n" for k, v in settings.items()))
        self._give_to_server(path)

    # -- clients ------------------------------------------------------------------
    def dsn(self, database: str = "ocop") -> str:
        return f"postgresql://{SUPERUSER}@{LOCALHOST}:{self.port}/{database}"

    def ensure_database(self, name: str) -> None:
        """Create database ``name`` if missing (safe to call from inside an event loop)."""
        if not _IDENTIFIER.match(name):
            raise ValueError(f"invalid database name: {name!r}")
        _run_coro_in_thread(_create_database_if_missing(self.dsn("postgres"), name))


async def _create_database_if_missing(admin_dsn: str, name: str) -> None:
    import asyncpg  # local: keeps `import ocop.infra` cheap

    conn = await asyncpg.connect(admin_dsn, timeout=10)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            try:
                await conn.execute(f'CREATE DATABASE "{name}"')
            except asyncpg.DuplicateDatabaseError:
                pass  # a concurrent caller won the race; that's fine
    finally:
        await conn.close()


def _run_coro_in_thread(coro) -> None:
    # A private thread gets its own event loop, so callers may already be inside one.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coro).result()


def resolve_database_url(
    env: Mapping[str, str] | None = None,
) -> tuple[str, EmbeddedPostgres | None]:
    """OCOP_DATABASE_URL if set (nothing started), else a started embedded cluster.

    The embedded cluster honours OCOP_PG_PORT and OCOP_PG_DATA; the caller owns
    the returned EmbeddedPostgres and should stop() it on shutdown.
    """
    env = os.environ if env is None else env
    url = env.get("OCOP_DATABASE_URL")
    if url:
        return url, None
    pg = EmbeddedPostgres(data_dir=env.get("OCOP_PG_DATA") or None,
                          port=int(env.get("OCOP_PG_PORT") or DEFAULT_PORT))
    pg.start()
    pg.ensure_database("ocop")
    return pg.dsn("ocop"), pg
