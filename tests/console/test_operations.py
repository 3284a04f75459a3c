"""The operations pages in a real browser over the real system: the pipeline's health as the APIs report it, a dead
letter re-driven from the page once (its consumer handles it once, asking again publishes nothing), a flow's trace
as a waterfall, and who may see them."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx
import pytest
from playwright.sync_api import expect

from shared.contracts import new_envelope
from shared.contracts.roles import Role
from tests.console.browser import check_page, sign_in
from tests.console.conftest import api_headers
from tests.monitoring.test_operations_helpers import product_flow, publish

T = TypeVar("T")
WAIT = 90.0  # seconds: the consumers' retries, the broker and the projections on a loaded machine


def until(check: Callable[[], T | None], what: str, timeout: float = WAIT) -> T:
    """Poll the APIs until ``check`` answers something truthy (the services work asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out after {timeout:.0f}s waiting for {what}; last: {found!r}"
        time.sleep(0.2)  # polling other processes' HTTP answers: there is nothing to await


def send(bootstrap: str, envelope: Any) -> None:
    """Publish one public event as its service's relay would (in a thread of its own: Playwright's sync API holds
    this thread's event loop)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, publish(bootstrap, envelope)).result(timeout=60)


def api(system: dict[str, str], service: str, path: str, role: Role = Role.operator, **params: Any) -> Any:
    answer = httpx.get(system[service] + path, headers=api_headers(role, actor="console-api"), params=params,
                       timeout=30)
    assert answer.status_code == 200, f"{service} {path}: {answer.status_code} {answer.text[:300]}"
    return answer.json()


def _finance_dead_letter(system: dict[str, str], product_id: str) -> dict[str, Any] | None:
    page = api(system, "monitoring", "/pipeline/dead-letters/finance", limit=500)
    return next((d for d in page["items"] if d["product_id"] == product_id and d["dead_lettered"]), None)


def _facts(money: dict[str, Any], event_type: str) -> int:
    """How many facts of that type finance recorded about the product's money."""
    return sum(fact["event_type"] == event_type for fact in money["history"])


@pytest.fixture(scope="module")
def dead_letter(system, season, launcher) -> dict[str, Any]:
    """A dead letter of finance whose cause is then fixed: a revocation of a product finance never heard recognised
    (finance refuses it: it holds no rewards of it), then the product's registration and provincial recognition
    (finance opens its reward claim). Re-driven, the revocation is one finance can now handle."""
    product = f"console-dl-{uuid.uuid4().hex[:10]}"
    registered, recognised, _, _, _ = product_flow(product)
    revoked = new_envelope("ProductRated", product, {
        "evaluation_id": f"ev2-{product}", "cycle_year": 2021, "level": "provincial", "average_score": 78.5,
        "stars": 0, "status": "revoked", "reason": "Vi phạm quy chế", "inspection_id": None, "certificate": None,
        "decision": {"number": "4000/QĐ-UBND", "date": "2021-09-01", "issued_by": "UBND tỉnh Thanh Hóa"}},
        correlation_id=registered.correlation_id, actor={"id": "vpdp-1", "role": "provincial_office"})
    send(launcher.bootstrap_servers, revoked)
    letter = until(lambda: _finance_dead_letter(system, product), f"finance's dead letter of {product}")
    send(launcher.bootstrap_servers, registered)
    send(launcher.bootstrap_servers, recognised)

    def claim_opened() -> dict[str, Any] | None:
        answer = httpx.get(f"{system['finance']}/products/{product}/money", headers=api_headers(Role.provincial_office),
                           timeout=30)
        return answer.json() if answer.status_code == 200 and answer.json().get("claims") else None

    money = until(claim_opened, f"finance's reward claim of {product}")
    return {"product": product, "letter": letter, "revoked": revoked, "money_before": money}


def test_operations_page_shows_what_the_apis_report(system, season, page, browser_log):
    console = system["console"]
    sign_in(page, console, "operator", actor="ops-an")
    page.goto(console + "/operations")
    expect(page.locator("h1")).to_have_count(1)
    statuses = {name: api(system, name, "/ops/status") for name in ("registration", "rating", "finance", "monitoring")}
    for name, status in statuses.items():  # nothing flows between the season and this test: the figures hold still
        row = page.locator(f"#service-status tr[data-service='{name}']")
        expect(row.locator(".dead-letter-count")).to_have_text(f"{status['dead_letters']:,}".replace(",", "."))
        expect(row.locator(".outbox-pending")).to_have_text(f"{status['outbox_pending']:,}".replace(",", "."))
    health = api(system, "monitoring", "/pipeline/health")
    groups = {g["group"] for g in health["consumer_groups"]}
    shown_groups = set(page.locator("#consumer-lag tr[data-group]").evaluate_all(
        "els => els.map(e => e.getAttribute('data-group'))"))
    assert shown_groups == groups and groups
    for group in health["consumer_groups"]:
        expect(page.locator(f"#consumer-lag tr[data-group='{group['group']}'] tr[data-partition]")).to_have_count(
            len(group["partitions"]))
    assert page.locator("#pipeline-state").get_attribute("data-state") in ("ok", "alert")
    check_page(page, browser_log, "operations")


def test_re_driving_a_dead_letter_from_the_page_consumes_it_once(system, dead_letter, page, browser_log):
    console, product, letter = system["console"], dead_letter["product"], dead_letter["letter"]
    number = letter["dead_letter_id"]
    assert letter["redrive"] is None and "FinanceError" in letter["error"]
    sign_in(page, console, "operator", actor="ops-an")
    page.goto(console + "/operations")
    link = page.locator(f"#dead-letters table[data-service='finance'] tr[data-dead-letter='{number}'] a.dead-letter-link")
    expect(link).to_be_visible()
    with page.expect_navigation():
        link.click()
    assert page.url == f"{console}/operations/dead-letters/finance/{number}"
    expect(page.locator("#dead-letter-error")).to_contain_text("finance holds no rewards")
    expect(page.locator("#dead-letter-payload")).to_contain_text(product)
    expect(page.locator("#redrive-status [data-state]")).to_have_attribute("data-state", "none")
    check_page(page, browser_log, "operations-dead-letter")

    with page.expect_navigation():
        page.click("#redrive-button")
    assert page.url == f"{console}/operations/dead-letters/finance/{number}/redrive"
    expect(page.locator("#redrive-consequence")).to_contain_text(product)
    check_page(page, browser_log, "operations-redrive-confirmation")
    with page.expect_navigation():
        page.click("#confirm-redrive")
    assert page.url == f"{console}/operations/dead-letters/finance/{number}?outcome=redriven"
    expect(page.locator("#redrive-outcome")).to_have_attribute("data-outcome", "redriven")
    status = page.locator("#redrive-status [data-state]")
    expect(status).to_have_attribute("data-state", "published")
    expect(status).to_contain_text("ops-an")

    # The API records it re-driven once, by the person signed in; finance handled the revocation once.
    detail = api(system, "monitoring", f"/pipeline/dead-letters/finance/{number}")
    redrive = detail["redrive"]
    assert (redrive["state"], redrive["requested_by"], redrive["requests"]) == ("published", "ops-an", 1)
    assert redrive["event_id"] == str(dead_letter["revoked"].event_id)
    check_page(page, browser_log, "operations-dead-letter-redriven")

    before = dead_letter["money_before"]
    assert _facts(before, "RecognitionWithdrawn") == 0 and [c["status"] for c in before["claims"]] != ["on_hold"]

    def handled() -> dict[str, Any] | None:
        money = api(system, "finance", f"/products/{product}/money", Role.provincial_office)
        return money if _facts(money, "RecognitionWithdrawn") else None

    money = until(handled, "finance to handle the re-driven revocation")
    assert _facts(money, "RecognitionWithdrawn") == 1 and _facts(money, "ClaimPutOnHold") == 1, money["history"]
    assert [c["status"] for c in money["claims"]] == ["on_hold"], money["claims"]

    # Asking again (the confirmation page reloaded and posted once more) publishes nothing: refused, still one request.
    page.goto(f"{console}/operations/dead-letters/finance/{number}/redrive")
    expect(page.locator("#already-redriven")).to_be_visible()
    assert page.locator("#confirm-redrive").count() == 0
    answer = page.request.post(f"{console}/operations/dead-letters/finance/{number}/redrive",
                               form={"form_key": _form_key(page)}, max_redirects=0)
    assert answer.status == 303 and answer.headers["location"].endswith("outcome=already_redriven")
    again = api(system, "monitoring", f"/pipeline/dead-letters/finance/{number}")["redrive"]
    assert (again["requests"], again["requested_by"], again["published_at"]) == (1, "ops-an", redrive["published_at"])
    timeline = until(lambda: _timeline_with(system, product, str(dead_letter["revoked"].event_id)),
                     "the revocation in the product's timeline")
    assert [e["event_id"] for e in timeline].count(str(dead_letter["revoked"].event_id)) == 1
    final = api(system, "finance", f"/products/{product}/money", Role.provincial_office)
    assert _facts(final, "RecognitionWithdrawn") == 1 and [c["status"] for c in final["claims"]] == ["on_hold"]
    assert _finance_dead_letter_count(system, product) == 1


def _timeline_with(system: dict[str, str], product: str, event_id: str) -> list[dict[str, Any]] | None:
    items = api(system, "monitoring", f"/timeline/products/{product}")["items"]
    return items if event_id in {e["event_id"] for e in items} else None


def _finance_dead_letter_count(system: dict[str, str], product: str) -> int:
    page = api(system, "monitoring", "/pipeline/dead-letters/finance", limit=500)
    return sum(d["product_id"] == product for d in page["items"])


def _form_key(page) -> str:
    return page.locator("form[action='/sign-out'] input[name='form_key']").get_attribute("value")


def test_trace_page_draws_a_real_flow_by_service_in_start_order(system, season, page, browser_log):
    """A trace linked from a season product's timeline, as monitoring's span store holds it: the flow's spans from
    every service it crossed (each service exports its spans to monitoring, as under ``make run``)."""
    product = season.monitoring.timeline[0]["product_id"]  # the product whose timeline the demo read
    entries = api(system, "monitoring", f"/timeline/products/{product}")["items"]

    def traced() -> dict[str, Any] | None:
        for entry in entries:
            if entry["trace"]:
                answer = httpx.get(f"{system['monitoring']}/traces/{entry['trace']['trace_id']}",
                                   headers=api_headers(Role.operator), timeout=30)
                if answer.status_code == 200 and len(answer.json()["services"]) >= 2:
                    return answer.json()
        return None

    trace = until(traced, f"a stored trace of {product}'s timeline across two services", timeout=60)
    console = system["console"]
    sign_in(page, console, "operator")
    page.goto(f"{console}/operations/traces/{trace['trace_id']}")
    rows = page.locator("tr.span-row")
    expect(rows).to_have_count(len(trace["spans"]))
    shown_services = page.locator("tbody.service-group").evaluate_all("els => els.map(e => e.dataset.service)")
    assert shown_services and sorted(shown_services) == trace["services"]
    for group in shown_services:  # each service's spans in start order, as the API has them
        started = page.locator(f"tbody.service-group[data-service='{group}'] tr.span-row").evaluate_all(
            "els => els.map(e => [e.dataset.span, e.dataset.started])")
        assert [s for _, s in started] == sorted(s for _, s in started)
        assert {span for span, _ in started} == {s["span_id"] for s in trace["spans"] if s["service"] == group}
    check_page(page, browser_log, "operations-trace")


def test_the_provincial_office_sees_operations_a_district_officer_does_not(system, page, browser_log):
    console = system["console"]
    sign_in(page, console, "provincial_office")
    page.goto(console + "/operations")
    expect(page.locator("#service-status tr[data-service='finance'] .outbox-pending")).to_be_visible()
    expect(page.locator("#alerts .refusal")).to_be_visible()  # the pipeline's health is the operators'
    status = api(system, "finance", "/ops/status", Role.provincial_office)  # each consumer's lag, as they may read it
    for consumer, lag in status["consumer_lag"].items():
        expect(page.locator(f"#service-status [data-consumer='{consumer}']")).to_contain_text(
            f"trễ {sum(lag.values())} thông điệp")
    check_page(page, browser_log, "operations-provincial-office")
    page.context.clear_cookies()
    sign_in(page, console, "district_officer", "380")
    answer = page.goto(console + "/operations")
    assert answer is not None and answer.status == 403
    answer = page.goto(console + "/operations/dead-letters/finance/1")
    assert answer is not None and answer.status == 403


def _span(span_id: str, service: str, start_ms: int, duration_ms: float, depth: int = 0) -> dict[str, Any]:
    from datetime import datetime, timedelta, timezone

    started = datetime(2026, 1, 5, 2, 0, tzinfo=timezone.utc) + timedelta(milliseconds=start_ms)
    return {"span_id": span_id, "parent_span_id": None, "depth": depth, "service": service, "name": f"span {span_id}",
            "kind": "internal", "started_at": started.isoformat(), "ended_at": (started + timedelta(
                milliseconds=duration_ms)).isoformat(), "duration_ms": duration_ms, "status": "ok",
            "status_message": None, "attributes": {}}


def test_waterfall_groups_spans_by_service_in_start_order_with_bars_to_scale():
    from console.pages.operations import waterfall

    trace = {"duration_ms": 200.0, "spans": [_span("c", "finance", 120, 80), _span("a", "registration", 0, 100),
                                             _span("d", "registration", 150, 10, 1), _span("b", "finance", 100, 20)]}
    groups = waterfall(trace)
    assert [g["service"] for g in groups] == ["registration", "finance"]  # by their first span's start
    assert [[s["span_id"] for s in g["spans"]] for g in groups] == [["a", "d"], ["b", "c"]]
    bars = {s["span_id"]: (s["left"], s["width"]) for g in groups for s in g["spans"]}
    assert bars == {"a": (0.0, 50.0), "b": (50.0, 10.0), "c": (60.0, 40.0), "d": (75.0, 5.0)}
    assert waterfall({"duration_ms": 0, "spans": []}) == []


@contextmanager
def _console_over(handler: Callable[[httpx.Request], httpx.Response]) -> Iterator[Any]:
    """The console app over a mock of the services (no processes): a test client signed in as an operator."""
    from starlette.testclient import TestClient

    from console.app import create_app
    from console.config import ConsoleSettings
    from console.gateway import SERVICES, Gateway

    gateway = Gateway({name: f"http://{name}" for name in SERVICES}, 5, transport=httpx.MockTransport(handler))
    with TestClient(create_app(ConsoleSettings(), gateway=gateway)) as client:
        key = re.search(r'name="form_key" value="([^"]+)"', client.get("/sign-in").text).group(1)
        signed = client.post("/sign-in/development", data={"role": "operator", "form_key": key, "actor": "ops-binh"},
                             follow_redirects=False)
        assert signed.status_code == 303
        yield client


LETTER = {"service": "finance", "dead_letter_id": 7, "consumer": "finance.product-rated", "topic": "ocop.product-rated.v1",
          "partition": 0, "offset": 12, "key": "p-1", "error": "FinanceError: <b>no rewards</b>", "attempts": 4,
          "failed_at": "2026-01-05T02:00:00+00:00", "dead_lettered": True, "event_id": "e-1",
          "event_type": "ProductRated", "product_id": "p-1", "redrive": None,
          "payload": '{"data": {"reason": "<script>alert(1)</script>"}}'}


@pytest.mark.parametrize(("status", "message", "outcome"), [
    (200, None, "redriven"),
    (409, "dead letter finance/7 (event e-1) was re-driven at 2026-01-05 by ops-an; it is not published twice",
     "already_redriven"),
    (409, "dead letter finance/7 is being re-driven (asked by ops-an at …)", "redrive_in_progress"),
    (503, "the broker did not take the record", "refused"),
])
def test_a_re_drive_posts_once_and_says_what_became_of_it(status, message, outcome):
    posts: list[str] = []

    def services(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posts.append(request.url.path)
            body = ({**LETTER, "state": "published"} if status == 200
                    else {"detail": {"error": "x", "message": message}})
            return httpx.Response(status, json=body)
        if request.url.path == "/pipeline/dead-letters/finance/7":
            return httpx.Response(200, json=LETTER)
        return httpx.Response(200, json=[])

    with _console_over(services) as client:
        key = re.search(r'name="form_key" value="([^"]+)"', client.get("/operations/dead-letters/finance/7/redrive").text).group(1)
        refused = client.post("/operations/dead-letters/finance/7/redrive", data={"form_key": "another"},
                              follow_redirects=False)
        assert refused.status_code == 403 and posts == []  # without the session's form key nothing is asked
        answer = client.post("/operations/dead-letters/finance/7/redrive", data={"form_key": key}, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/operations/dead-letters/finance/7?outcome={outcome}"
        assert posts == ["/pipeline/dead-letters/finance/7/redrive"]
        shown = client.get(answer.headers["location"]).text
        assert f'data-outcome="{outcome}"' in shown and len(posts) == 1  # showing the answer posts nothing


def test_a_dead_letter_page_escapes_the_record_and_the_reason():
    def services(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=LETTER)

    with _console_over(services) as client:
        page = client.get("/operations/dead-letters/finance/7").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>no rewards</b>" not in page and "&lt;b&gt;no rewards&lt;/b&gt;" in page
    assert '\n    &#34;reason&#34;: &#34;&lt;script&gt;' in page  # the JSON value indented for reading, escaped


EVERY_PROCESS = {"ocop-console", "ocop-registration", "ocop-rating", "ocop-finance", "ocop-monitoring"}


def test_a_page_view_is_one_trace_through_the_console_and_the_services_it_read(system, page):
    """The console's calls carry the page's trace (traceparent): the trace its footer names holds the console's spans
    and the spans of the services the page read, as monitoring's span store has them."""
    console = system["console"]
    sign_in(page, console, "operator")
    page.goto(f"{console}/operations")
    trace_id = page.locator("#page-trace").get_attribute("data-trace")
    assert trace_id and len(trace_id) == 32

    def stored() -> dict[str, Any] | None:
        answer = httpx.get(f"{system['monitoring']}/traces/{trace_id}", headers=api_headers(Role.operator), timeout=30)
        # The console's spans and those of every service the page read (monitoring's health, each /ops/status).
        if answer.status_code == 200 and set(answer.json()["services"]) == EVERY_PROCESS:
            return answer.json()
        return None

    trace = until(stored, f"the page's trace with the spans of {sorted(EVERY_PROCESS)}", timeout=60)
    assert any(span["service"] == "ocop-console" and span["kind"] == "client" for span in trace["spans"])
    page.locator("#page-trace a").click()
    expect(page.locator("tbody.service-group[data-service='ocop-console']")).to_be_visible()
