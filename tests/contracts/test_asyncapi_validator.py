"""The AsyncAPI document passes the AsyncAPI project's own parser, and says what the code does on the wire.

The validator is ``tools/asyncapi/validate.mjs`` over ``@asyncapi/parser`` (installed by ``make install`` with
``npm ci`` from the committed lock file).
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.contracts import CONTRACTS, kafka_headers, kafka_key, serialize_event
from shared.contracts import asyncapi as asyncapi_module
from shared.contracts import cloudevents, generate
from shared.contracts.topics import TOPIC_PARTITIONS, TOPIC_REPLICATION_FACTOR
from shared.settings import KernelSettings
from tests.contracts.asyncapi_wire import record_problems
from tests.contracts.samples import SAMPLES

REPO = generate.REPO_ROOT
TOOL = REPO / "tools" / "asyncapi"
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def validate(path: Path) -> tuple[int, dict[str, Any]]:
    """Run the AsyncAPI parser on ``path``: its exit code and its report."""
    node = shutil.which("node")
    assert node is not None, "node (v18+) is needed to validate the AsyncAPI document"
    assert (TOOL / "node_modules" / "@asyncapi" / "parser").is_dir(), "run `make install` (npm ci in tools/asyncapi)"
    done = subprocess.run(
        [node, str(TOOL / "validate.mjs"), str(path)], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return json.loads(generate.ASYNCAPI_PATH.read_text(encoding="utf-8"))


@pytest.mark.integration  # a node process (about 1 s)
def test_the_committed_document_passes_the_asyncapi_parser_with_no_error_and_no_warning() -> None:
    code, report = validate(generate.ASYNCAPI_PATH)
    assert report["errors"] == [] and code == 0
    assert report["warnings"] == []
    assert report["asyncapi"] == "3.0.0"


BREAKAGES = {
    "partitions as text": (
        lambda d: d["channels"]["ocop.product-rated.v1"]["bindings"]["kafka"].update(partitions="six"),
        "partitions",
    ),
    "operation on a channel that does not exist": (
        lambda d: d["operations"]["ocop.product-rated.v1"].update(channel={"$ref": "#/channels/nowhere"}),
        "#/channels/nowhere",
    ),
    "an API key with no location": (lambda d: d["components"]["securitySchemes"]["feedApiKey"].pop("in"), "in"),
}


@pytest.mark.integration
@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_a_broken_copy_gets_errors_naming_what_is_wrong(breakage: str, document: dict[str, Any], tmp_path: Path) -> None:
    broken = copy.deepcopy(document)
    mutate, named = BREAKAGES[breakage]
    mutate(broken)
    path = tmp_path / "asyncapi.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    code, report = validate(path)
    assert code == 1 and report["errors"], report
    assert any(named in error["message"] or named in error["path"] for error in report["errors"]), report["errors"]


def test_each_topic_is_a_channel_on_both_kafka_servers_with_its_bindings(document: dict[str, Any]) -> None:
    for contract in CONTRACTS.values():
        channel = document["channels"][contract.topic]
        assert channel["address"] == contract.topic
        assert channel["bindings"]["kafka"]["topic"] == contract.topic
        assert channel["bindings"]["kafka"]["partitions"] == TOPIC_PARTITIONS
        assert channel["bindings"]["kafka"]["replicas"] == TOPIC_REPLICATION_FACTOR
        assert [s["$ref"] for s in channel["servers"]] == ["#/servers/production", "#/servers/embedded"]
        operation = document["operations"][contract.topic]
        assert operation["action"] == "send" and operation["channel"] == {"$ref": f"#/channels/{contract.topic}"}
        message = document["components"]["messages"][contract.event_type]
        payload = message["payload"]["$ref"].removeprefix("#/components/schemas/")
        assert document["components"]["schemas"][payload]["properties"]["event_type"]["const"] == contract.event_type
        key = message["bindings"]["kafka"]["key"]
        assert key["type"] == "string" and key["minLength"] == 1  # the envelope's product_id


def test_servers_and_security_schemes(document: dict[str, Any]) -> None:
    servers, schemes = document["servers"], document["components"]["securitySchemes"]
    assert servers["production"]["protocol"] == "kafka"
    assert {s["$ref"] for s in servers["production"]["security"]} == {
        "#/components/securitySchemes/serviceScram", "#/components/securitySchemes/subscriberScram"}
    assert "security" not in servers["embedded"]  # Tansu has no SASL
    assert schemes["serviceScram"]["type"] == schemes["subscriberScram"]["type"] == "scramSha512"
    # The principals the document names are the ones deploy/kafka issues.
    issue = (REPO / "deploy" / "kafka" / "issue-subscriber.sh").read_text(encoding="utf-8")
    assert 'user="subscriber-$org"' in issue and 'group_prefix="$org."' in issue
    assert "`subscriber-<org>`" in schemes["subscriberScram"]["description"]
    assert "`<org>.`" in schemes["subscriberScram"]["description"]
    assert "READ and DESCRIBE on the four public topics and nothing else" in schemes["subscriberScram"]["description"]
    assert schemes["feedApiKey"] == {**schemes["feedApiKey"], "type": "httpApiKey", "name": "X-API-Key", "in": "header"}
    assert servers["feed"]["protocol"] == "http" and servers["feed"]["security"] == [
        {"$ref": "#/components/securitySchemes/feedApiKey"}]
    assert document["operations"]["feed"]["bindings"]["http"]["method"] == "GET"


def test_the_partition_count_is_the_one_the_settings_compose_and_kubernetes_use() -> None:
    assert KernelSettings().kafka_partitions == TOPIC_PARTITIONS
    assert KernelSettings().kafka_replication_factor == TOPIC_REPLICATION_FACTOR
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    assert str(TOPIC_PARTITIONS) in {str(v) for v in _find(compose, "OCOP_KAFKA_PARTITIONS")}
    configmap = yaml.safe_load((REPO / "deploy" / "k8s" / "configmap.yaml").read_text(encoding="utf-8"))
    assert configmap["data"]["OCOP_KAFKA_PARTITIONS"] == str(TOPIC_PARTITIONS)


def _find(node: Any, key: str) -> list[Any]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == key] + [x for v in node.values() for x in _find(v, key)]
    if isinstance(node, list):
        return [x for v in node for x in _find(v, key)]
    return []


@pytest.mark.parametrize("event_type", list(CONTRACTS))
def test_the_record_the_codec_makes_is_what_the_document_says(event_type: str, document: dict[str, Any]) -> None:
    envelope = SAMPLES[event_type]()
    headers = kafka_headers(envelope, traceparent=TRACEPARENT)  # what the outbox rows carry to Kafka
    assert record_problems(event_type, headers, kafka_key(envelope), serialize_event(envelope)) == []
    schema = document["components"]["messages"][event_type]["headers"]
    assert {name for name in schema["required"] if name.startswith(cloudevents.KAFKA_HEADER_PREFIX)} == {
        "ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject", "ce_dataschema"}


def test_a_record_the_document_does_not_allow_is_named() -> None:
    envelope = SAMPLES["ProductRated"]()
    headers = [(n, v) for n, v in kafka_headers(envelope) if n != "ce_id"] + [("ce_type", b"vn.ocop.Other.v1")]
    value = json.loads(serialize_event(envelope))
    value["data"]["stars"] = 9
    found = record_problems("ProductRated", headers, b"", json.dumps(value).encode())
    assert found[0].startswith("headers repeated")
    assert any(p.startswith("header : 'ce_id' is a required property") for p in found), found
    assert any(p.startswith("key :") for p in found) and any(p.startswith("payload data/stars:") for p in found)


def _inline(node: Any, root: dict[str, Any], prefix: str) -> Any:
    """``node`` with every local ``$ref`` under ``prefix`` replaced by its target, and annotations dropped."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(prefix):
            return _inline(root[ref.removeprefix(prefix)], root, prefix)
        ignored = {"title", "description", "examples", "$id", "$schema", "$defs", "x-topic", "x-source"}
        return {k: _inline(v, root, prefix) for k, v in node.items() if k not in ignored}
    if isinstance(node, list):
        return [_inline(item, root, prefix) for item in node]
    return node


@pytest.mark.parametrize("event_type", list(CONTRACTS))
def test_each_payload_is_the_committed_json_schema(event_type: str, document: dict[str, Any]) -> None:
    """The AsyncAPI payload (draft-07 dialect, refs into components) says what the 2020-12 schema file says."""
    committed = json.loads(generate.schema_path(CONTRACTS[event_type]).read_text(encoding="utf-8"))
    schemas = document["components"]["schemas"]
    ref = document["components"]["messages"][event_type]["payload"]["$ref"]
    payload = _inline({"$ref": ref}, schemas, "#/components/schemas/")
    assert payload == _inline(committed, committed["$defs"], "#/$defs/")


def test_the_feed_message_names_every_event_type(document: dict[str, Any]) -> None:
    feed = document["components"]["messages"][asyncapi_module.FEED_MESSAGE]
    assert feed["contentType"] == cloudevents.BATCH_CONTENT_TYPE
    item = feed["payload"]["items"]
    assert set(item["properties"]["type"]["enum"]) == {
        cloudevents.event_type_uri(c.event_type, c.schema_version) for c in CONTRACTS.values()}
    assert len(item["properties"]["data"]["oneOf"]) == len(CONTRACTS)


def _plain(schema: Any, components: dict[str, Any]) -> Any:
    """An OpenAPI or AsyncAPI parameter schema without annotations, ``Optional``'s null branch or local refs."""
    if isinstance(schema, list):
        return [_plain(item, components) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return _plain(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    branches = [b for b in schema.get("anyOf", []) if b != {"type": "null"}]
    if len(branches) == 1:
        return _plain(branches[0], components)
    ignored = {"title", "description", "default"}
    return {k: _plain(v, components) for k, v in schema.items() if k not in ignored}


def test_the_feed_query_is_the_one_monitoring_serves(document: dict[str, Any]) -> None:
    from services.monitoring.service import definition
    from shared.http.app import create_app

    openapi = create_app(definition).openapi()
    served = {p["name"]: _plain(p["schema"], openapi["components"]["schemas"])
              for p in openapi["paths"]["/v1/feed"]["get"]["parameters"] if p["in"] == "query"}
    stated = document["operations"]["feed"]["bindings"]["http"]["query"]["properties"]
    assert {name: _plain(schema, {}) for name, schema in stated.items()} == served
    assert openapi["components"]["securitySchemes"]["FeedApiKey"]["name"] == (
        document["components"]["securitySchemes"]["feedApiKey"]["name"])
