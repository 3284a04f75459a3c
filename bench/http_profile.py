"""Where registration's CPU goes under load: CPU-time stack samples of its event loop (bench.profiled), by layer.

A sample's innermost Python frame names the layer whose code ran ("self"); code in C (asyncpg's protocol, json, the
protobuf encoder) counts under the Python function that called it. A layer anywhere on the stack ("with callees")
tells what a concern costs with what it calls. Samples taken while the loop waited (few: the timer counts CPU time)
are left out of the shares.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import Awaitable, Callable
from collections import Counter
from pathlib import Path
from typing import Any

# (layer, path fragments of its source files); the first layer that matches a function's file wins.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("OpenTelemetry (spans, context, propagation)", ("/opentelemetry/", "/google/protobuf/")),
    ("logging (structlog, stdlib logging)", ("/structlog/", "/logging/")),
    ("asyncpg (driver)", ("/asyncpg/",)),
    ("pydantic (validation, serialisation)", ("/pydantic/", "/pydantic_core/")),
    ("FastAPI and Starlette (routing, dependencies, middleware)", ("/fastapi/", "/starlette/")),
    ("uvicorn and HTTP parsing", ("/uvicorn/", "/h11/", "/httptools/")),
    ("JWT (auth)", ("/jwt/", "/cryptography/")),
    ("kernel (shared/)", ("/shared/",)),
    ("registration's own code (services/)", ("/services/",)),
    ("asyncio event loop, selectors, sockets", ("/asyncio/", "selectors.py", "socket.py", "/uvloop/")),
    ("other libraries", ("/site-packages/",)),
    ("json, uuid, datetime, enum and the rest of the standard library", ("/python3.",)),
)
OTHER = "other"
# Innermost frames of a thread that waits: the event loop between callbacks (uvloop runs them from asyncio.run, in C),
# a selector, a lock or condition, a socket read.
_WAITS = ("asyncio/runners.py:run", "selectors.py:select", "threading.py:wait", "threading.py:_wait_for_tstate_lock",
          "socket.py:readinto", "ssl.py:read", "ssl.py:recv_into", "base_events.py:_run_once")
# Layers whose "with callees" share means something: the kernel's serve, middleware and FastAPI's routing are on the
# stack of every request, whatever it runs.
CONCERNS = ("OpenTelemetry (spans, context, propagation)", "logging (structlog, stdlib logging)", "asyncpg (driver)",
            "pydantic (validation, serialisation)", "JWT (auth)")


def layer_of(frame: str) -> str:
    filename = frame.rsplit(":", 1)[0]
    return next((name for name, parts in LAYERS if any(p in filename for p in parts)), OTHER)


def summarise(path: str, requests: int) -> dict[str, Any]:
    """Busy samples by layer (self and with callees), as shares of the busy samples."""
    stacks: dict[str, int] = json.loads(Path(path).read_text())
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    idle = 0
    for stack, n in stacks.items():
        frames = stack.split(";")
        if frames[-1].endswith(_WAITS):
            idle += n
            continue
        own[layer_of(frames[-1])] += n
        for name in {layer_of(f) for f in frames}:
            inclusive[name] += n
    busy = sum(own.values())
    return {"requests": requests, "busy": busy, "idle": idle,
            "layers": {k: v / busy for k, v in own.most_common()} if busy else {},
            "inclusive": {k: inclusive[k] / busy for k in CONCERNS} if busy else {}}


def spawn_profiled(launcher: Any, name: str, output: Path) -> None:
    """Start service ``name`` as the launcher would, inside bench.profiled (not profiling until :func:`profiled`)."""
    port = int(launcher.env[f"OCOP_{name.upper()}_PORT"])
    env = {**launcher.service_env(name, port), "OCOP_PROFILED_MODULE": f"services.{name}",
           "OCOP_PROFILE_OUTPUT": str(output)}
    launcher._spawn(name, "bench.profiled", port, env, name=name)


async def profiled(pid: int, output: Path, load: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    """Profile the bench.profiled process ``pid`` while ``load()`` runs; the load's figures with the profile's."""
    output.unlink(missing_ok=True)
    os.kill(pid, signal.SIGUSR1)
    try:
        figures = await load()
    finally:
        os.kill(pid, signal.SIGUSR2)
    for _ in range(300):  # the stats are written by the process's signal handler, between two of its callbacks
        if output.exists() and output.stat().st_size:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)
    return {**figures, "profile": summarise(str(output), figures["count"])}
