"""A whole system to break: PostgreSQL, a broker, proxies in front of both, registration and rating processes.

Everything here is the system's own: its PostgreSQL cluster (so it may be crashed), its Tansu broker (so it may be
paused, killed or replaced) and the two services as ``ocop serve`` processes started through the project's launcher,
reaching PostgreSQL and the broker through a :class:`~tests.faults.proxy.Proxy` each. Tansu advertises the proxy's
address, so every Kafka connection of the services (not just the first) goes through it.

With ``OCOP_TEST_KAFKA_BOOTSTRAP_SERVERS`` set the services use that broker directly: what would pause, kill or
replace the broker, or cut the services off it, skips the scenario with the reason.

Every fault is bounded in time and recorded in :attr:`FaultSystem.faults` for the suite's figures.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ocop.infra.broker import TansuBroker
from ocop.infra.ports import free_port
from ocop.infra.postgres import EmbeddedPostgres
from ocop.launcher import ROOT, Launcher, ServiceProcess
from tests.faults.proxy import Proxy

SERVICES = ("registration", "rating")
EXTERNAL_BROKER = "OCOP_TEST_KAFKA_BOOTSTRAP_SERVERS"


@dataclass
class Fault:
    """One injected fault: its kind, its target, when (monotonic) and for how long it was meant to last."""

    kind: str
    target: str
    at: float
    seconds: float = 0.0


class FaultSystem:
    def __init__(self, state_dir: Path | None = None, *, env: dict[str, str] | None = None) -> None:
        self.state_dir = state_dir or ROOT / ".ocop" / f"faults-{os.getpid()}"
        self.external_broker = os.environ.get(EXTERNAL_BROKER, "")
        self.faults: list[Fault] = []
        self.postgres = EmbeddedPostgres(data_dir=self.state_dir / "pgdata", port=free_port())
        self.pg_proxy = Proxy(self.postgres.port, name="postgres")
        self.broker: TansuBroker | None = None
        self.kafka_proxy: Proxy | None = None
        if not self.external_broker:
            self.kafka_proxy = Proxy(free_port(), name="kafka")
            self.broker = TansuBroker(port=self.kafka_proxy.upstream_port, log_dir=self.state_dir / "logs",
                                      advertised_port=self.kafka_proxy.port)
        self.launcher = Launcher(state_dir=self.state_dir, env=self._env(env or {}), services=SERVICES)
        self._timers: list[threading.Timer] = []

    def _env(self, extra: dict[str, str]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OCOP_")}
        env.update(
            OCOP_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{self.pg_proxy.port}/ocop",
            OCOP_KAFKA_BOOTSTRAP_SERVERS=self.external_broker or self.kafka_proxy.address,  # type: ignore[union-attr]
            # Tansu refuses InitProducerId; an external broker gets what the environment asks for.
            OCOP_KAFKA_IDEMPOTENCE=os.environ.get("OCOP_KAFKA_IDEMPOTENCE", "false") if self.external_broker else "false",
            OCOP_RATING_EXPIRY_CHECK_AT="",  # the daily expiry job would act on real dates in the middle of a run
            OCOP_LOG_LEVEL="INFO",
            **{f"OCOP_{name.upper()}_PORT": str(free_port()) for name in SERVICES},
        )
        env.update(extra)
        return env

    # ------------------------------------------------------------------ addresses

    @property
    def database_url(self) -> str:
        """Straight to PostgreSQL, not through the proxy: the checker must see the store whatever the faults."""
        return self.postgres.dsn("ocop")

    @property
    def bootstrap_servers(self) -> str:
        """The broker as the services reach it (through the proxy, which Tansu advertises, unless external)."""
        return self.launcher.env["OCOP_KAFKA_BOOTSTRAP_SERVERS"]

    def url(self, key: str) -> str:
        return self.launcher.processes[key].url

    # ------------------------------------------------------------------ life cycle

    def start(self) -> FaultSystem:
        self.postgres.start()
        self.postgres.ensure_database("ocop")
        self.pg_proxy.start()
        if self.broker is not None:
            self.kafka_proxy.start()  # type: ignore[union-attr]  # before the broker: its readiness probe goes through it
            self.broker.start()
        self.launcher.database_url = self.launcher.env["OCOP_DATABASE_URL"]
        self.launcher.bootstrap_servers = self.bootstrap_servers
        self.launcher.create_topics()
        self.launcher.start_services()
        return self

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self.heal_processes()
        self.launcher.stop_services()
        if self.broker is not None:
            self.broker.stop()
            self.kafka_proxy.stop()  # type: ignore[union-attr]
        self.pg_proxy.stop()
        self.postgres.stop()
        if not os.environ.get("OCOP_FAULTS_KEEP"):  # set it to keep the logs (and the cluster) for a post-mortem
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def record(self, kind: str, target: str, seconds: float = 0.0) -> Fault:
        fault = Fault(kind, target, time.monotonic(), seconds)
        self.faults.append(fault)
        return fault

    def _later(self, seconds: float, action: Callable[[], None]) -> None:
        """The end of a bounded fault, on a timer: it comes even if the scenario fails before ending it."""
        timer = threading.Timer(seconds, action)
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    # ------------------------------------------------------------------ service processes

    def process(self, key: str) -> ServiceProcess:
        return self.launcher.processes[key]

    def kill(self, key: str) -> None:
        """kill -9: no shutdown at all; unpublished rows stay in the outbox, unacknowledged records are redelivered."""
        self.record("kill -9", key)
        popen = self.process(key).process
        assert popen is not None and popen.poll() is None, f"{key} is not running"
        popen.kill()
        popen.wait(10)

    def pause(self, key: str, seconds: float) -> None:
        """SIGSTOP for ``seconds``, then SIGCONT: the process keeps its sockets but answers nothing meanwhile."""
        self.record("SIGSTOP", key, seconds)
        popen = self.process(key).process
        assert popen is not None
        popen.send_signal(signal.SIGSTOP)
        self._later(seconds, lambda: popen.poll() is None and popen.send_signal(signal.SIGCONT))

    def terminate(self, key: str, timeout: float = 40.0) -> tuple[int, float]:
        """SIGTERM (a graceful stop) and wait for the exit: (exit code, seconds it took)."""
        self.record("SIGTERM", key)
        popen = self.process(key).process
        assert popen is not None
        started = time.monotonic()
        popen.send_signal(signal.SIGTERM)
        code = popen.wait(timeout)
        return code, time.monotonic() - started

    async def restart(self, key: str, *, timeout: float = 90.0) -> float:
        """Start the process again (same port) and wait until it is ready; returns the seconds that took."""
        name, _, replica = key.partition("-")
        started = time.monotonic()
        self.launcher.spawn_service(name, replica=int(replica or 0))
        await self.ready(key, timeout=timeout)
        return time.monotonic() - started

    async def spawn_replica(self, name: str, replica: int, *, timeout: float = 90.0) -> str:
        self.launcher.spawn_service(name, replica=replica)
        key = f"{name}-{replica}"
        await self.ready(key, timeout=timeout)
        return key

    async def ready(self, key: str, *, timeout: float = 90.0, path: str = "/readyz") -> None:
        service = self.process(key)
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2) as client:
            while True:
                if service.process is not None and service.process.poll() is not None:
                    raise RuntimeError(f"{key} exited with {service.process.returncode}; see {self.state_dir}/logs/{key}.log")
                try:
                    if (await client.get(service.url + path)).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{key} not ready after {timeout}s; see {self.state_dir}/logs/{key}.log")
                await asyncio.sleep(0.1)

    def running(self, key: str) -> bool:
        popen = self.process(key).process if key in self.launcher.processes else None
        return popen is not None and popen.poll() is None

    def heal_processes(self) -> None:
        for service in self.launcher.processes.values():
            if service.process is not None and service.process.poll() is None:
                service.process.send_signal(signal.SIGCONT)
        if self.broker is not None and self.broker.is_running():
            self.broker.resume()

    # ------------------------------------------------------------------ the broker

    def own_broker(self, why: str) -> TansuBroker:
        """The system's Tansu, or a skip with the reason when the suite runs on an external broker."""
        if self.broker is None:
            pytest.skip(f"the scenario must {why}; the suite runs on the external broker {self.external_broker} "
                        f"({EXTERNAL_BROKER})")
        return self.broker

    def own_kafka_proxy(self, why: str) -> Proxy:
        self.own_broker(why)
        assert self.kafka_proxy is not None
        return self.kafka_proxy

    def pause_broker(self, seconds: float) -> None:
        broker = self.own_broker("pause the broker")
        self.record("broker SIGSTOP", "broker", seconds)
        broker.pause()
        self._later(seconds, broker.resume)

    def kill_broker(self) -> None:
        broker = self.own_broker("kill the broker")
        self.record("broker kill -9", "broker")
        broker.kill()

    def start_broker_empty(self, *, keep_cluster_id: bool = False, create_topics: bool = True) -> None:
        """A new, empty broker on the same address (after :meth:`kill_broker`, or replacing a running one)."""
        broker = self.own_broker("replace the broker")
        self.record("broker replaced by an empty one" + (" (same cluster id)" if keep_cluster_id else ""), "broker")
        broker.restart_empty(keep_cluster_id=keep_cluster_id)
        if create_topics:
            self.launcher.create_topics()

    # ------------------------------------------------------------------ PostgreSQL

    def crash_postgres(self) -> None:
        """Immediate stop: every backend dies at once, without a checkpoint (crash recovery at the next start)."""
        self.record("PostgreSQL immediate stop", "postgres")
        self.postgres.stop_immediately()

    def start_postgres(self) -> None:
        self.postgres.start()

    async def postgres_outage(self, seconds: float) -> None:
        """PostgreSQL down for ``seconds`` (immediate stop, then a start with crash recovery)."""
        await asyncio.to_thread(self.crash_postgres)
        self.faults[-1].seconds = seconds
        try:
            await asyncio.sleep(seconds)  # the outage itself: its length is the fault, not a synchronisation
        finally:
            await asyncio.to_thread(self.start_postgres)

    # ------------------------------------------------------------------ after a scenario

    async def heal(self) -> None:
        """Whatever a scenario left broken is mended, so the next one starts from a whole system."""
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        self.pg_proxy.heal()
        if self.kafka_proxy is not None:
            self.kafka_proxy.heal()
        self.heal_processes()
        if not self.postgres.is_running():
            await asyncio.to_thread(self.start_postgres)
        if self.broker is not None and not self.broker.is_running():
            await asyncio.to_thread(self.start_broker_empty)
        for key in list(self.launcher.processes):
            if "-" in key:  # an extra replica a scenario started ends with the scenario
                if self.running(key):
                    await asyncio.to_thread(self.terminate, key)
                del self.launcher.processes[key]
            elif not self.running(key):
                await self.restart(key)
