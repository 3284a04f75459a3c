"""Small TCP-port and polling helpers shared by the embedded infrastructure."""

from __future__ import annotations

import socket
import time
from typing import Callable, TypeVar

T = TypeVar("T")

LOCALHOST = "127.0.0.1"


def free_port(host: str = LOCALHOST) -> int:
    """Return a port the kernel considers free right now (racy by nature)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_is_free(host: str, port: int) -> bool:
    """True if nothing listens on host:port (we can bind it ourselves)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR so a port in TIME_WAIT after our own stop counts as free,
        # mirroring what the servers themselves do when they bind.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def port_accepts(host: str, port: int, timeout: float = 0.5) -> bool:
    """True if a TCP connect to host:port succeeds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(host: str, port: int, deadline: float) -> None:
    """Block until host:port accepts connections.

    ``deadline`` is an absolute ``time.monotonic()`` value; raises TimeoutError
    once it has passed.
    """
    wait_until(lambda: port_accepts(host, port), deadline,
               what=f"{host}:{port} to accept connections")


def wait_until(
    probe: Callable[[], T],
    deadline: float,
    what: str = "condition",
    interval: float = 0.05,
    fatal: tuple[type[BaseException], ...] = (),
) -> T:
    """Poll ``probe`` until it returns a truthy value or ``deadline`` passes.

    Exceptions raised by the probe count as "not yet" (except ``fatal`` ones,
    which propagate at once); the last one is chained into the TimeoutError so
    failures stay diagnosable.
    """
    last_error: BaseException | None = None
    while True:
        try:
            result = probe()
            if result:
                return result
        except fatal:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready yet"
            last_error = exc
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out waiting for {what}") from last_error
        # Back off gently: fast first polls, then at most 0.5 s between tries.
        time.sleep(interval)
        interval = min(interval * 1.5, 0.5)
