"""Wall time and CPU use of a measured window: this Python process, the broker process, the whole machine."""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _machine() -> tuple[float, float]:
    """(busy, total) CPU seconds summed over all cores since boot; zeros where /proc is missing."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except OSError:
        return 0.0, 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user
    return (total - idle) / _TICKS, total / _TICKS


def _stat(pid: int | str) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _process(pid: int | None) -> float:
    if not pid:
        return 0.0
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / _TICKS if fields else 0.0  # utime + stime


def _tree(pid: int | None) -> float:
    """CPU of a server and its children: live children, plus the reaped ones (cutime, cstime) — e.g. PostgreSQL."""
    if not pid:
        return 0.0
    own = _stat(pid)
    if own is None:
        return 0.0
    total = sum(int(v) for v in own[11:15])  # utime, stime, cutime, cstime
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(entry)
            if fields and fields[1] == str(pid):
                total += int(fields[11]) + int(fields[12])
    return total / _TICKS


def postmaster_pid(data_dir: os.PathLike[str] | str) -> int | None:
    try:
        with open(os.path.join(data_dir, "postmaster.pid")) as f:
            return int(f.readline())
    except (OSError, ValueError):
        return None


@dataclass
class Usage:
    wall: float
    python_cpu: float
    broker_cpu: float
    postgres_cpu: float
    machine_busy: float
    machine_total: float

    def per_event_us(self, events: int, part: str = "python_cpu") -> float:
        return getattr(self, part) / events * 1e6 if events else math.nan

    @property
    def rest_cpu(self) -> float:
        """Machine busy time outside this process, the broker and PostgreSQL: the OS's network and disk work, others."""
        return max(self.machine_busy - self.python_cpu - self.broker_cpu - self.postgres_cpu, 0.0)

    @property
    def own_percent(self) -> float:
        """Share of all cores used by this process, the broker and PostgreSQL."""
        own = self.python_cpu + self.broker_cpu + self.postgres_cpu
        return 100 * own / self.machine_total if self.machine_total else math.nan

    @property
    def machine_percent(self) -> float:
        """Busy share of all cores, 100 % = every core busy for the whole window."""
        return 100 * self.machine_busy / self.machine_total if self.machine_total else math.nan


class Meter:
    """``with Meter(broker_pid, postgres_pid) as m: ...`` then ``m.usage``."""

    def __init__(self, broker_pid: int | None = None, postgres_pid: int | None = None) -> None:
        self.broker_pid = broker_pid
        self.postgres_pid = postgres_pid
        self.usage: Usage | None = None

    def __enter__(self) -> Meter:
        self.restart()
        return self

    def restart(self) -> None:
        """Measure from now on (e.g. once start-up is over); the window still ends at ``__exit__``."""
        self._wall = time.perf_counter()
        self._cpu = time.process_time()
        self._broker = _process(self.broker_pid)
        self._postgres = _tree(self.postgres_pid)
        self._busy, self._total = _machine()

    def __exit__(self, *exc: object) -> None:
        busy, total = _machine()
        self.usage = Usage(
            wall=time.perf_counter() - self._wall,
            python_cpu=time.process_time() - self._cpu,
            broker_cpu=_process(self.broker_pid) - self._broker,
            postgres_cpu=_tree(self.postgres_pid) - self._postgres,
            machine_busy=busy - self._busy,
            machine_total=total - self._total,
        )
