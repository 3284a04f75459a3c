"""The four service processes through a demo season: every line each writes is one JSON object with its service,
level and time; every request has its access line and every event published or handled its line, with the trace that
ties a consumer's line in one service to the request that caused the event in another."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from contextlib import ExitStack

import httpx
import pytest

from ocop.demo import run_demo
from shared.settings import SERVICES
from tests.system.processes import service_process
from tests.system.test_demo import PRODUCERS, READER

HEX = {"trace_id": re.compile(r"[0-9a-f]{32}"), "span_id": re.compile(r"[0-9a-f]{16}")}
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z")
LEVELS = {"debug", "info", "warning", "error", "critical"}


@pytest.fixture(scope="module")
def logs(launcher, tmp_path_factory) -> dict[str, list[str]]:
    """A demo season and a few refused requests against the four services, then stopped: service → its log lines."""
    root = tmp_path_factory.mktemp("logs")
    with ExitStack() as stack:
        urls = {name: stack.enter_context(service_process(launcher, root, name)) for name in SERVICES}
        report = asyncio.run(run_demo(*(urls[name] for name in SERVICES), seed=11, producers=PRODUCERS))
        assert report.ok, report.problems
        with httpx.Client(base_url=urls["registration"], timeout=30) as http:
            refused = [http.get("/producers/nobody", headers=READER).status_code,
                       http.get("/producers/nobody").status_code,
                       http.get("/reference/districts/38x/communes", headers=READER).status_code,
                       http.get("/nowhere").status_code]
        assert refused == [404, 401, 422, 404]
    # The services are stopped: their shutdown lines are written too.
    return {path.stem: path.read_text(encoding="utf-8").splitlines() for path in root.glob("*.log")}


def _parsed(logs: dict[str, list[str]]) -> dict[str, list[dict]]:
    return {name: [json.loads(line) for line in lines] for name, lines in logs.items()}


def test_every_line_of_every_service_is_one_json_object_with_service_level_and_time(logs):
    assert set(logs) == set(SERVICES)
    for name, lines in logs.items():
        assert len(lines) > 20, name
        for number, line in enumerate(lines, 1):
            try:
                parsed = json.loads(line)
            except json.JSONDecodeError:
                pytest.fail(f"{name}.log line {number} is not JSON: {line[:300]}")
            assert isinstance(parsed, dict) and parsed["service"] == name, line
            assert parsed["level"] in LEVELS and TIMESTAMP.fullmatch(parsed["timestamp"]), line
            assert isinstance(parsed["event"], str) and parsed["logger"], line
        started = [p for p in map(json.loads, lines) if p["event"].startswith("Uvicorn running on http://127.0.0.1:")]
        assert [p["logger"] for p in started] == ["uvicorn.error"], name


def test_each_request_has_an_access_line_with_route_status_actor_and_trace(logs):
    parsed = _parsed(logs)
    for name, lines in parsed.items():
        access = [p for p in lines if p["event"] == "http request"]
        assert access, name
        for line in access:
            assert line["logger"] == "shared.http.access" and line["level"] == "info"
            assert all(HEX[key].fullmatch(line[key]) for key in HEX), line
            assert isinstance(line["status"], int) and line["duration_ms"] >= 0
        # Probes (every 0.2 s while starting) are DEBUG lines: not written at INFO.
        assert not [p for p in access if p["route"] in ("/healthz", "/readyz")], name
        assert not [p for p in lines if p["logger"] == "uvicorn.access"], name

    registration = [p for p in parsed["registration"] if p["event"] == "http request"]
    lists = [p for p in registration if (p["method"], p["route"]) == ("POST", "/districts/{district_code}/lists")]
    assert lists and all(p["status"] == 201 and p["actor_id"] and p["actor_role"] for p in lists), lists[:2]
    assert all(not p["path"].endswith("{district_code}/lists") for p in lists)  # the path is the one requested
    refused = {(p["route"], p["status"], p["actor_id"]) for p in registration if p["path"].endswith(("nobody", "where"))
               or p["path"].endswith("38x/communes")}
    assert refused == {("/producers/{producer_id}", 404, "vp-test"), ("/producers/{producer_id}", 401, None),
                       ("/reference/districts/{district_code}/communes", 422, None), (None, 404, None)}


def test_each_event_published_or_handled_has_its_line_on_the_trace_of_the_request_that_caused_it(logs):
    parsed = _parsed(logs)
    event_lines = {name: [p for p in lines if p["event"] in ("event published", "event handled")]
                   for name, lines in parsed.items()}
    for name, lines in event_lines.items():
        assert lines, name
        for line in lines:
            assert all(HEX[key].fullmatch(line[key]) for key in HEX), line
            assert line["event_id"] and line["event_type"] and line["topic"].startswith("ocop."), line
            assert isinstance(line["partition"], int) and isinstance(line["offset"], int), line
    published = Counter(p["event_type"] for p in event_lines["registration"] if p["event"] == "event published")
    assert published["ProductRegistered"] >= 1

    # A product sent to the province: its ProductRegistered handled by rating is on the trace of the district's list.
    sent = {p["trace_id"] for p in parsed["registration"]
            if p["event"] == "http request" and p["route"] == "/districts/{district_code}/lists"}
    published_traces = {p["event_id"]: p["trace_id"] for p in event_lines["registration"]
                        if p["event"] == "event published" and p["event_type"] == "ProductRegistered"}
    handled = [p for p in event_lines["rating"] if p["event"] == "event handled"
               and p["event_id"] in published_traces]  # (other modules' tests publish on the same topic)
    assert handled and all(p["product_id"] and p["outcome"] for p in handled)
    assert all(p["trace_id"] == published_traces[p["event_id"]] and p["trace_id"] in sent for p in handled)
