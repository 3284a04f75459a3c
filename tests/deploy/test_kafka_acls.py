"""deploy/kafka: the scripts that create the topics, SCRAM users and ACLs, run offline with stand-ins of the Kafka CLI
tools that record what they are asked; the ACLs they create are compared with what the code needs (each service's
publications and subscriptions, its consumer groups, monitoring's health page and re-drive), and the subscriber's
with the four public topics."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.contracts import CONTRACTS, dead_letter_topic
from shared.kafka import contract_topics
from shared.settings import SERVICES, service_settings

from .checks import K8S_DIR, REPO

SCRIPTS = REPO / "deploy" / "kafka"
PUBLIC = {c.topic for c in CONTRACTS.values()}
PASSWORDS = {f"KAFKA_PASSWORD_{s.upper()}": f"{s}-secret-0123" for s in SERVICES}
TOOL = """#!{python}
import json, os, sys
args = sys.argv[1:]
config = args[args.index("--command-config") + 1] if "--command-config" in args else None
with open(os.environ["FAKE_KAFKA_LOG"], "a") as log:
    log.write(json.dumps({{"tool": os.path.basename(sys.argv[0]), "args": args,
                          "config": open(config).read() if config else None}}) + "\\n")
"""


@dataclass(frozen=True)
class Acl:
    principal: str
    kind: str  # topic | group
    pattern: str  # literal | prefixed
    name: str
    operation: str


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    calls: list[dict[str, Any]]

    def tool(self, name: str) -> list[list[str]]:
        return [c["args"] for c in self.calls if c["tool"] == name]

    def acls(self, action: str = "--add") -> set[Acl]:
        found: set[Acl] = set()
        for args in self.tool("kafka-acls.sh"):
            if action not in args:
                continue
            kind = "topic" if "--topic" in args else "group"
            operations = [args[i + 1] for i, a in enumerate(args) if a == "--operation"]
            found |= {Acl(_after(args, "--allow-principal"), kind, _after(args, "--resource-pattern-type"),
                          _after(args, f"--{kind}"), op) for op in operations}
        return found


def _after(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1]


def run_script(tmp_path: Path, script: str, *args: str, **env: str) -> Run:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in ("kafka-acls.sh", "kafka-configs.sh", "kafka-topics.sh"):
        path = bin_dir / tool
        path.write_text(TOOL.format(python=sys.executable))
        path.chmod(0o755)
    log = tmp_path / "calls.jsonl"
    log.unlink(missing_ok=True)
    environment = {"PATH": os.environ["PATH"], "KAFKA_BIN": str(bin_dir), "FAKE_KAFKA_LOG": str(log),
                   "KAFKA_ADMIN_PASSWORD": "admin-secret-0123"} | env
    done = subprocess.run(["bash", str(SCRIPTS / script), *args], env=environment, capture_output=True, text=True,
                          timeout=120)
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return Run(done.returncode, done.stdout, done.stderr, calls)


def _definition(service: str) -> Any:
    return importlib.import_module(f"services.{service}.service").definition


def needed_by(service: str) -> set[Acl]:
    """What the code of ``service`` does on the broker, as ACLs of its principal."""
    user = f"User:{service}"
    definition = _definition(service)
    published = {c.topic for c in CONTRACTS.values() if c.source == service}
    consumed = {topic for s in definition.subscriptions for topic in s.topics}
    acls = {Acl(user, "topic", "literal", t, op) for t in published | {dead_letter_topic(service)}
            for op in ("Write", "Describe")}
    acls |= {Acl(user, "topic", "literal", t, op) for t in consumed for op in ("Read", "Describe")}
    acls |= {Acl(user, "topic", "literal", t, "Describe") for t in contract_topics()}  # the kernel's start check
    acls.add(Acl(user, "group", "prefixed", f"{service_settings(service).consumer_group}.", "Read"))
    if service == "monitoring":
        acls.add(Acl(user, "group", "prefixed", "ocop-", "Describe"))  # pipeline health: every service's groups
        acls |= {Acl(user, "topic", "literal", t, "Write") for t in PUBLIC - published}  # re-drive (documented)
    return acls


@pytest.fixture(scope="module")
def services_run(tmp_path_factory) -> Run:
    run = run_script(tmp_path_factory.mktemp("acls"), "acls.sh", **PASSWORDS)
    assert run.returncode == 0, run.stderr
    return run


def test_the_topics_of_the_contract_are_created_with_the_projects_partitions(services_run: Run) -> None:
    created = {_after(args, "--topic"): (_after(args, "--partitions"), _after(args, "--replication-factor"))
               for args in services_run.tool("kafka-topics.sh")}
    assert created == {topic: ("6", "1") for topic in contract_topics()}
    assert all("--if-not-exists" in args for args in services_run.tool("kafka-topics.sh"))


def test_each_service_is_a_scram_user_of_its_own_with_its_password(services_run: Run) -> None:
    users = {_after(args, "--entity-name"): _after(args, "--add-config") for args in services_run.tool("kafka-configs.sh")}
    assert users == {s: f"SCRAM-SHA-512=[iterations=8192,password={s}-secret-0123]" for s in SERVICES}
    for call in services_run.calls:  # every tool runs as the super user, over SASL/SCRAM
        assert 'username="admin" password="admin-secret-0123"' in call["config"]
        assert "security.protocol=SASL_PLAINTEXT" in call["config"] and "sasl.mechanism=SCRAM-SHA-512" in call["config"]


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_gets_exactly_what_its_code_needs(services_run: Run, service: str) -> None:
    granted = {acl for acl in services_run.acls() if acl.principal == f"User:{service}"}
    assert granted == needed_by(service)


def test_no_service_writes_or_reads_what_is_not_its_own(services_run: Run) -> None:
    acls = services_run.acls()
    assert {acl.principal for acl in acls} == {f"User:{s}" for s in SERVICES}
    for acl in acls:
        service = acl.principal.removeprefix("User:")
        if acl.operation == "Write":
            own = {c.topic for c in CONTRACTS.values() if c.source == service} | {dead_letter_topic(service)}
            # The one exception, monitoring's re-drive of a dead letter to its original topic: public topics only.
            assert acl.name in own or (service == "monitoring" and acl.name in PUBLIC), acl
        if acl.kind == "topic" and acl.operation == "Read":
            assert not acl.name.startswith("ocop.dlq."), acl  # dead letters are read from the services' tables
        if acl.kind == "group" and acl.operation == "Read":
            assert acl.name == f"ocop-{service}.", acl  # its own groups only
    for service in SERVICES:  # every group a service joins is one its principal may use
        groups = [f"{service_settings(service).consumer_group}.{s.name}" for s in _definition(service).subscriptions]
        assert all(g.startswith(f"ocop-{service}.") for g in groups)


def test_without_the_redrive_exception_monitoring_writes_its_own_topics_only(tmp_path) -> None:
    run = run_script(tmp_path, "acls.sh", OCOP_KAFKA_REDRIVE_WRITE="false", **PASSWORDS)
    assert run.returncode == 0, run.stderr
    writes = {acl.name for acl in run.acls() if acl.principal == "User:monitoring" and acl.operation == "Write"}
    assert writes == {"ocop.inspection-failed.v1", "ocop.dlq.monitoring"}


@pytest.mark.parametrize(("env", "message"), [
    ({k: v for k, v in PASSWORDS.items() if k != "KAFKA_PASSWORD_FINANCE"},
     "KAFKA_PASSWORD_FINANCE is required (the password of the principal finance)"),
    (PASSWORDS | {"KAFKA_PASSWORD_RATING": "short"}, "KAFKA_PASSWORD_RATING must be 12 to 128 characters"),
    (PASSWORDS | {"KAFKA_PASSWORD_RATING": "a,b=[c]-0123456"}, "KAFKA_PASSWORD_RATING must be 12 to 128 characters"),
    (PASSWORDS | {"KAFKA_ADMIN_PASSWORD": ""}, "KAFKA_ADMIN_PASSWORD is required"),
])
def test_a_missing_or_unusable_password_changes_nothing(tmp_path, env: dict[str, str], message: str) -> None:
    run = run_script(tmp_path, "acls.sh", **env)
    assert run.returncode == 2 and message in run.stderr
    assert run.calls == []


def test_a_subscribing_province_may_only_read_the_four_public_topics_with_its_own_groups(tmp_path) -> None:
    run = run_script(tmp_path, "issue-subscriber.sh", "ha-noi", "--password", "hanoi-secret-0123",
                     KAFKA_PUBLIC_BOOTSTRAP="kafka.thanhhoa.example:9094")
    assert run.returncode == 0, run.stderr
    user = "User:subscriber-ha-noi"
    assert run.acls() == {Acl(user, "topic", "literal", t, op) for t in PUBLIC for op in ("Read", "Describe")} | {
        Acl(user, "group", "prefixed", "ha-noi.", "Read")}
    assert [_after(args, "--entity-name") for args in run.tool("kafka-configs.sh")] == ["subscriber-ha-noi"]
    assert run.tool("kafka-topics.sh") == []
    for line in ("bootstrap servers  kafka.thanhhoa.example:9094", "username           subscriber-ha-noi",
                 "password           hanoi-secret-0123", "SASL mechanism     SCRAM-SHA-512",
                 "consumer groups    names starting with ha-noi.", "--sasl-username subscriber-ha-noi"):
        assert line in run.stdout


def test_a_subscriber_gets_a_random_password_unless_given_and_can_be_revoked(tmp_path) -> None:
    first = run_script(tmp_path, "issue-subscriber.sh", "thi-truong-so")
    second = run_script(tmp_path, "issue-subscriber.sh", "thi-truong-so")
    passwords = [next(line.split()[-1] for line in run.stdout.splitlines() if line.strip().startswith("password"))
                 for run in (first, second)]
    assert all(len(p) == 32 and p.isalnum() for p in passwords) and passwords[0] != passwords[1]

    revoked = run_script(tmp_path, "issue-subscriber.sh", "thi-truong-so", "--revoke")
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.acls("--remove") == first.acls()
    assert [args[args.index("--delete-config") + 1] for args in revoked.tool("kafka-configs.sh")] == ["SCRAM-SHA-512"]


@pytest.mark.parametrize("args", [(), ("Ha Noi",), ("x",), ("ha-noi", "--password", "short"), ("ha-noi", "--bogus")])
def test_a_bad_organisation_or_option_is_refused_before_anything_changes(tmp_path, args: tuple[str, ...]) -> None:
    run = run_script(tmp_path, "issue-subscriber.sh", *args)
    assert run.returncode == 2 and run.calls == []


def test_the_scripts_know_the_topics_and_flows_of_the_code() -> None:
    """The shell cannot import the contracts: its lists are compared with them (what each publishes and consumes)."""
    lib, acls = (SCRIPTS / "lib.sh").read_text(), (SCRIPTS / "acls.sh").read_text()
    assert set(lib.split("PUBLIC_TOPICS=(")[1].split(")")[0].split()) == PUBLIC
    assert acls.split("SERVICES=(")[1].split(")")[0].split() == list(SERVICES)


def test_the_kubernetes_job_runs_the_same_scripts() -> None:
    docs = [d for d in yaml.safe_load_all((K8S_DIR / "kafka-acls.yaml").read_text()) if d]
    scripts = next(d for d in docs if d["kind"] == "ConfigMap")
    assert set(scripts["data"]) == {"lib.sh", "acls.sh", "issue-subscriber.sh"}
    for name, text in scripts["data"].items():
        assert text == (SCRIPTS / name).read_text(), f"deploy/k8s/kafka-acls.yaml: {name} differs from deploy/kafka"
    job = next(d for d in docs if d["kind"] == "Job")
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["bash", "/opt/ocop/kafka/acls.sh"]
    secrets = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container["env"]
               if "secretKeyRef" in e.get("valueFrom", {})}
    assert secrets == {"KAFKA_ADMIN_USER": {"name": "ocop-kafka-admin", "key": "username"},
                       "KAFKA_ADMIN_PASSWORD": {"name": "ocop-kafka-admin", "key": "password"}} | {
        f"KAFKA_PASSWORD_{s.upper()}": {"name": f"ocop-kafka-{s}", "key": "password"} for s in SERVICES}
