"""The subscriber's loops: read a page (or a batch), apply it with the new position in one transaction, show the
table; until stopped, or until caught up (``until_idle``)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import structlog
from rich.console import Console
from rich.live import Live

from ocop.subscribe.display import Snapshot
from ocop.subscribe.errors import SubscribeError
from ocop.subscribe.feed import FeedReader, Unreachable, feed_url
from ocop.subscribe.kafka import KafkaReader, Security
from ocop.subscribe.store import Store
from ocop.subscribe.table import counts

log = structlog.get_logger("ocop.subscribe")

RETRY_SECONDS = (1, 2, 5, 10, 30)
TOPIC_CHECK_SECONDS = 10.0


@dataclass
class Output:
    """Where the table goes: a live rich table (or one table at the end), or JSON lines."""

    names: dict[str, str]
    json: bool = False
    until_idle: bool = False
    stream: TextIO = field(default_factory=lambda: sys.stdout)
    _live: Live | None = None

    def __enter__(self) -> Output:
        if not self.json and not self.until_idle:
            self._live = Live(console=Console(file=self.stream), auto_refresh=False)
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)

    def resumed(self, snapshot: Snapshot) -> None:
        """On start (following): the table as the state file holds it, before anything new arrives."""
        if not self.until_idle:
            self.changed(snapshot)

    def changed(self, snapshot: Snapshot) -> None:
        """After a page that applied something (following)."""
        if self._live is not None:
            self._live.update(snapshot.table(self.names), refresh=True)
        elif self.json and not self.until_idle:
            print(snapshot.json_line(self.names), file=self.stream, flush=True)

    def final(self, snapshot: Snapshot) -> None:
        """Once caught up (``until_idle``)."""
        if self.json:
            print(snapshot.json_line(self.names), file=self.stream, flush=True)
        else:
            Console(file=self.stream).print(snapshot.table(self.names))


def snapshot(store: Store, source: str, position: Any) -> Snapshot:
    return Snapshot(counts(store.products()), source, position, store.applied_count())


async def follow_feed(url: str, key: str, state: Path, output: Output, *, limit: int, wait: int) -> None:
    store = Store(state)
    reader = FeedReader(url, key, limit=limit)
    source = f"feed {feed_url(url)}"
    try:
        store.bind("feed", feed_url(url))
        after, answered, failures = store.feed_after(), False, 0
        with output:
            output.resumed(snapshot(store, source, after))
            while True:
                try:
                    page = await reader.page(after, wait=0 if output.until_idle else wait)
                except Unreachable as exc:
                    if output.until_idle or not answered:
                        raise
                    failures += 1
                    await _pause(str(exc), failures)
                    continue
                answered, failures = True, 0
                for reason in page.skipped:
                    log.warning("event_skipped", reason=reason)
                events = [e for e in page.events if e.position is not None and e.position > after]
                _check_order(events, after)
                applied = store.apply_page(events, after=max(page.after, after))
                after = max(page.after, after)
                if applied:
                    output.changed(snapshot(store, source, after))
                if output.until_idle and page.empty:
                    output.final(snapshot(store, source, after))
                    return
    finally:
        await reader.close()
        store.close()


def _check_order(events: list[Any], after: int) -> None:
    positions = [after, *(e.position for e in events)]
    if any(b <= a for a, b in zip(positions, positions[1:])):
        raise SubscribeError(f"the feed's positions do not increase after {after}: {positions[1:]}")


async def follow_kafka(servers: str, security: Security, state: Path, output: Output, *, max_records: int) -> None:
    reader = KafkaReader(servers, security=security, max_records=max_records)
    store = Store(state)
    source = f"kafka {servers}"
    try:
        store.bind("kafka", servers)
        await reader.start(store.kafka_offsets())
        checked = asyncio.get_running_loop().time()
        with output:
            output.resumed(snapshot(store, source, _offsets(store)))
            while True:
                batch = await reader.batch(timeout_ms=500 if output.until_idle else 1000)
                for reason in batch.skipped:
                    log.warning("record_skipped", reason=reason)
                if batch.offsets:
                    if store.apply_page(batch.events, offsets=batch.offsets):
                        output.changed(snapshot(store, source, _offsets(store)))
                    continue
                if output.until_idle and await reader.caught_up():
                    output.final(snapshot(store, source, _offsets(store)))
                    return
                if asyncio.get_running_loop().time() - checked > TOPIC_CHECK_SECONDS:
                    await reader.assign(store.kafka_offsets())  # a topic created, or partitions added, meanwhile
                    checked = asyncio.get_running_loop().time()
    finally:
        await reader.stop()
        store.close()


def _offsets(store: Store) -> dict[str, int]:
    return {f"{topic}[{partition}]": offset for (topic, partition), offset in sorted(store.kafka_offsets().items())}


async def _pause(reason: str, failures: int, sleep: Callable[[float], Any] = asyncio.sleep) -> None:
    seconds = RETRY_SECONDS[min(failures, len(RETRY_SECONDS)) - 1]
    log.warning("feed_unreachable", reason=reason, retry_in_seconds=seconds, failures=failures)
    await sleep(seconds)  # the feed is down: come back later, as a person would
