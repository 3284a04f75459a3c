"""A service process with a sampling profiler at hand: ``OCOP_PROFILED_MODULE=services.registration python -m
bench.profiled``.

Runs the module as ``python -m`` would. SIGUSR1 starts sampling: every ``OCOP_PROFILE_INTERVAL_MS`` (5) of the process's
CPU time, the Python stack the main thread (the event loop: every request) was running; SIGUSR2 stops it and writes
the stacks and their counts as JSON to ``OCOP_PROFILE_OUTPUT``. Sampling costs the process little (one stack walk per
sample), where cProfile's per-call hook made registration ten times slower and inflated the layers of many small
calls. CPU the span exporter's thread uses is counted under the frame the main thread runs next. Until SIGUSR1 nothing is measured, so start-up and the rest of the benchmark
run as under ``ocop up``. bench.http_path starts registration this way: py-spy, which would read the stacks from
outside, cannot read other processes' memory on every machine (it cannot on the benchmark's).
"""

from __future__ import annotations

import json
import os
import runpy
import signal
from collections import Counter
from types import FrameType
from typing import Any


class Sampler:
    """Every ``interval`` seconds of the process's CPU time (``ITIMER_PROF``), the stack of the frame the main thread
    was running: a waiting process is not sampled at all, and a sample never waits for the GIL to be let go (a thread
    sampling the others would only ever find the loop in its selector, where it releases the GIL)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.stacks: Counter[str] = Counter()

    def _sample(self, _: int, frame: FrameType | None) -> None:
        stack = []
        while frame is not None:
            stack.append(f"{frame.f_code.co_filename}:{frame.f_code.co_name}")
            frame = frame.f_back
        self.stacks[";".join(reversed(stack))] += 1

    def start(self) -> None:
        self.stacks.clear()
        signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)

    def stop(self, output: str) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0)
        with open(output, "w") as f:
            json.dump(self.stacks, f)


def main() -> None:
    sampler = Sampler(float(os.environ.get("OCOP_PROFILE_INTERVAL_MS", "5")) / 1000)

    def start(*_: Any) -> None:
        sampler.start()

    def stop(*_: Any) -> None:
        sampler.stop(os.environ["OCOP_PROFILE_OUTPUT"])

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    runpy.run_module(os.environ["OCOP_PROFILED_MODULE"], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
