"""The console over the real system: the four service processes, the console process reading them, a season played
through their APIs (``ocop demo``'s, smaller), and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from ocop.demo import run_demo
from ocop.infra.ports import free_port
from ocop.launcher import Launcher
from shared.auth import mint_token
from shared.contracts.roles import Role
from shared.settings import SERVICES, KernelSettings
from tests.console.browser import CHROMIUM, CHROMIUM_ARGS, BrowserLog, chromium_missing_message
from tests.system.processes import fresh_database, module_process, service_process

#: The console refreshes its live parts this often in the tests (seconds), so a test sees an update soon.
REFRESH_SECONDS = 2


@contextmanager
def console_process(urls: dict[str, str], log_dir: Path, **env: str) -> Iterator[str]:
    """``python -m console`` on a free port, reading the given services: its URL once it answers."""
    port = free_port()
    environment = {**os.environ, "OCOP_CONSOLE_PORT": str(port), "OCOP_CONSOLE_REFRESH_SECONDS": str(REFRESH_SECONDS),
                   **{f"OCOP_CONSOLE_{name.upper()}_URL": url for name, url in urls.items()}, **env}
    with module_process("console", port, environment, log_dir / "console.log") as url:
        yield url


@pytest.fixture(scope="package")
def launcher(launcher) -> Iterator[Launcher]:
    """The console's deployment apart from the rest of the suite: a database of its own on the session's PostgreSQL
    and a Tansu broker of its own. Its season's councils, decisions and events never meet the other tests' (which
    reuse the programme's decision numbers and councils), and its pages count only what it played."""
    env = dict(launcher.env)
    env["OCOP_DATABASE_URL"] = fresh_database(launcher, "ocop_console")
    env.pop("OCOP_KAFKA_BOOTSTRAP_SERVERS", None)
    own = Launcher(state_dir=launcher.state_dir / "console", env=env, services=(), broker_port=free_port(),
                   postgres_port=free_port())
    own.start_infrastructure()
    try:
        yield own
    finally:
        own.stop()


@pytest.fixture(scope="package")
def system(launcher, tmp_path_factory) -> Iterator[dict[str, str]]:
    """The four services and the console, each a process of its own: name → URL (``console`` too). As under ``make
    run``, the others export their spans over OTLP to monitoring's span store (started first), so a flow's trace holds
    every service's spans and the console's trace page can draw them."""
    with ExitStack() as stack:
        logs = tmp_path_factory.mktemp("console")
        urls = {"monitoring": stack.enter_context(service_process(launcher, logs, "monitoring"))}
        export = {"OTEL_EXPORTER_OTLP_ENDPOINT": urls["monitoring"], "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "100"}
        for name in SERVICES:
            if name not in urls:
                urls[name] = stack.enter_context(service_process(launcher, logs, name, **export))
        urls["console"] = stack.enter_context(console_process({name: urls[name] for name in SERVICES}, logs, **export))
        yield urls


@pytest.fixture(scope="package")
def season(system):
    """A season played through the services' APIs (``ocop demo``'s steps, 8 producers): its report."""
    # In a thread of its own: Playwright's sync API may already run an event loop in this one (the browser fixture
    # is package-scoped too, and a test may have started it first), and asyncio.run refuses to nest.
    with ThreadPoolExecutor(1) as worker:
        played = run_demo(*(system[name] for name in SERVICES), seed=15, producers=8)
        report = worker.submit(asyncio.run, played).result()
    assert report.ok, report.problems
    return report


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(chromium_missing_message())
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def page(browser, browser_log) -> Iterator[Page]:
    """A fresh browser profile (no cookies) in Vietnam's time zone, its console listened to."""
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1366, "height": 900})
    opened = context.new_page()
    browser_log.listen(opened)
    yield opened
    context.close()


def api_headers(role: Role = Role.provincial_office, district: str | None = None, actor: str = "console-api") -> dict:
    """What the test reads from the APIs directly, to compare with what the console shows."""
    return {"Authorization": "Bearer " + mint_token(KernelSettings(), actor_id=actor, role=role, district=district)}
