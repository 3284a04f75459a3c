"""Dockerfile and .dockerignore: the facts the compose file and the Deployments rely on."""

from __future__ import annotations

import re

import pytest

from .checks import REPO


def test_dockerfile_builds_the_project_and_runs_as_non_root() -> None:
    text = (REPO / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.M)
    assert re.search(r"^RUN pip install \.", text, re.M)
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1].split(":")[0] not in {"0", "root"}
    assert users[-1].split(":")[0].isdigit(), "numeric UID lets Kubernetes verify runAsNonRoot"
    assert re.search(r'^ENTRYPOINT \["ocop"\]', text, re.M)


def test_dockerignore_keeps_local_state_out_of_the_image() -> None:
    ignored = set((REPO / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".env", ".ocop"} <= ignored
    assert not {"pyproject.toml", "shared", "services", "ocop"} & ignored


@pytest.mark.integration  # installs the package with pip (about 6 s)
def test_the_installed_package_carries_migrations_and_contract_files(tmp_path) -> None:
    """The image runs `pip install .`, not the source tree: migrations and schemas must be in the wheel."""
    import subprocess
    import sys
    import zipfile

    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {str(p.relative_to(REPO)) for p in REPO.glob("shared/migrations/*.sql")}
    expected |= {str(p.relative_to(REPO)) for p in REPO.glob("services/*/migrations/*.sql")}
    expected |= {str(p.relative_to(REPO)) for p in REPO.glob("shared/contracts/schemas/*.json")}
    expected |= {str(p.relative_to(REPO)) for p in REPO.glob("services/*/data/*")}
    expected |= {str(p.relative_to(REPO)) for p in REPO.glob("services/rating/catalogue/**/*.json")}
    # The console's pages and assets: templates at any depth, every static file (it fetches nothing from outside).
    expected |= {str(p.relative_to(REPO)) for p in REPO.glob("console/templates/**/*.html")}
    expected |= {str(p.relative_to(REPO)) for p in REPO.glob("console/static/*")}
    assert expected and expected <= names, sorted(expected - names)
    assert "shared/contracts/asyncapi.json" in names
