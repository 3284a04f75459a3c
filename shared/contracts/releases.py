"""Released contract versions and the full-transitive check of today's schemas against every one of them.

``shared/contracts/RELEASES`` lists the commits at which the contract was released, one a line::

    <commit id> <YYYY-MM-DD> <note>

Each released ``shared/contracts/schemas/<Event>.v<n>.json`` is read from git history (``git show <commit>:<path>``)
and today's file of the same name must be compatible with it (``shared.contracts.compatibility``). A released file may
disappear only after its successor ``<Event>.v<m>.json`` (m > n, a new topic) was released beside it: that release is
the transition period in which both were published.

    python -m shared.contracts.releases            # check; exit 1 naming each event, field and rule broken
    python -m shared.contracts.releases --release  # record HEAD as a release (``ocop schemas --release`` too)
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .compatibility import Breach, breaking_changes
from .envelope import VIETNAM_TZ

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent.parent
SCHEMA_DIR = PACKAGE_DIR / "schemas"
RELEASES_PATH = PACKAGE_DIR / "RELEASES"
SCHEMA_NAME = re.compile(r"^(?P<event>[A-Za-z][A-Za-z0-9]*)\.v(?P<major>[1-9][0-9]*)\.json$")
_LINE = re.compile(r"^(?P<commit>[0-9a-f]{40})\s+(?P<date>\d{4}-\d{2}-\d{2})(?:\s+(?P<note>.*))?$")


class ReleaseError(Exception):
    """The check cannot run: the releases file is malformed, or git history lacks a release (a shallow clone)."""


@dataclass(frozen=True, slots=True)
class Release:
    commit: str
    on: date
    note: str

    def line(self) -> str:
        return f"{self.commit} {self.on.isoformat()} {self.note}".rstrip() + "\n"

    def __str__(self) -> str:
        return f"{self.commit[:12]} ({self.on.isoformat()})"


def parse_releases(text: str) -> list[Release]:
    """The releases of a RELEASES file; blank lines and ``#`` comments are skipped."""
    releases: list[Release] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ReleaseError(f"RELEASES line {number}: expected '<40-hex commit> <YYYY-MM-DD> <note>', got {raw!r}")
        try:
            on = date.fromisoformat(match["date"])
        except ValueError as exc:
            raise ReleaseError(f"RELEASES line {number}: {exc}") from exc
        releases.append(Release(match["commit"], on, match["note"] or ""))
    return releases


def schema_files(names: Iterable[str]) -> dict[str, tuple[str, int]]:
    """``file name → (event type, major version)`` of the names that are public schemas."""
    found = {}
    for name in names:
        match = SCHEMA_NAME.match(name)
        if match:
            found[name] = (match["event"], int(match["major"]))
    return found


# ---------------------------------------------------------------------------------------------------- the pure rule


def check_against_releases(
    released: list[tuple[Release, dict[str, dict[str, Any]]]], current: dict[str, dict[str, Any]]
) -> list[Breach]:
    """Every breach of today's schemas (``file name → schema``) against each release's (oldest first)."""
    breaches: list[Breach] = []
    seen: set[tuple[str, str]] = set()  # (file, content) already compared: a schema unchanged across releases
    seen_gone: set[str] = set()
    for release, schemas in released:
        for name, schema in sorted(schemas.items()):
            event, major = schema_files([name])[name]
            label = f"{event}.v{major} (released {release})"
            key = (name, json.dumps(schema, sort_keys=True))
            if name in current:
                if key not in seen:
                    found = breaking_changes(label, schema, current[name])
                    breaches += [_with_remedy(b, event, major) for b in found]
                seen.add(key)
            elif name not in seen_gone and (gone := _retired_too_early(event, major, released, current)):
                breaches.append(Breach(label, "(schema)", gone))
                seen_gone.add(name)
    return _unique(breaches)


def _with_remedy(breach: Breach, event: str, major: int) -> Breach:
    remedy = f"; ship it as a new event type {event}.v{major + 1} (its own topic) published beside v{major}"
    return Breach(breach.event, breach.path, breach.rule + remedy)


def _retired_too_early(
    event: str, major: int, released: list[tuple[Release, dict[str, dict[str, Any]]]], current: dict[str, Any]
) -> str | None:
    """Why removing a released ``event.v<major>`` is breaking, or None when its transition period is over."""
    newer = sorted(m for e, m in schema_files(current).values() if e == event and m > major)
    if not newer:
        return (f"released schema removed: a released event type stays published; ship {event}.v{major + 1} beside "
                f"it, release both, and only then retire v{major}")
    for release, schemas in released:
        majors = {m for e, m in schema_files(schemas).values() if e == event}
        if major in majors and any(m in majors for m in newer):
            return None
    return (f"released schema removed before its successor {event}.v{newer[0]} was released beside it "
            f"(the transition period: release both, then retire v{major})")


def _unique(breaches: list[Breach]) -> list[Breach]:
    return list(dict.fromkeys(breaches))


# ---------------------------------------------------------------------------------------------------- git history


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=60)
    except FileNotFoundError as exc:
        raise ReleaseError("git is not installed: the compatibility check reads released schemas from git") from exc


def _require_commit(repo: Path, release: Release) -> None:
    if _git(repo, "cat-file", "-e", f"{release.commit}^{{commit}}").returncode == 0:
        return
    inside = _git(repo, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0:
        raise ReleaseError(f"{repo} is not a git checkout: the compatibility check needs the history holding the "
                           f"releases of shared/contracts/RELEASES (clone the repository with git)")
    shallow = _git(repo, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"
    why = "this is a shallow clone" if shallow else "it is not in this clone's history"
    raise ReleaseError(
        f"release {release} ({release.note}) cannot be read: {why}. Get the full history with "
        f"`git fetch --unshallow` (or clone without --depth), then run the check again."
    )


def released_schemas(repo: Path, schema_dir: Path, release: Release) -> dict[str, dict[str, Any]]:
    """``file name → schema`` of the public schemas as committed at ``release``."""
    _require_commit(repo, release)
    relative = schema_dir.resolve().relative_to(repo.resolve()).as_posix()
    listing = _git(repo, "ls-tree", "--name-only", f"{release.commit}:{relative}")
    if listing.returncode != 0:
        return {}  # the release had no schema folder: nothing of it to keep compatible
    schemas: dict[str, dict[str, Any]] = {}
    for name in schema_files(listing.stdout.split()):
        shown = _git(repo, "show", f"{release.commit}:{relative}/{name}")
        if shown.returncode != 0:
            raise ReleaseError(f"git show {release.commit}:{relative}/{name} failed: {shown.stderr.strip()}")
        schemas[name] = json.loads(shown.stdout)
    return schemas


def current_schemas(schema_dir: Path) -> dict[str, dict[str, Any]]:
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(schema_dir.glob("*.json"))
        if SCHEMA_NAME.match(path.name)
    }


def check(repo: Path = REPO_ROOT, schema_dir: Path = SCHEMA_DIR, releases_path: Path = RELEASES_PATH) -> list[Breach]:
    """Today's schema files against every release; raises ``ReleaseError`` when the check cannot run."""
    if not releases_path.exists():
        raise ReleaseError(f"{releases_path} is missing: it lists the released contract versions")
    releases = parse_releases(releases_path.read_text(encoding="utf-8"))
    released = [(release, released_schemas(repo, schema_dir, release)) for release in releases]
    return check_against_releases(released, current_schemas(schema_dir))


def record_release(
    note: str, repo: Path = REPO_ROOT, schema_dir: Path = SCHEMA_DIR, releases_path: Path = RELEASES_PATH,
    today: date | None = None,
) -> Release:
    """Append HEAD to the releases file: the schemas as committed there become a release to stay compatible with."""
    relative = schema_dir.resolve().relative_to(repo.resolve()).as_posix()
    dirty = _git(repo, "status", "--porcelain", "--", relative)
    if dirty.returncode != 0:
        raise ReleaseError(f"git status failed: {dirty.stderr.strip()}")
    if dirty.stdout.strip():
        raise ReleaseError(f"{relative} has uncommitted changes: commit them first, a release names a commit")
    head = _git(repo, "rev-parse", "HEAD")
    if head.returncode != 0:
        raise ReleaseError(f"no HEAD commit: {head.stderr.strip()}")
    existing = parse_releases(releases_path.read_text(encoding="utf-8")) if releases_path.exists() else []
    commit = head.stdout.strip()
    if any(r.commit == commit for r in existing):
        raise ReleaseError(f"HEAD {commit[:12]} is already a release")
    breaches = check(repo, schema_dir, releases_path) if existing else []
    if breaches:
        raise ReleaseError("the schemas break an earlier release; nothing recorded:\n" + "\n".join(map(str, breaches)))
    release = Release(commit, today or datetime.now(VIETNAM_TZ).date(), " ".join(note.split()))
    with releases_path.open("a", encoding="utf-8", newline="\n") as out:
        out.write(release.line())
    return release


def report(breaches: list[Breach]) -> str:
    if not breaches:
        return "contracts: every public schema is compatible with every release (full-transitive)"
    lines = [f"breaking: {breach}" for breach in breaches]
    return "\n".join([*lines, f"{len(breaches)} breaking change(s); see README 'Changing a public event'"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.contracts.releases", description=__doc__.splitlines()[0])
    parser.add_argument("--release", action="store_true", help="record HEAD as a release of the contract")
    parser.add_argument("--note", default="", help="what the release is (with --release)")
    args = parser.parse_args(argv)
    try:
        if args.release:
            release = record_release(args.note)
            print(f"recorded release {release} in {RELEASES_PATH.relative_to(REPO_ROOT).as_posix()}: commit it")
            return 0
        breaches = check()
    except ReleaseError as exc:
        print(f"contracts: {exc}", file=sys.stderr)
        return 2
    print(report(breaches), file=sys.stderr if breaches else sys.stdout)
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
