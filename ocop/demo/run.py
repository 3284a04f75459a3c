"""Run the demo's steps in order and print their reports (``ocop demo``)."""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.markup import escape

from ocop.demo.client import DemoContext, DemoError, ServiceClient, Staff, Step
from ocop.demo.finance import FinanceReport, finance_season, prepare_finance
from ocop.demo.finance_closing import FinanceClosingReport, finance_closing
from ocop.demo.monitoring import MonitoringReport, monitoring_season
from ocop.demo.rating import RatingReport, rating_season
from ocop.demo.season import SeasonReport, fresh_run_id, registration_season
from shared.settings import DEFAULT_PORTS, KernelSettings


def local_url(service: str) -> str:
    """Where ``ocop up`` serves ``service``: 127.0.0.1 on its ``OCOP_<SERVICE>_PORT`` (default 8001–8004)."""
    return f"http://127.0.0.1:{os.environ.get(f'OCOP_{service.upper()}_PORT') or DEFAULT_PORTS[service]}"




# ----------------------------------------------------------------------------------------------------- the demo


@dataclass
class DemoReport:
    run_id: str
    seed: int
    cycle_year: int
    urls: dict[str, str]
    steps: list[Any]
    elapsed: float

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps)

    @property
    def season(self) -> SeasonReport:
        return next(s for s in self.steps if isinstance(s, SeasonReport))

    @property
    def rating(self) -> RatingReport:
        return next(s for s in self.steps if isinstance(s, RatingReport))

    @property
    def finance(self) -> FinanceReport:
        return next(s for s in self.steps if isinstance(s, FinanceReport))

    @property
    def monitoring(self) -> MonitoringReport:
        return next(s for s in self.steps if isinstance(s, MonitoringReport))

    @property
    def closing(self) -> FinanceClosingReport:
        return next(s for s in self.steps if isinstance(s, FinanceClosingReport))

    @property
    def problems(self) -> list[str]:
        return [problem for step in self.steps for problem in step.problems]

    def render(self, console: Console) -> None:
        for step in self.steps:
            step.render(console)
        verdict = "[bold green]done[/]" if self.ok else "[bold red]done, with problems[/]"
        console.print(f"{verdict}: demo run [bold]{self.run_id}[/] (seed {self.seed}, cycle {self.cycle_year})"
                      f" in {self.elapsed:.1f} s; its producers are demo-{self.run_id}-NNN")


async def run_demo(
    registration_url: str = "http://127.0.0.1:8001",
    rating_url: str | None = "http://127.0.0.1:8002",
    finance_url: str | None = None,
    monitoring_url: str | None = None,
    *,
    cycle_year: int = 2021,
    seed: int = 2021,
    producers: int = 40,
    run_id: str | None = None,
    concurrency: int = 8,
    drain_timeout: float = 60.0,
    rating_timeout: float = 90.0,
    skip: frozenset[str] = frozenset(),
    settings: KernelSettings | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> DemoReport:
    """Play the demo's steps in order against running services; raises :class:`DemoError` if it cannot go on.

    ``rating_url`` None plays the registration season alone. Finance and monitoring are found where ``ocop up`` serves
    them (``local_url``) unless given; ``skip`` names services not to play (``{"finance", "monitoring"}``).
    """
    if producers < 1:
        raise DemoError("the demo needs at least one producer")
    started = time.monotonic()
    urls = {"registration": registration_url}
    if rating_url:
        urls["rating"] = rating_url
        urls.update({name: url or local_url(name) for name, url in (("finance", finance_url),
                                                                     ("monitoring", monitoring_url))
                     if name not in skip})
    clients = {name: ServiceClient(name, url, concurrency=concurrency) for name, url in urls.items()}
    ctx = DemoContext(clients, Staff(settings), run_id or secrets.token_hex(3), seed, cycle_year, random.Random(seed), say,
                      drain_timeout)
    try:
        for client in clients.values():
            await client.ensure_ready()
        await fresh_run_id(ctx, fixed=run_id is not None)
        say(f"demo run [bold]{ctx.run_id}[/] (seed {seed}) against {', '.join(urls.values())}")
        steps: list[Step] = [lambda c: registration_season(c, producers)]
        if "finance" in urls:
            steps.append(prepare_finance)  # tariffs and budget before the recognitions reach finance
        if rating_url:
            steps.append(lambda c: rating_season(c, rating_timeout))
        if "finance" in urls:
            steps.append(lambda c: finance_season(c, rating_timeout))
        if "monitoring" in urls:
            steps.append(lambda c: monitoring_season(c, rating_timeout))
        if "finance" in urls:
            steps.append(lambda c: finance_closing(c, rating_timeout))
        reports = [await step(ctx) for step in steps]
    finally:
        for client in clients.values():
            await client.aclose()
    return DemoReport(ctx.run_id, seed, cycle_year, urls, reports, time.monotonic() - started)


def main(*urls: str | None, console: Console | None = None, **options: Any) -> int:
    """What ``ocop demo`` runs: :func:`run_demo` with the same arguments, its summary on stdout, and an exit code
    (0 only if everything added up)."""
    console = console or Console()
    try:
        report = asyncio.run(run_demo(*urls, say=console.print, **options))
    except DemoError as exc:
        Console(stderr=True).print(f"[bold red]ocop demo:[/] {escape(str(exc))}")
        return 1
    report.render(console)
    return 0 if report.ok else 1

