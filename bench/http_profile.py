"""Where registration's CPU goes under load: cProfile's figures of its event loop (bench.profiled), summed by layer.

Self time is the time a function's own code ran; each function's file names its layer. cProfile adds a cost per call,
so layers of many small Python calls look somewhat bigger than they are; code in C (asyncpg's protocol, pydantic-core,
json) counts under the Python function that called it. The span exporter's thread is not in these figures (cProfile
follows the thread that started it): its cost is in the CPU per request of the tables.
"""

from __future__ import annotations

import asyncio
import os
import pstats
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
OTHER = "built-in functions (C) called directly"


def layer_of(filename: str) -> str:
    return next((name for name, parts in LAYERS if any(p in filename for p in parts)), OTHER)


def summarise(path: str, requests: int) -> dict[str, Any]:
    """Self seconds by layer, and the kernel's and registration's functions by cumulative time, per request."""
    stats = pstats.Stats(path)
    by_layer: Counter[str] = Counter()
    ours: list[tuple[float, str]] = []
    total = 0.0
    for (filename, line, function), (_, _, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        by_layer[layer_of(filename)] += tottime
        total += tottime
        if "/shared/" in filename or "/services/" in filename:
            where = filename.split("/shared/", 1)[-1] if "/shared/" in filename else filename.split("/services/", 1)[-1]
            ours.append((cumtime, f"{'shared' if '/shared/' in filename else 'services'}/{where}:{line} {function}"))
    per = 1e6 / max(requests, 1)
    return {"requests": requests, "total_us": total * per,
            "layers": {name: seconds * per for name, seconds in by_layer.most_common()},
            "functions": [(name, seconds * per) for seconds, name in sorted(ours, reverse=True)[:12]]}


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
