"""The subscriber as another province runs it: ``ocop subscribe`` in a process of its own, its SQLite state read
from outside (as an operator would, while it runs), and a season of public events whose table is known."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ocop.launcher import ROOT
from tests.monitoring.public import decision, rated, registered, reward


def subscribe(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``ocop subscribe ARGS`` to its end: its exit code, stdout and stderr."""
    return subprocess.run([sys.executable, "-m", "ocop.cli", "subscribe", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env=os.environ | {"COLUMNS": "160"})


def start(*args: str, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen([sys.executable, "-m", "ocop.cli", "subscribe", *args], cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT)


def applied_count(state: Path) -> int:
    """Events the subscriber has committed so far (0 before its file exists)."""
    if not state.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{state}?mode=ro", uri=True) as db:
            return db.execute("SELECT count(*) FROM applied").fetchone()[0]
    except sqlite3.OperationalError:  # the file exists but its tables are not made yet
        return 0


def kill_once_it_applied_some(process: subprocess.Popen[bytes], state: Path, total: int, log: Path,
                              timeout: float = 60) -> int:
    """Poll the state file until the subscriber has applied at least one event, then kill -9 it: how many it had
    applied (less than ``total``, or the test could not show a resume)."""
    deadline = time.monotonic() + timeout
    while (seen := applied_count(state)) == 0:
        assert process.poll() is None, f"the subscriber exited: {log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"the subscriber applied nothing in {timeout}s: {log.read_text()[-3000:]}"
        time.sleep(0.01)  # polling another process's file: there is nothing to await
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_at = applied_count(state)
    assert seen <= killed_at < total, f"killed after {killed_at} of {total}: not mid-stream"
    return killed_at


def read_state(state: Path) -> tuple[list[dict[str, Any]], dict[str, tuple[str | None, int]]]:
    """(events applied in order, product → (district, stars)) from the subscriber's file."""
    with sqlite3.connect(f"file:{state}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        applied = [dict(r) for r in db.execute('SELECT * FROM applied ORDER BY seq')]
        products = {r["product_id"]: (r["district_code"], r["stars"]) for r in db.execute("SELECT * FROM products")}
    return applied, products


def last_json(output: str) -> dict[str, Any]:
    return json.loads(output.strip().splitlines()[-1])


@dataclass
class Season:
    """Products registered and rated as rating would publish it, and the star each must count in at the end."""

    district: str
    events: list[Any] = field(default_factory=list)
    expected: dict[str, int] = field(default_factory=dict)

    def product(self, stars_at_end: int, *ratings: dict[str, Any]) -> str:
        product_id = f"sp-{uuid.uuid4().hex[:10]}"
        self.events.append(registered(product_id, district_code=self.district))
        for i, rating in enumerate(ratings):
            number = rating.pop("certificate", None)
            decided = decision(f"{100 + i}/QĐ-UBND") if rating["status"] != "proposed" else None
            self.events.append(rated(product_id, certificate=number and f"{number}-{product_id}", decided=decided,
                                     **rating))
        self.expected[product_id] = stars_at_end
        return product_id

    def counts(self) -> Counter[int]:
        return Counter(s for s in self.expected.values() if s)


def season(district: str) -> Season:
    """Nine products of one district: 3★, 4★, an upgrade to 5★ through the centre, a 4★ proposed and kept, a revoked
    one, one downgraded to 3★, one expired, one below 50 at the district, one only registered; and a reward."""
    s = Season(district)
    s.product(3, {"status": "recognized", "stars": 3, "certificate": "GCN3"})
    s.product(4, {"status": "recognized", "stars": 4, "certificate": "GCN4"})
    five = s.product(5, {"status": "recognized", "stars": 4, "certificate": "GCN4"},
                     {"status": "proposed", "stars": 4, "certificate": "GCN4"},
                     {"status": "recognized", "stars": 5, "level": "central", "certificate": "GCN5"})
    s.product(4, {"status": "recognized", "stars": 4, "certificate": "GCN4"},
              {"status": "not_recognized", "stars": 4, "level": "central", "certificate": "GCN4"})
    s.product(0, {"status": "recognized", "stars": 4, "certificate": "GCN4"},
              {"status": "revoked", "stars": 0, "certificate": "GCN4"})
    s.product(3, {"status": "recognized", "stars": 4, "certificate": "GCN4"},
              {"status": "downgraded", "stars": 3, "certificate": "GCN3"})
    ended = {"certificate": "GCN3", "valid_from": "2021-01-05", "valid_until": "2021-06-30"}
    s.product(0, {"status": "recognized", "stars": 3, **ended}, {"status": "expired", "stars": 0, **ended})
    s.product(0, {"status": "not_recognized", "stars": 1, "level": "district"})
    s.product(0)
    s.events.append(reward(five, stars=5))
    return s
