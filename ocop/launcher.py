"""Embedded runtime: broker, PostgreSQL and the four service processes on one machine (``ocop up``).

The same launcher serves the tests. PostgreSQL is the system of record; Tansu
keeps everything in memory, so whenever the broker is (re)started the services
are (re)started too: a consumer whose broker came back empty would otherwise
keep its old position and silently skip.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ocop.infra.broker import die_with_parent_preexec
from ocop.infra.ports import free_port
from shared.contracts.topics import TOPIC_PARTITIONS
from shared.kafka import client_security, contract_topics, ensure_topics
from shared.settings import DEFAULT_PORTS, SERVICES, KernelSettings

# The embedded Tansu broker has no SASL: the services it serves speak PLAINTEXT whatever the environment says.
_SECURITY_SETTINGS = ("OCOP_KAFKA_SECURITY_PROTOCOL", "OCOP_KAFKA_SASL_MECHANISM", "OCOP_KAFKA_SASL_USERNAME",
                      "OCOP_KAFKA_SASL_PASSWORD", "OCOP_KAFKA_SSL_CAFILE")

ROOT = Path(__file__).resolve().parent.parent
#: The console's port unless OCOP_CONSOLE_PORT says otherwise (the services take 8001-8004).
CONSOLE_PORT = 8005


@dataclass
class ServiceProcess:
    name: str
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Launcher:
    """Starts what is missing and remembers what it started, so ``stop`` leaves nothing running."""

    state_dir: Path = ROOT / ".ocop"
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    services: tuple[str, ...] = SERVICES
    broker_port: int = 9092
    postgres_port: int = 55432
    postgres: object | None = None
    broker: object | None = None
    database_url: str = ""
    bootstrap_servers: str = ""
    processes: dict[str, ServiceProcess] = field(default_factory=dict)
    # The web console (console/, its own process reading the services' HTTP APIs): ``ocop up`` starts it after them.
    console: bool = False

    @classmethod
    def from_environment(cls) -> Launcher:
        """``ocop up``: ports and the state folder can be moved with OCOP_BROKER_PORT, OCOP_PG_PORT, OCOP_STATE_DIR."""
        env = dict(os.environ)
        return cls(
            state_dir=Path(env.get("OCOP_STATE_DIR", ROOT / ".ocop")),
            env=env,
            broker_port=int(env.get("OCOP_BROKER_PORT", 9092)),
            postgres_port=int(env.get("OCOP_PG_PORT", 55432)),
            console=True,
        )

    def start_infrastructure(self) -> None:
        from ocop.infra.broker import TansuBroker
        from ocop.infra.postgres import EmbeddedPostgres

        self.database_url = self.env.get("OCOP_DATABASE_URL", "")
        if not self.database_url:
            self.postgres = EmbeddedPostgres(data_dir=self.state_dir / "pgdata", port=self.postgres_port).start()
            self.postgres.ensure_database("ocop")
            self.database_url = self.postgres.dsn("ocop")
        self.bootstrap_servers = self.env.get("OCOP_KAFKA_BOOTSTRAP_SERVERS", "")
        if not self.bootstrap_servers:
            self.broker = TansuBroker(port=self.broker_port, log_dir=self.state_dir / "logs").start()
            self.bootstrap_servers = self.broker.bootstrap_servers
        self.create_topics()

    def create_topics(self) -> None:
        partitions = int(self.env.get("OCOP_KAFKA_PARTITIONS", str(TOPIC_PARTITIONS)))
        ensure_topics(self.bootstrap_servers, contract_topics(), partitions=partitions, security=self.kafka_security())

    def kafka_security(self) -> dict[str, object]:
        """How the launcher's own admin client authenticates: PLAINTEXT on the embedded broker, else as the services
        are configured (OCOP_KAFKA_SECURITY_PROTOCOL, …, checked as a service checks them)."""
        if self.broker is not None:
            return {}  # PLAINTEXT
        given = {name.removeprefix("OCOP_").lower(): self.env[name] for name in _SECURITY_SETTINGS if name in self.env}
        return client_security(KernelSettings(**given))

    def service_env(self, name: str, port: int) -> dict[str, str]:
        env = dict(self.env)
        env.update(
            OCOP_DATABASE_URL=self.database_url,
            OCOP_KAFKA_BOOTSTRAP_SERVERS=self.bootstrap_servers,
            **{f"OCOP_{name.upper()}_PORT": str(port)},
        )
        if getattr(self.broker, "refuses_idempotence", False):
            env["OCOP_KAFKA_IDEMPOTENCE"] = "false"
        if self.broker is not None:
            for name in _SECURITY_SETTINGS:
                env.pop(name, None)
            env["OCOP_KAFKA_SECURITY_PROTOCOL"] = "PLAINTEXT"
        env.update(self.trace_export_env(name))
        return env

    def trace_export_env(self, name: str) -> dict[str, str]:
        """With no collector configured, the other services export their spans to monitoring's span store (OTLP/HTTP);
        monitoring keeps its own in process (exporting to itself would trace each export in turn)."""
        if "OTEL_EXPORTER_OTLP_ENDPOINT" in self.env or "monitoring" not in self.services or name == "monitoring":
            return {}
        port = int(self.env.get("OCOP_MONITORING_PORT", DEFAULT_PORTS["monitoring"]))
        # Batches of 100 spans stay well under the services' request body limit (OCOP_MAX_REQUEST_BYTES, 256 KiB).
        return {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}",
                "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": self.env.get("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "100")}

    def start_services(self, timeout: float = 90.0) -> None:
        for name in self.services:
            self.spawn_service(name)
        if self.console:
            self.spawn_console()
        self.wait_ready(timeout)

    def console_env(self, port: int) -> dict[str, str]:
        """The console's settings: its port and where each service answers (the processes this launcher started)."""
        env = dict(self.env)
        env["OCOP_CONSOLE_PORT"] = str(port)
        for name in SERVICES:
            started = self.processes.get(name)
            service_port = started.port if started else int(self.env.get(f"OCOP_{name.upper()}_PORT", DEFAULT_PORTS[name]))
            env.setdefault(f"OCOP_CONSOLE_{name.upper()}_URL", f"http://127.0.0.1:{service_port}")
        env.update(self.trace_export_env("console"))
        return env

    def spawn_console(self) -> ServiceProcess:
        """Start the console (``python -m console``, i.e. ``ocop serve console``) without waiting for it."""
        port = int(self.env.get("OCOP_CONSOLE_PORT", CONSOLE_PORT))
        return self._spawn("console", "console", port, self.console_env(port))

    def spawn_service(self, name: str, *, replica: int = 0) -> ServiceProcess:
        """Start one service process (``python -m services.NAME``, i.e. ``ocop serve NAME``) without waiting for it.

        A ``replica`` above 0 is another process of the same service on a free port, kept as ``NAME-REPLICA``.
        """
        key = f"{name}-{replica}" if replica else name
        port = free_port() if replica else int(self.env.get(f"OCOP_{name.upper()}_PORT", DEFAULT_PORTS[name]))
        return self._spawn(key, f"services.{name}", port, self.service_env(name, port), name=name)

    def _spawn(self, key: str, module: str, port: int, env: dict[str, str], *, name: str | None = None
               ) -> ServiceProcess:
        logs = self.state_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        with open(logs / f"{key}.log", "ab") as log:
            # Own process group: a terminal's Ctrl-C reaches only the launcher, which stops services in order;
            # the parent-death signal stops them if the launcher itself is killed.
            process = subprocess.Popen(
                [sys.executable, "-m", module],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                process_group=0,
                preexec_fn=die_with_parent_preexec(),
            )
        self.processes[key] = ServiceProcess(name or key, port, process)
        return self.processes[key]

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = set(self.processes)
        while pending:
            for name in sorted(pending):
                service = self.processes[name]
                if service.process and service.process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {service.process.returncode}; see {self.state_dir}/logs/{name}.log")
                try:
                    if httpx.get(service.url + "/readyz", timeout=2).status_code == 200:
                        pending.discard(name)
                except httpx.HTTPError:
                    pass
            if pending and time.monotonic() > deadline:
                raise TimeoutError(f"not ready after {timeout}s: {sorted(pending)}")
            if pending:
                time.sleep(0.2)

    def stop_services(self, timeout: float = 20.0) -> None:
        for service in self.processes.values():
            if service.process and service.process.poll() is None:
                service.process.send_signal(signal.SIGTERM)
        for service in self.processes.values():
            if service.process:
                try:
                    service.process.wait(timeout)
                except subprocess.TimeoutExpired:
                    service.process.kill()
                    service.process.wait()
        self.processes.clear()

    def restart_broker_empty(self) -> None:
        """A new, empty broker (fresh cluster id): topics are created again and the services restarted."""
        assert self.broker is not None, "the broker was not started by this launcher"
        self.stop_services()
        self.broker.restart_empty()
        self.create_topics()
        self.start_services()

    def stop(self) -> None:
        self.stop_services()
        if self.broker is not None:
            self.broker.stop()
            self.broker = None
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None

    def summary(self) -> str:
        lines = ["OCOP is up:"]
        for service in self.processes.values():
            if service.name == "console":
                continue
            lines.append(f"  {service.name:<13} {service.url}  (docs {service.url}/docs)")
        if "console" in self.processes:
            console = self.processes["console"]
            lines.append(f"  console       {console.url}  (web console; sign in: ocop console-login --role provincial_office)")
        lines.append(f"  kafka         {self.bootstrap_servers}{' (embedded Tansu)' if self.broker else ''}")
        where = "embedded PostgreSQL" if self.postgres else "OCOP_DATABASE_URL"
        lines.append(f"  postgresql    {_redact(self.database_url)} ({where})")
        lines.append(f"  logs          {self.state_dir / 'logs'}")
        lines.append("Press Ctrl-C to stop everything.")
        return "\n".join(lines)


def _redact(url: str) -> str:
    if "@" in url and ":" in url.split("@")[0].split("//")[-1]:
        scheme, rest = url.split("//", 1)
        user = rest.split(":", 1)[0]
        return f"{scheme}//{user}:***@{rest.split('@', 1)[1]}"
    return url
