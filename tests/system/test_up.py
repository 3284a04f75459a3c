"""`ocop up` (what `make run` calls): four services and the web console healthy, the console's URL printed, then Ctrl-C
stops everything it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from ocop.infra.ports import free_port, port_accepts
from shared.settings import SERVICES
from tests.system.processes import wait_ready


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _all_ready(ports: dict[str, int]) -> bool:
    try:
        return all(
            httpx.get(f"http://127.0.0.1:{port}/{probe}", timeout=2).status_code == 200
            for port in ports.values()
            for probe in ("healthz", "readyz")
        )
    except httpx.HTTPError:
        return False


def test_ocop_up_brings_four_healthy_services_and_the_console_and_ctrl_c_stops_everything(launcher, tmp_path):
    ports = {name: free_port() for name in (*SERVICES, "console")}
    broker_port = free_port()
    env = os.environ | {
        "OCOP_DATABASE_URL": launcher.database_url,
        "OCOP_BROKER_PORT": str(broker_port),
        "OCOP_STATE_DIR": str(tmp_path),
        **{f"OCOP_{name.upper()}_PORT": str(port) for name, port in ports.items()},
    }
    env.pop("OCOP_KAFKA_BOOTSTRAP_SERVERS", None)
    up = subprocess.Popen(
        [str(Path(sys.executable).parent / "ocop"), "up"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(up.stdout), daemon=True).start()
    try:
        wait_ready(up, lambda: _all_ready(ports), "ocop up", lambda: "".join(output), timeout=120)
        children = _children(up.pid)
        assert len(children) >= 6  # four services, the console and the broker
        signed_in = httpx.get(f"http://127.0.0.1:{ports['console']}/", timeout=10, follow_redirects=False)
        assert signed_in.status_code == 303 and signed_in.headers["location"].startswith("/sign-in")
    finally:
        up.send_signal(signal.SIGINT)
        code = up.wait(timeout=60)

    assert code == 0, "".join(output)
    assert "OCOP is up" in "".join(output) and "stopped." in "".join(output)
    assert f"console       http://127.0.0.1:{ports['console']}" in "".join(output)
    assert not [pid for pid in children if _alive(pid)]
    assert not any(port_accepts("127.0.0.1", port) for port in [*ports.values(), broker_port])


def _alive(pid: int) -> bool:
    """A process that exited but was not reaped yet (state Z) counts as gone."""
    try:
        return " Z " not in Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
