"""A small TCP proxy for connection faults between the services and the broker or PostgreSQL.

``tc netem`` is not available on these machines, so faults of the network are made here: the services connect to
the proxy, the proxy to the real server. It runs its own event loop on its own thread, so a test that blocks (a
launcher waiting for readiness, a synchronous admin client) never stalls the traffic it carries.

Every fault is bounded in time: it heals itself after ``seconds`` even if the test fails before it could. The
faults:

- ``latency``: every chunk waits before it is forwarded, in both directions;
- ``drop_new``: new connections are closed with a reset as soon as they are accepted; open ones carry on;
- ``reset``: every open connection is reset at once (an instant fault; new connections work);
- ``half_open``: connections are accepted but nothing is forwarded, in either direction, until the fault ends
  (then what was held flows, as after a healed partition where TCP retransmits).
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

from ocop.infra.ports import LOCALHOST, free_port

_CHUNK = 64 * 1024


@dataclass
class Injected:
    """One fault as it was injected: what, for how long, when (monotonic seconds)."""

    kind: str
    seconds: float
    started: float


@dataclass(eq=False)  # held in a set: identity, not field equality
class _Link:
    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class Proxy:
    """``127.0.0.1:port`` → ``127.0.0.1:upstream_port``; ``start()`` before use, ``stop()`` after."""

    def __init__(self, upstream_port: int, *, port: int | None = None, name: str = "proxy") -> None:
        self.upstream_port = upstream_port
        self.port = port or free_port()
        self.name = name
        self.injected: list[Injected] = []
        self.accepted = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"proxy-{name}", daemon=True)
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()
        self._latency = 0.0
        self._drop_new = False
        self._flowing: asyncio.Event | None = None
        self._heal: asyncio.TimerHandle | None = None

    @property
    def address(self) -> str:
        return f"{LOCALHOST}:{self.port}"

    # ------------------------------------------------------------------ life cycle

    def start(self) -> Proxy:
        self._thread.start()
        self._call(self._listen())
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._call(self._close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _call(self, coro: object, timeout: float = 10.0) -> object:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)  # type: ignore[arg-type]

    async def _listen(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = await asyncio.start_server(self._accept, LOCALHOST, self.port, reuse_address=True)

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        tasks = [task for link in self._links for task in link.tasks]
        self._reset_all()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ------------------------------------------------------------------ faults (callable from any thread)

    def latency(self, delay: float, seconds: float) -> None:
        self._inject("latency", seconds, lambda: setattr(self, "_latency", delay))

    def drop_new(self, seconds: float) -> None:
        self._inject("drop_new", seconds, lambda: setattr(self, "_drop_new", True))

    def half_open(self, seconds: float) -> None:
        self._inject("half_open", seconds, lambda: self._flowing.clear())  # type: ignore[union-attr]

    def reset(self) -> None:
        """Reset every open connection now (the clients see ECONNRESET); new connections are carried as usual."""
        self.injected.append(Injected("reset", 0.0, time.monotonic()))
        self._loop.call_soon_threadsafe(self._reset_all)
        # Wait until the loop ran it, so the caller's next step happens after the resets.
        self._call(asyncio.sleep(0))

    def heal(self) -> None:
        """End the current fault now (it would end by itself at its deadline)."""
        self._loop.call_soon_threadsafe(self._normal)
        self._call(asyncio.sleep(0))

    @property
    def faulty(self) -> bool:
        return bool(self._latency or self._drop_new or (self._flowing is not None and not self._flowing.is_set()))

    def _inject(self, kind: str, seconds: float, apply: object) -> None:
        assert seconds > 0, "a fault must end"
        self.injected.append(Injected(kind, seconds, time.monotonic()))

        def begin() -> None:
            self._normal()
            apply()  # type: ignore[operator]
            self._heal = self._loop.call_later(seconds, self._normal)

        self._loop.call_soon_threadsafe(begin)
        self._call(asyncio.sleep(0))

    def _normal(self) -> None:
        if self._heal is not None:
            self._heal.cancel()
            self._heal = None
        self._latency, self._drop_new = 0.0, False
        if self._flowing is not None:
            self._flowing.set()

    # ------------------------------------------------------------------ the traffic

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        if self._drop_new:
            _abort(writer)
            return
        link = _Link(writer)
        self._links.add(link)
        try:
            await self._flowing.wait()  # type: ignore[union-attr]  # half-open: accepted, never connected onwards
            up_reader, link.upstream = await asyncio.open_connection(LOCALHOST, self.upstream_port)
        except OSError:
            self._links.discard(link)
            _abort(writer)
            return
        link.tasks = [asyncio.create_task(self._pipe(reader, link.upstream, link)),
                      asyncio.create_task(self._pipe(up_reader, writer, link))]

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: _Link) -> None:
        try:
            while data := await reader.read(_CHUNK):
                if self._latency:
                    await asyncio.sleep(self._latency)
                await self._flowing.wait()  # type: ignore[union-attr]
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            # One side closed: close both, as a real connection would end.
            self._end(link)

    def _end(self, link: _Link) -> None:
        self._links.discard(link)
        for side in (link.client, link.upstream):
            if side is not None and not side.is_closing():
                side.close()

    def _reset_all(self) -> None:
        for link in list(self._links):
            self._links.discard(link)
            for task in link.tasks:
                task.cancel()
            _abort(link.client)
            if link.upstream is not None:
                _abort(link.upstream)


def _abort(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a dropped or refused connection looks to the peer."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()
