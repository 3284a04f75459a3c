"""Debian's Chromium driven by Playwright (Python), and what every browser test checks on a page.

Playwright's own browser download is impossible here, so it launches the system's ``chromium`` (``OCOP_CHROMIUM``,
default ``/usr/bin/chromium``; ``.ci/run`` and ``make test`` install Debian's package). The flags keep Chromium off
the network it cannot reach (no background requests, no component updates).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import ConsoleMessage, Error, Page

from ocop.launcher import ROOT

CHROMIUM = os.environ.get("OCOP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
#: Where the screenshots of a run go for review (``OCOP_TEST_OUTPUT``, default ``test-output/`` of the clone).
OUTPUT = Path(os.environ.get("OCOP_TEST_OUTPUT", ROOT / "test-output")) / "console"
#: axe-core impacts a page may not have.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

_AXE = Axe()


@dataclass
class BrowserLog:
    """What the page said on its console and what it threw, and every address it asked for: a test fails on any
    error, and on any request that is not to the console itself (everything works offline, no CDN)."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def listen(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("request", lambda request: self.requests.append(request.url))

    def foreign_requests(self, page: Page) -> list[str]:
        origin = urlsplit(page.url).netloc
        return [url for url in self.requests
                if not url.startswith(("data:", "blob:", "about:")) and urlsplit(url).netloc != origin]

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "assert"):
            self.errors.append(f"console.{message.type}: {message.text} ({message.location.get('url', '')})")


def screenshot(page: Page, name: str) -> Path:
    """The whole page as ``<OUTPUT>/<name>.png``; its path."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def accessibility_problems(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is shown (WCAG 2 A/AA rules, colour contrast and
    keyboard rules included), one line each with the elements at fault."""
    results = _AXE.run(page, options={"resultTypes": ["violations"],
                                      "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a",
                                                                            "wcag21aa", "best-practice"]}})
    problems = []
    for violation in results.response["violations"]:
        if violation.get("impact") in BLOCKING_IMPACTS:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
            problems.append(f"{violation['impact']} {violation['id']}: {violation['help']} — {targets}")
    return problems


def check_page(page: Page, log: BrowserLog, name: str) -> Path:
    """What every page must pass: no console errors, no serious accessibility violation; saves its screenshot."""
    path = screenshot(page, name)
    problems = accessibility_problems(page)
    assert not problems, f"{name}: accessibility violations:\n" + "\n".join(problems)
    assert not log.errors, f"{name}: browser console errors:\n" + "\n".join(log.errors)
    foreign = log.foreign_requests(page)
    assert not foreign, f"{name}: asked for something the console does not serve: {foreign}"
    return path


def sign_in(page: Page, base_url: str, role: str, district: str | None = None, actor: str = "console-test") -> None:
    """The development sign-in, as a person fills it in."""
    page.goto(f"{base_url}/sign-in")
    page.select_option("#role", role)
    page.select_option("#district", district or "")
    page.fill("#actor", actor)
    with page.expect_navigation():
        page.click("#development-form button[type=submit]")


def chromium_missing_message() -> str:
    return (f"Debian's chromium is not at {CHROMIUM}: `apt-get install chromium` (as root; .ci/run and `make test` do"
            f" it) or point OCOP_CHROMIUM at a Chromium binary")


__all__ = ["BrowserLog", "CHROMIUM", "CHROMIUM_ARGS", "Error", "OUTPUT", "accessibility_problems", "check_page",
           "chromium_missing_message", "screenshot", "sign_in"]
