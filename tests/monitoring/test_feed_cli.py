"""``ocop feed-key`` against monitoring's database, as the province runs it: issue, list, revoke, reads."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from ocop.launcher import ROOT


def ocop(launcher, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ocop.cli", "feed-key", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "OCOP_DATABASE_URL": launcher.database_url})


@pytest.mark.integration
def test_a_key_is_issued_listed_revoked_and_its_reads_listed(launcher):
    organisation = f"Sở Nông nghiệp và PTNT Nghệ An {uuid.uuid4().hex[:6]}"

    issued = ocop(launcher, "issue", "--organisation", organisation, "--type", "ProductRated", "--type",
                  "ProductRegistered", "--rate-per-minute", "120", "--issued-by", "vpdp-admin")
    assert issued.returncode == 0, issued.stderr
    lines = dict(line.split(":", 1) for line in issued.stdout.splitlines() if line.startswith(("key_id:", "key:")))
    key_id, key = lines["key_id"].strip(), lines["key"].strip()
    assert key.startswith(f"ocopfeed_{key_id}_") and len(key) > 50

    listed = ocop(launcher, "list")
    mine = next(line for line in listed.stdout.splitlines() if line.startswith(key_id))
    assert organisation in mine and "[ProductRegistered, ProductRated]" in mine and "120/min" in mine
    assert "vpdp-admin" in mine and mine.endswith("active") and key.split("_", 2)[2] not in listed.stdout

    revoked = ocop(launcher, "revoke", key_id, "--revoked-by", "vpdp-admin")
    again = ocop(launcher, "revoke", key_id)
    listed = ocop(launcher, "list")
    reads = ocop(launcher, "reads", "--key", key_id)
    unknown = ocop(launcher, "revoke", "no-such-key")

    assert revoked.returncode == 0 and f"revoked {key_id}" in revoked.stdout
    assert again.returncode == 1 and "was revoked" in again.stderr
    assert "revoked" in next(line for line in listed.stdout.splitlines() if line.startswith(key_id))
    assert reads.returncode == 0 and reads.stdout.startswith(f"0 reads recorded for {key_id}")
    assert unknown.returncode == 1 and "not found" in unknown.stderr
    bad = ocop(launcher, "issue", "--organisation", organisation, "--type", "ProductDeleted")
    assert bad.returncode == 1 and "unknown event types" in bad.stderr
