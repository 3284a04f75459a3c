"""Generate the committed artefacts (JSON Schemas, AsyncAPI) from the code, or check they are current.

    python -m shared.contracts.generate          # write
    python -m shared.contracts.generate --check  # exit 1 and name the files that drifted

Schemas use pydantic's *validation* mode: they describe what a consumer accepts (optional
fields stay optional), which is what schema evolution is judged against, and it is the mode
FastStream uses for the AsyncAPI payloads, so both artefacts agree.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .cloudevents import dataschema_uri
from .registry import CONTRACTS, Contract

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent.parent
SCHEMA_DIR = PACKAGE_DIR / "schemas"
ASYNCAPI_PATH = PACKAGE_DIR / "asyncapi.json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_path(contract: Contract) -> Path:
    return SCHEMA_DIR / f"{contract.event_type}.v{contract.schema_version}.json"


def envelope_schema(contract: Contract) -> dict[str, Any]:
    """JSON Schema of one envelope, with a stable ``$id`` naming event type and version."""
    schema = contract.model.model_json_schema(mode="validation")
    return {
        **schema,
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": dataschema_uri(contract.event_type, contract.schema_version),
        "title": contract.event_type,
        "x-topic": contract.topic,
        "x-source": contract.source,
    }


def _dump(document: Any) -> str:
    # Sorted keys + fixed indent + trailing newline: byte-stable output, readable diffs.
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def render() -> dict[Path, str]:
    """Every generated file and its expected content."""
    from .asyncapi import asyncapi_document  # imports FastStream; only generation needs it

    files = {schema_path(c): _dump(envelope_schema(c)) for c in CONTRACTS.values()}
    files[ASYNCAPI_PATH] = _dump(asyncapi_document())
    return files


def _stale(expected: dict[Path, str]) -> list[Path]:
    """Schema files no contract produces any more (e.g. a removed event)."""
    return sorted(p for p in SCHEMA_DIR.glob("*.json") if p not in expected)


def _display(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


def write() -> list[Path]:
    """Write what changed, delete stale schemas; return the paths touched."""
    expected = render()
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    touched: list[Path] = []
    for path, content in expected.items():
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8", newline="\n")
            touched.append(path)
    for path in _stale(expected):
        path.unlink()
        touched.append(path)
    return touched


def check() -> list[str]:
    """Repo-relative paths of generated files that are missing, different or stale; empty when in sync."""
    expected = render()
    drifted = [
        _display(path)
        for path, content in expected.items()
        if not path.exists() or path.read_text(encoding="utf-8") != content
    ]
    return drifted + [_display(path) for path in _stale(expected)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.contracts.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if any file is out of date")
    args = parser.parse_args(argv)
    if args.check:
        drifted = check()
        for name in drifted:
            print(f"out of date: {name}", file=sys.stderr)
        if drifted:
            print("run: python -m shared.contracts.generate", file=sys.stderr)
            return 1
        print("contracts: generated files are up to date")
        return 0
    for path in write():
        print(f"wrote {_display(path)}" if path.exists() else f"removed {_display(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
