"""Offline cross-reference checks for docker-compose.yml and deploy/k8s (each returns a list of errors)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

REPO = Path(__file__).resolve().parents[2]
K8S_DIR = REPO / "deploy" / "k8s"
KUBERNETES_VERSION = "1.31.0"  # schemas ship inside kubernetes-validate: no network needed
PORTS = {"registration": 8001, "rating": 8002, "finance": 8003, "monitoring": 8004}
#: The web console: no database, no broker; it needs the services' addresses, the JWT key and its session key.
CONSOLE_PORT = 8005
CONSOLE_ENV = {"OCOP_CONSOLE_HOST", "OCOP_CONSOLE_PORT", "OCOP_CONSOLE_REGISTRATION_URL", "OCOP_CONSOLE_RATING_URL",
               "OCOP_CONSOLE_FINANCE_URL", "OCOP_CONSOLE_MONITORING_URL", "OCOP_CONSOLE_SESSION_SECRET",
               "OCOP_JWT_SECRET", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME"}


def required_env(service: str) -> set[str]:
    s = service.upper()
    return {
        "OCOP_HOST", "OCOP_KAFKA_BOOTSTRAP_SERVERS", "OCOP_KAFKA_IDEMPOTENCE", "OCOP_KAFKA_PARTITIONS",
        "OCOP_JWT_SECRET", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME",
        f"OCOP_{s}_DATABASE_URL", f"OCOP_{s}_PORT",
        "OCOP_KAFKA_SECURITY_PROTOCOL", "OCOP_KAFKA_SASL_MECHANISM", "OCOP_KAFKA_SASL_USERNAME", "OCOP_KAFKA_SASL_PASSWORD",
    }


SASL_PROTOCOLS = ("SASL_PLAINTEXT", "SASL_SSL")
KAFKA_SCRIPTS = "./deploy/kafka"


def run_tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a console script installed next to the current interpreter (the venv's bin dir)."""
    exe = Path(sys.executable).parent / name
    return subprocess.run([str(exe), *args], cwd=REPO, capture_output=True, text=True, timeout=180)


# --------------------------------------------------------------------------- compose

def _interpolate(value: Any) -> str:
    """Resolve ${VAR:-default} / ${VAR-default} to the default, as compose does with VAR unset."""
    return re.sub(r"\$\{\w+(?::?-([^}]*))?\}", lambda m: m.group(1) or "", str(value))


def _raw_env(svc: dict) -> dict[str, str]:
    """The service's environment as written, ``${VAR:-default}`` left as is."""
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: str(v) for k, v in env.items()}


def _env(svc: dict) -> dict[str, str]:
    return {k: _interpolate(v) for k, v in _raw_env(svc).items()}


def _depends_on(svc: dict) -> dict[str, str]:
    deps = svc.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def _mounts(svc: dict) -> list[tuple[str, str]]:
    """(type, source) of each volume entry: type is 'volume' or 'bind'."""
    out = []
    for v in svc.get("volumes") or []:
        if isinstance(v, dict):
            out.append((v.get("type", "volume"), str(v.get("source", ""))))
            continue
        source = v.split(":", 1)[0]
        out.append(("bind" if source.startswith((".", "/", "~")) else "volume", source))
    return out


def compose_errors(compose: dict, repo: Path = REPO) -> list[str]:
    errors: list[str] = []
    services: dict = compose.get("services") or {}
    declared_volumes = set((compose.get("volumes") or {}).keys())

    for name, svc in services.items():
        for dep, condition in _depends_on(svc).items():
            if dep not in services:
                errors.append(f"{name}: depends_on unknown service {dep!r}")
            elif condition == "service_healthy" and "healthcheck" not in services[dep]:
                errors.append(f"{name}: waits for {dep} healthy but {dep} has no healthcheck")
        for kind, source in _mounts(svc):
            if kind == "volume" and source and source not in declared_volumes:
                errors.append(f"{name}: named volume {source!r} not declared at top level")
            if kind == "bind" and source.startswith(".") and not (repo / source).exists():
                errors.append(f"{name}: bind-mounted path {source!r} does not exist in the repo")

    for service, port in PORTS.items():
        svc = services.get(service)
        if svc is None:
            errors.append(f"service {service!r} missing")
            continue
        env = _env(svc)
        for var in sorted(required_env(service) - env.keys()):
            errors.append(f"{service}: env {var} missing")
        if env.get("OTEL_SERVICE_NAME", f"ocop-{service}") != f"ocop-{service}":
            errors.append(f"{service}: OTEL_SERVICE_NAME should be ocop-{service}")
        if env.get(f"OCOP_{service.upper()}_PORT", str(port)) != str(port):
            errors.append(f"{service}: port should be {port}")
        if env.get("OCOP_KAFKA_IDEMPOTENCE", "true").lower() != "true":
            errors.append(f"{service}: OCOP_KAFKA_IDEMPOTENCE must be true for Apache Kafka")
        if "change-me" not in env.get("OCOP_JWT_SECRET", "change-me"):
            errors.append(f"{service}: OCOP_JWT_SECRET default must be a change-me placeholder")
        for var in ("OTEL_EXPORTER_OTLP_ENDPOINT", f"OCOP_{service.upper()}_DATABASE_URL"):
            if var in env and urlsplit(env[var]).hostname not in services:
                errors.append(f"{service}: host of {var} is not a compose service")
        if bootstrap := env.get("OCOP_KAFKA_BOOTSTRAP_SERVERS"):
            for host in (hp.rsplit(":", 1)[0] for hp in bootstrap.split(",")):
                if host not in services:
                    errors.append(f"{service}: Kafka host {host!r} is not a compose service")
        if svc.get("command") != ["serve", service]:
            errors.append(f"{service}: command should be ['serve', {service!r}]")
        test = " ".join(map(str, (svc.get("healthcheck") or {}).get("test", [])))
        if f":{port}/healthz" not in test:
            errors.append(f"{service}: healthcheck must GET /healthz on port {port}")
        deps = _depends_on(svc)
        for infra in ("kafka", "postgres"):
            if deps.get(infra) != "service_healthy":
                errors.append(f"{service}: must depend on {infra} being service_healthy")
        if not svc.get("restart"):
            errors.append(f"{service}: no restart policy")
        errors += _principal_errors(service, svc, services.get("kafka-init"))
    errors += _console_errors(services)
    errors += _kafka_errors(services)
    return errors


def _console_errors(services: dict) -> list[str]:
    """The console: its settings, the services it reads waited for healthy, each URL naming a compose service."""
    console = services.get("console")
    if console is None:
        return ["service 'console' missing"]
    env, errors = _env(console), []
    errors += [f"console: env {var} missing" for var in sorted(CONSOLE_ENV - env.keys())]
    for service, port in PORTS.items():
        if env.get(f"OCOP_CONSOLE_{service.upper()}_URL") != f"http://{service}:{port}":
            errors.append(f"console: OCOP_CONSOLE_{service.upper()}_URL should be http://{service}:{port}")
        if _depends_on(console).get(service) != "service_healthy":
            errors.append(f"console: must wait for {service} being service_healthy")
    if console.get("command") != ["serve", "console"]:
        errors.append("console: command should be ['serve', 'console']")
    if f":{CONSOLE_PORT}/healthz" not in " ".join(map(str, (console.get("healthcheck") or {}).get("test", []))):
        errors.append(f"console: healthcheck must GET /healthz on port {CONSOLE_PORT}")
    return errors


def _principal_errors(service: str, svc: dict, init: dict | None) -> list[str]:
    """A service signs in to Kafka as its own principal, with the password kafka-init gave that principal."""
    errors: list[str] = []
    env, raw = _env(svc), _raw_env(svc)
    if env.get("OCOP_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT") not in SASL_PROTOCOLS:
        errors.append(f"{service}: OCOP_KAFKA_SECURITY_PROTOCOL must be one of {', '.join(SASL_PROTOCOLS)}")
    if env.get("OCOP_KAFKA_SASL_USERNAME", service) != service:
        errors.append(f"{service}: OCOP_KAFKA_SASL_USERNAME should be {service} (its own principal)")
    if "change-me" not in env.get("OCOP_KAFKA_SASL_PASSWORD", "change-me"):
        errors.append(f"{service}: OCOP_KAFKA_SASL_PASSWORD default must be a change-me placeholder")
    if _depends_on(svc).get("kafka-init") != "service_completed_successfully":
        errors.append(f"{service}: must wait for kafka-init (service_completed_successfully)")
    given = _raw_env(init or {}).get(f"KAFKA_PASSWORD_{service.upper()}")
    if given != raw.get("OCOP_KAFKA_SASL_PASSWORD"):
        errors.append(f"{service}: OCOP_KAFKA_SASL_PASSWORD is not the password kafka-init gives {service}")
    return errors


def _kafka_errors(services: dict) -> list[str]:
    """The broker runs deploy/kafka/start.sh (SASL/SCRAM, ACLs); kafka-init runs acls.sh as its super user."""
    errors: list[str] = []
    kafka, init = services.get("kafka") or {}, services.get("kafka-init")
    if "start.sh" not in " ".join(map(str, kafka.get("entrypoint") or [])):
        errors.append("kafka: must run deploy/kafka/start.sh (SASL/SCRAM listeners, StandardAuthorizer)")
    if init is None:
        return [*errors, "service 'kafka-init' missing (topics, users and ACLs)"]
    if "acls.sh" not in " ".join(map(str, [*(init.get("entrypoint") or []), *(init.get("command") or [])])):
        errors.append("kafka-init: must run deploy/kafka/acls.sh")
    if _depends_on(init).get("kafka") != "service_healthy":
        errors.append("kafka-init: must depend on kafka being service_healthy")
    for name, svc in (("kafka", kafka), ("kafka-init", init)):
        if not any(kind == "bind" and source == KAFKA_SCRIPTS for kind, source in _mounts(svc)):
            errors.append(f"{name}: must mount {KAFKA_SCRIPTS}")
    if _raw_env(init).get("KAFKA_ADMIN_PASSWORD") != _raw_env(kafka).get("KAFKA_ADMIN_PASSWORD"):
        errors.append("kafka-init: KAFKA_ADMIN_PASSWORD is not the broker's super user's password")
    return errors


# --------------------------------------------------------------------------- kubernetes

def k8s_manifest_files() -> list[Path]:
    return sorted(p for p in K8S_DIR.glob("*.yaml") if p.name != "kustomization.yaml")


def load_k8s_docs(files: list[Path] | None = None) -> list[dict]:
    docs: list[dict] = []
    for path in files or k8s_manifest_files():
        docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    return docs


def _port_number(port: int | str, container: dict) -> int | None:
    if isinstance(port, int):
        return port
    for p in container.get("ports") or []:
        if p.get("name") == port:
            return p["containerPort"]
    return None


def _k8s_principal_errors(name: str, service: str, container: dict, secrets: dict[str, dict]) -> list[str]:
    """The service's Kafka username and password come from its own Secret, ocop-kafka-<service>, naming it."""
    errors: list[str] = []
    own = f"ocop-kafka-{service}"
    for var, key in (("OCOP_KAFKA_SASL_USERNAME", "username"), ("OCOP_KAFKA_SASL_PASSWORD", "password")):
        entry = next((e for e in container.get("env") or [] if e["name"] == var), {})
        ref = (entry.get("valueFrom") or {}).get("secretKeyRef") or {}
        if (ref.get("name"), ref.get("key")) != (own, key):
            errors.append(f"{name}: {var} must come from Secret {own} key {key}")
    username = ((secrets.get(own) or {}).get("stringData") or {}).get("username")
    if own in secrets and username != service:
        errors.append(f"Secret {own}: username should be {service}")
    return errors


def k8s_errors(docs: list[dict]) -> list[str]:
    errors: list[str] = []
    by_kind: dict[str, dict[str, dict]] = {}
    for d in docs:
        by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
    configmaps, secrets = by_kind.get("ConfigMap", {}), by_kind.get("Secret", {})
    deployments = by_kind.get("Deployment", {})

    def keys(obj: dict) -> set[str]:
        return set(obj.get("data") or {}) | set(obj.get("stringData") or {})

    for name, dep in deployments.items():
        spec, pod = dep["spec"], dep["spec"]["template"]["spec"]
        if spec.get("replicas") != 2:
            errors.append(f"{name}: replicas should be 2")
        if not set(spec["selector"]["matchLabels"].items()) <= set(dep["spec"]["template"]["metadata"]["labels"].items()):
            errors.append(f"{name}: selector does not match its pod labels")
        for c in pod["containers"]:
            container_ports = {p["containerPort"] for p in c.get("ports") or []}
            for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
                http = (c.get(probe) or {}).get("httpGet") or {}
                if http.get("path") != path:
                    errors.append(f"{name}: {probe} must GET {path}")
                if _port_number(http.get("port"), c) not in container_ports:
                    errors.append(f"{name}: {probe} port is not a container port")
            res = c.get("resources") or {}
            if not (res.get("requests") and res.get("limits")):
                errors.append(f"{name}: resources requests and limits required")
            if not ((pod.get("securityContext") or {}).get("runAsNonRoot")
                    or (c.get("securityContext") or {}).get("runAsNonRoot")):
                errors.append(f"{name}: runAsNonRoot not set")

            env_names = {e["name"] for e in c.get("env") or []}
            for ref in c.get("envFrom") or []:
                if "configMapRef" in ref:
                    cm = configmaps.get(ref["configMapRef"]["name"])
                    if cm is None:
                        errors.append(f"{name}: configMapRef {ref['configMapRef']['name']!r} undefined")
                    else:
                        env_names |= keys(cm)
                if "secretRef" in ref:
                    sec = secrets.get(ref["secretRef"]["name"])
                    if sec is None:
                        errors.append(f"{name}: secretRef {ref['secretRef']['name']!r} undefined")
                    else:
                        env_names |= keys(sec)
            for e in c.get("env") or []:
                for ref_kind, pool in (("configMapKeyRef", configmaps), ("secretKeyRef", secrets)):
                    ref = (e.get("valueFrom") or {}).get(ref_kind)
                    if ref is None:
                        continue
                    if ref["name"] not in pool:
                        errors.append(f"{name}: {ref_kind} {ref['name']!r} undefined")
                    elif ref["key"] not in keys(pool[ref["name"]]):
                        errors.append(f"{name}: {ref_kind} {ref['name']}/{ref['key']} has no such key")

            args = c.get("args") or []
            if args == ["serve", "console"]:
                errors += [f"{name}: env {var} missing" for var in sorted(CONSOLE_ENV - env_names)]
                if CONSOLE_PORT not in container_ports:
                    errors.append(f"{name}: container port should be {CONSOLE_PORT}")
            elif len(args) == 2 and args[0] == "serve":
                service = args[1]
                for var in sorted(required_env(service) - env_names):
                    errors.append(f"{name}: env {var} missing")
                errors += _k8s_principal_errors(name, service, c, secrets)
                if PORTS.get(service) not in container_ports:
                    errors.append(f"{name}: container port should be {PORTS.get(service)}")
            else:
                errors.append(f"{name}: args should be ['serve', <service>]")

    if "ocop-kafka-acls" not in by_kind.get("Job", {}):
        errors.append("Job 'ocop-kafka-acls' missing (topics, users and ACLs)")
    for name, svc in by_kind.get("Service", {}).items():
        selector = set((svc["spec"].get("selector") or {}).items())
        targets = [d for d in deployments.values()
                   if selector and selector <= set(d["spec"]["template"]["metadata"]["labels"].items())]
        if not targets:
            errors.append(f"Service {name}: selector matches no Deployment's pod labels")
            continue
        container = targets[0]["spec"]["template"]["spec"]["containers"][0]
        container_ports = {p["containerPort"] for p in container.get("ports") or []}
        for p in svc["spec"]["ports"]:
            if _port_number(p.get("targetPort", p["port"]), container) not in container_ports:
                errors.append(f"Service {name}: targetPort {p.get('targetPort')} not a container port")
    return errors
