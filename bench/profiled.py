"""A service process with cProfile at hand: ``OCOP_PROFILED_MODULE=services.registration python -m bench.profiled``.

Runs the module as ``python -m`` would; SIGUSR1 starts profiling the main thread (the event loop: every request, the
unit of work, span creation, log lines), SIGUSR2 stops it and writes the stats to ``OCOP_PROFILE_OUTPUT``. Until
SIGUSR1 nothing is measured, so start-up and the rest of the benchmark run as under ``ocop up``. bench.http_path
starts registration this way because py-spy cannot read other processes' memory on every machine (it cannot here).
"""

from __future__ import annotations

import cProfile
import os
import runpy
import signal
from typing import Any


def main() -> None:
    profiler = cProfile.Profile()

    def start(*_: Any) -> None:
        profiler.enable()

    def stop(*_: Any) -> None:
        profiler.disable()
        profiler.dump_stats(os.environ["OCOP_PROFILE_OUTPUT"])

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    runpy.run_module(os.environ["OCOP_PROFILED_MODULE"], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
