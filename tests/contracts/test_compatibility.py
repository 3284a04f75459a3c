"""The full-transitive compatibility check: the pure comparison on in-memory schemas, the release rules, and the git
history path on a throw-away repository."""

from __future__ import annotations

import copy
import json
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ocop.cli import app
from shared.contracts import generate, releases
from shared.contracts.compatibility import Breach, breaking_changes
from shared.contracts.releases import Release, ReleaseError, check_against_releases


def released(event_type: str = "ProductRated") -> dict[str, Any]:
    return json.loads((generate.SCHEMA_DIR / f"{event_type}.v1.json").read_text(encoding="utf-8"))


def rules(found: list[Breach]) -> list[tuple[str, str]]:
    return [(b.path, b.rule.split(" (")[0].split(";")[0]) for b in found]


# ------------------------------------------------------------------------------------------ the repository as it is


def test_the_schemas_of_this_repository_keep_every_release() -> None:
    assert releases.check() == []


def test_the_releases_file_names_commits_of_this_history() -> None:
    listed = releases.parse_releases(releases.RELEASES_PATH.read_text(encoding="utf-8"))
    assert listed, "shared/contracts/RELEASES lists no release"
    for release in listed:
        assert set(releases.released_schemas(releases.REPO_ROOT, releases.SCHEMA_DIR, release)) == {
            f"{event}.v1.json" for event in ("ProductRegistered", "ProductRated", "RewardApproved", "InspectionFailed")
        }


def test_ocop_schemas_check_runs_the_drift_and_the_compatibility_check() -> None:
    result = CliRunner().invoke(app, ["schemas", "--check"])
    assert result.exit_code == 0, result.output
    assert "generated files are up to date" in result.output
    assert "compatible with every release" in result.output


# ------------------------------------------------------------------------------------------ the pure comparison


def test_an_identical_schema_and_changed_annotations_are_compatible() -> None:
    candidate = copy.deepcopy(released())
    candidate["description"] = "Một mô tả khác"
    candidate["$defs"]["ProductRatedData"]["properties"]["cycle_year"]["title"] = "Năm chu kỳ"
    assert breaking_changes("ProductRated.v1", released(), released()) == []
    assert breaking_changes("ProductRated.v1", released(), candidate) == []


def test_removing_a_required_field_fails_naming_event_field_and_rule() -> None:
    candidate = copy.deepcopy(released())
    data = candidate["$defs"]["ProductRatedData"]
    data["required"].remove("cycle_year")
    del data["properties"]["cycle_year"]
    found = breaking_changes("ProductRated.v1", released(), candidate)
    assert rules(found) == [("data.cycle_year", "required field removed")]
    assert str(found[0]).startswith("ProductRated.v1: data.cycle_year: required field removed")


def test_adding_an_optional_field_to_an_open_object_is_compatible() -> None:
    candidate = copy.deepcopy(released())
    candidate["$defs"]["ProductRatedData"]["properties"]["ghi_chu"] = {
        "anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
    assert breaking_changes("ProductRated.v1", released(), candidate) == []


def test_removing_an_optional_field_from_an_open_object_is_compatible() -> None:
    old = copy.deepcopy(released())
    old["$defs"]["ProductRatedData"]["properties"]["ghi_chu"] = {"type": "string"}
    assert breaking_changes("ProductRated.v1", old, released()) == []


def test_an_optional_field_added_to_or_removed_from_the_closed_envelope_is_breaking() -> None:
    assert released()["additionalProperties"] is False  # the envelope forbids unknown fields
    candidate = copy.deepcopy(released())
    candidate["properties"]["region"] = {"type": "string"}
    assert rules(breaking_changes("ProductRated.v1", released(), candidate)) == [
        ("region", "optional field added to a closed object")]
    assert rules(breaking_changes("ProductRated.v1", candidate, released())) == [
        ("region", "optional field removed from a closed object")]


def test_adding_a_required_field_or_changing_requiredness_is_breaking() -> None:
    candidate = copy.deepcopy(released())
    data = candidate["$defs"]["ProductRatedData"]
    data["properties"]["ghi_chu"] = {"type": "string"}
    data["required"].append("ghi_chu")
    data["required"].remove("cycle_year")
    assert rules(breaking_changes("ProductRated.v1", released(), candidate)) == [
        ("data.cycle_year", "required field made optional"), ("data.ghi_chu", "required field added")]
    assert rules(breaking_changes("ProductRated.v1", candidate, released())) == [
        ("data.cycle_year", "optional field made required"), ("data.ghi_chu", "required field removed")]


def test_changing_a_type_an_enum_a_format_or_a_bound_is_breaking() -> None:
    old = {
        "type": "object",
        "properties": {
            "stars": {"type": "integer", "minimum": 1, "maximum": 5},
            "status": {"enum": ["rated", "revoked"], "type": "string"},
            "on": {"type": "string", "format": "date"},
        },
        "required": ["stars", "status", "on"],
    }
    cases = {
        "type": (("stars", "type"), {"type": "number"}),
        "enum": (("status", "enum"), {"enum": ["rated", "revoked", "expired"]}),
        "format": (("on", "format"), {"format": "date-time"}),
        "bound": (("stars", "maximum"), {"maximum": 6}),
    }
    for _case, ((field, keyword), change) in cases.items():
        candidate = copy.deepcopy(old)
        candidate["properties"][field].update(change)
        found = breaking_changes("Sample.v1", old, candidate)
        assert [(b.path, b.rule.split(" ")[0]) for b in found] == [(field, keyword)]
        assert "changed from" in found[0].rule
    reordered = copy.deepcopy(old)
    reordered["properties"]["status"]["enum"] = ["revoked", "rated"]
    assert breaking_changes("Sample.v1", old, reordered) == []


def test_a_constraint_added_or_removed_is_breaking_at_any_depth() -> None:
    candidate = copy.deepcopy(released("InspectionFailed"))
    findings = candidate["$defs"]["InspectionFailedData"]["properties"]["findings"]
    findings["maxItems"] = 3
    found = breaking_changes("InspectionFailed.v1", released("InspectionFailed"), candidate)
    assert [(b.path, b.rule.split(" ")[0]) for b in found] == [("data.findings", "maxItems")]
    assert "added" in found[0].rule


def test_a_change_inside_a_shared_definition_is_named_where_the_envelope_uses_it() -> None:
    candidate = copy.deepcopy(released())
    candidate["$defs"]["Actor"]["properties"]["role"]["minLength"] = 2
    assert [b.path for b in breaking_changes("ProductRated.v1", released(), candidate)] == ["actor.role"]


def test_a_recursive_definition_is_compared_without_looping() -> None:
    tree = {
        "$ref": "#/$defs/Node",
        "$defs": {"Node": {"type": "object", "properties": {
            "name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
            "required": ["name"]}},
    }
    assert breaking_changes("Tree.v1", tree, copy.deepcopy(tree)) == []
    changed = copy.deepcopy(tree)
    changed["$defs"]["Node"]["properties"]["name"]["maxLength"] = 10
    assert [b.path for b in breaking_changes("Tree.v1", tree, changed)] == ["name"]


# ------------------------------------------------------------------------------------------ the release rules

V1 = Release("1" * 40, date(2026, 11, 30), "v1")
BOTH = Release("2" * 40, date(2027, 3, 1), "v1 and v2")


def test_a_new_major_version_beside_the_released_one_passes() -> None:
    schema = released()
    v2 = copy.deepcopy(schema)
    v2["$defs"]["ProductRatedData"]["required"].remove("cycle_year")  # breaking, hence a new event type
    current = {"ProductRated.v1.json": schema, "ProductRated.v2.json": v2}
    assert check_against_releases([(V1, {"ProductRated.v1.json": schema})], current) == []


def test_a_breaking_change_in_place_fails_and_says_to_ship_a_new_major_version() -> None:
    schema = released()
    candidate = copy.deepcopy(schema)
    candidate["properties"]["product_id"]["type"] = "integer"
    (breach,) = check_against_releases([(V1, {"ProductRated.v1.json": schema})], {"ProductRated.v1.json": candidate})
    assert breach.event == f"ProductRated.v1 (released {V1})" and breach.path == "product_id"
    assert "type changed" in breach.rule and "ProductRated.v2" in breach.rule


def test_a_released_schema_may_disappear_only_after_its_successor_was_released_beside_it() -> None:
    schema = released()
    only_v2 = {"ProductRated.v2.json": schema}
    (gone,) = check_against_releases([(V1, {"ProductRated.v1.json": schema})], {})
    assert gone.path == "(schema)" and "released schema removed" in gone.rule and "ProductRated.v2" in gone.rule
    (early,) = check_against_releases([(V1, {"ProductRated.v1.json": schema})], only_v2)
    assert "before its successor ProductRated.v2 was released beside it" in early.rule
    history = [(V1, {"ProductRated.v1.json": schema}), (BOTH, {"ProductRated.v1.json": schema, **only_v2})]
    assert check_against_releases(history, only_v2) == []


def test_every_release_counts_not_only_the_last() -> None:
    first = released()
    second = copy.deepcopy(first)
    second["$defs"]["ProductRatedData"]["properties"]["ghi_chu"] = {"type": "string"}  # compatible with the first
    today = copy.deepcopy(second)
    del today["$defs"]["ProductRatedData"]["properties"]["ghi_chu"]
    today["$defs"]["ProductRatedData"]["properties"]["cycle_year"]["minimum"] = 2020  # breaks both
    found = check_against_releases(
        [(V1, {"ProductRated.v1.json": first}), (BOTH, {"ProductRated.v1.json": second})],
        {"ProductRated.v1.json": today},
    )
    assert [(b.event.split(" ")[2], b.path) for b in found] == [
        (V1.commit[:12], "data.cycle_year"), (BOTH.commit[:12], "data.cycle_year")]


def test_a_malformed_releases_line_is_refused_with_its_number() -> None:
    with pytest.raises(ReleaseError, match="line 2"):
        releases.parse_releases("# comment\nHEAD 2026-11-30 oops\n")
    assert releases.parse_releases(f"{'a' * 40} 2026-11-30 Bản phát hành\n") == [
        Release("a" * 40, date(2026, 11, 30), "Bản phát hành")]


# ------------------------------------------------------------------------------------------ git history


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, timeout=60)
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "schemas").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "test@ocop.invalid")
    git(root, "config", "user.name", "test")
    return root


def commit(repo: Path, schema: dict[str, Any], message: str, name: str = "ProductRated.v1.json") -> None:
    (repo / "schemas" / name).write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")
    git(repo, "add", "schemas")
    git(repo, "commit", "-q", "-m", message)


def test_the_git_history_path_end_to_end(repo: Path) -> None:
    paths = {"repo": repo, "schema_dir": repo / "schemas", "releases_path": repo / "RELEASES"}
    commit(repo, released(), "v1")
    recorded = releases.record_release("Phát hành đầu tiên", today=date(2026, 11, 30), **paths)
    assert recorded.commit == git(repo, "rev-parse", "HEAD")
    assert (repo / "RELEASES").read_text(encoding="utf-8") == f"{recorded.commit} 2026-11-30 Phát hành đầu tiên\n"
    with pytest.raises(ReleaseError, match="already a release"):
        releases.record_release("again", **paths)

    compatible = copy.deepcopy(released())
    compatible["$defs"]["ProductRatedData"]["properties"]["ghi_chu"] = {"type": "string"}
    commit(repo, compatible, "add an optional field")
    assert releases.check(**paths) == []

    breaking = copy.deepcopy(compatible)
    breaking["$defs"]["ProductRatedData"]["required"].remove("stars")
    del breaking["$defs"]["ProductRatedData"]["properties"]["stars"]
    (repo / "schemas" / "ProductRated.v1.json").write_text(json.dumps(breaking), encoding="utf-8")
    found = releases.check(**paths)  # the working tree is checked, before any commit
    assert rules(found) == [("data.stars", "required field removed")]
    assert str(found[0]).startswith(f"ProductRated.v1 (released {recorded.commit[:12]} (2026-11-30)): data.stars")
    with pytest.raises(ReleaseError, match="uncommitted changes"):
        releases.record_release("dirty", **paths)


def test_a_shallow_clone_without_the_release_says_how_to_get_it(repo: Path, tmp_path: Path) -> None:
    commit(repo, released(), "v1")
    release = releases.record_release("v1", repo=repo, schema_dir=repo / "schemas", releases_path=repo / "RELEASES")
    git(repo, "add", "RELEASES")
    git(repo, "commit", "-q", "-m", "record the release")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)], check=True, timeout=60)
    with pytest.raises(ReleaseError) as raised:
        releases.check(repo=shallow, schema_dir=shallow / "schemas", releases_path=shallow / "RELEASES")
    message = str(raised.value)
    assert release.commit[:12] in message and "shallow clone" in message and "git fetch --unshallow" in message
    git(shallow, "fetch", "-q", "--unshallow")
    assert releases.check(repo=shallow, schema_dir=shallow / "schemas", releases_path=shallow / "RELEASES") == []


def test_changing_a_default_is_breaking_and_a_description_is_not() -> None:
    old = {"type": "object", "properties": {"note": {"type": "string", "default": "", "description": "Ghi chú"}}}
    described = copy.deepcopy(old)
    described["properties"]["note"]["description"] = "Ghi chú của hội đồng"
    assert breaking_changes("Sample.v1", old, described) == []
    defaulted = copy.deepcopy(old)
    defaulted["properties"]["note"]["default"] = "không có"
    assert rules(breaking_changes("Sample.v1", old, defaulted)) == [("note", "default changed from \"\" to \"không có\"")]
