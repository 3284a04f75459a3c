"""The committed JSON Schemas and AsyncAPI document are exactly what the code generates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from shared.contracts import CONTRACTS, generate


def test_committed_artefacts_match_the_code() -> None:
    drifted = generate.check()
    assert drifted == [], f"regenerate with `python -m shared.contracts.generate`: {drifted}"


def test_generation_is_deterministic() -> None:
    assert generate.render() == generate.render()


@pytest.mark.integration  # a fresh interpreter (about 1.5 s)
def test_check_command_passes_in_a_fresh_process_with_another_hash_seed() -> None:
    repo = generate.REPO_ROOT
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-m", "shared.contracts.generate", "--check"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("event_type", list(CONTRACTS))
def test_each_schema_is_valid_draft_2020_12_with_id_and_title(event_type: str) -> None:
    contract = CONTRACTS[event_type]
    schema = json.loads(generate.schema_path(contract).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == f"urn:ocop:contracts:{event_type}.v1"
    assert schema["title"] == event_type
    assert schema["properties"]["event_type"]["const"] == event_type
    assert schema["additionalProperties"] is False  # the envelope is closed


def test_asyncapi_describes_one_channel_per_public_topic_and_the_feed() -> None:
    doc = json.loads(generate.ASYNCAPI_PATH.read_text(encoding="utf-8"))
    assert doc["asyncapi"] == "3.0.0"
    addresses = {channel["address"] for name, channel in doc["channels"].items() if name != "feed"}
    assert addresses == {c.topic for c in CONTRACTS.values()}
    assert doc["channels"]["feed"]["address"] == "/feed"
    for contract in CONTRACTS.values():
        message = doc["components"]["messages"][contract.event_type]
        assert message["payload"] == {"$ref": f"#/components/schemas/{contract.event_type}"}
        assert message["headers"]["properties"]["event_type"]["const"] == contract.event_type
    assert all(op["action"] == "send" for op in doc["operations"].values())


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the generator at a scratch copy so drift can be provoked safely."""
    monkeypatch.setattr(generate, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(generate, "SCHEMA_DIR", tmp_path / "schemas")
    monkeypatch.setattr(generate, "ASYNCAPI_PATH", tmp_path / "asyncapi.json")
    return tmp_path


def test_check_names_changed_missing_and_stale_files(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert len(generate.write()) == len(CONTRACTS) + 1
    assert generate.check() == [] and generate.write() == []

    (scratch / "schemas" / "ProductRated.v1.json").write_text("{}\n", encoding="utf-8")
    (scratch / "asyncapi.json").unlink()
    (scratch / "schemas" / "ProductEaten.v1.json").write_text("{}\n", encoding="utf-8")
    expected = ["schemas/ProductRated.v1.json", "asyncapi.json", "schemas/ProductEaten.v1.json"]
    assert generate.check() == expected

    assert generate.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert all(f"out of date: {name}" in err for name in expected)

    generate.write()
    assert generate.check() == []
    assert not (scratch / "schemas" / "ProductEaten.v1.json").exists()
