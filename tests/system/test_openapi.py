"""schemathesis (PyPI) against every service's OpenAPI document, as an outside tester runs it: every check, a fixed
seed, a bounded number of examples, with the tokens of several roles, against ``python -m services.<name>`` processes
on a database of their own. 0 server errors and 0 conformance failures: every answer is documented, with its body;
every request the document allows is taken and every one it forbids is refused.

Each run's output and JUnit report stay under ``build/test-run/schemathesis/`` (``OCOP_TEST_OUTPUT`` moves it).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from ocop.launcher import ROOT
from shared.auth import mint_token
from shared.contracts.roles import Role
from shared.settings import SERVICES, KernelSettings
from tests.system.processes import fresh_database, service_process

OUTPUT = Path(os.environ.get("OCOP_TEST_OUTPUT", ROOT / "build" / "test-run")) / "schemathesis"
SEED = 20211114  # fixed: a failure found once is found again
MAX_EXAMPLES = int(os.environ.get("OCOP_SCHEMATHESIS_EXAMPLES", "10"))

#: Per service, the roles whose tokens it is tried with: its own officers, a reader, and an outsider.
ROLES: dict[str, tuple[tuple[Role, dict[str, str]], ...]] = {
    "registration": ((Role.producer, {}), (Role.district_officer, {"district": "380"}),
                     (Role.provincial_office, {})),
    "rating": ((Role.council_secretary, {}), (Role.council_member, {}), (Role.provincial_office, {})),
    "finance": ((Role.finance_officer, {}), (Role.provincial_office, {}), (Role.producer, {})),
    "monitoring": ((Role.inspector, {}), (Role.district_officer, {"district": "380"}), (Role.operator, {}),
                   (Role.provincial_office, {})),  # the only role that sets targets
}


@pytest.fixture(scope="module")
def database(launcher) -> str:
    """The four services' database of their own: what schemathesis writes stays out of the other tests' data."""
    return fresh_database(launcher, "ocop_schemathesis")


@pytest.fixture(scope="module")
def urls(launcher, database, tmp_path_factory) -> Iterator[dict[str, str]]:
    logs = tmp_path_factory.mktemp("schemathesis")
    # A long-poll waits a fifth of a second at most here: generated `timeout`s up to 30 s would make the run slow.
    env = {"OCOP_DATABASE_URL": database, "OCOP_MONITORING_FEED_LONGEST_WAIT_SECONDS": "0.2"}
    with ExitStack() as stack:
        yield {name: stack.enter_context(service_process(launcher, logs, name, **env)) for name in SERVICES}


@pytest.fixture(scope="module")
def feed_key(urls, database) -> str:
    """A key of the event feed (every type, a rate schemathesis never reaches), issued as a province issues one."""
    issue = subprocess.run(
        [sys.executable, "-m", "ocop.cli", "feed-key", "issue", "--organisation", "Kiểm thử schemathesis", "--type",
         "ProductRegistered", "--type", "ProductRated", "--type", "RewardApproved", "--type", "InspectionFailed",
         "--rate-per-minute", "60000"], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "OCOP_DATABASE_URL": database})
    assert issue.returncode == 0, issue.stdout + issue.stderr
    return next(line.split()[-1] for line in issue.stdout.splitlines() if line.startswith("key:"))


@pytest.mark.parametrize("service,role,scope", [
    pytest.param(s, r, scope, id=f"{s}-{r.value}") for s, roles in ROLES.items() for r, scope in roles])
def test_schemathesis_finds_no_server_error_and_no_conformance_failure(urls, feed_key, service, role, scope):
    token = mint_token(KernelSettings(), actor_id=f"st-{role.value}", role=role, **scope)
    # Monitoring's event feed takes an API key instead of a token.
    key = ["--header", f"X-API-Key: {feed_key}"] if service == "monitoring" else []
    out = OUTPUT / f"{service}-{role.value}"
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "schemathesis.cli", "run", f"{urls[service]}/openapi.json",
               "--header", f"Authorization: Bearer {token}", "--checks", "all", "--seed", str(SEED),
               "--max-examples", str(MAX_EXAMPLES), "--report", "junit", "--report-dir", str(out),
               "--request-timeout", "30", "--no-color", *key]
    run = subprocess.run(command, cwd=out, capture_output=True, text=True, timeout=900)
    (out / "output.txt").write_text(run.stdout + run.stderr)
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-2000:]
    assert run.returncode == 0 and not re.search(r"\d+ (failures?|errors?)", summary), (
        f"schemathesis on {service} as {role.value}: {summary}\n(see {out / 'output.txt'})\n" + run.stdout[-20000:])
