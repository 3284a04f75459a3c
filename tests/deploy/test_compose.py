"""docker-compose.yml: schema-valid (compose-spec) and internally consistent."""

from __future__ import annotations

import copy

import pytest
import yaml

from .checks import PORTS, REPO, compose_errors, run_tool

COMPOSE_FILE = REPO / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())  # resolves anchors and `<<:` merge keys


def test_compose_matches_compose_spec_schema() -> None:
    result = run_tool("check-jsonschema", "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE))
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_an_invalid_compose_file(tmp_path) -> None:
    bad = tmp_path / "docker-compose.yml"
    bad.write_text("services:\n  kafka:\n    image: apache/kafka:3.9.0\n    helthcheck: {}\n")  # misspelt key
    assert run_tool("check-jsonschema", "--builtin-schema", "vendor.compose-spec", str(bad)).returncode != 0


def test_compose_cross_references_are_consistent(compose: dict) -> None:
    assert compose_errors(compose) == []


def test_stack_has_the_infrastructure_and_the_four_services(compose: dict) -> None:
    services = compose["services"]
    assert {"kafka", "postgres", "otel-collector", "jaeger", *PORTS} <= services.keys()
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert "kafka-broker-api-versions.sh" in " ".join(services["kafka"]["healthcheck"]["test"])
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    assert "16686:16686" in services["jaeger"]["ports"]
    for name in PORTS:  # one image, built from the repo's Dockerfile
        assert services[name]["build"] == "."
        assert services[name]["image"] == services["registration"]["image"]


def test_service_blocks_share_the_x_ocop_service_anchor() -> None:
    text = COMPOSE_FILE.read_text()
    assert "x-ocop-service: &ocop-service" in text
    assert text.count("<<: *ocop-service") == len(PORTS)


def test_checker_reports_errors_on_a_broken_copy(compose: dict) -> None:
    broken = copy.deepcopy(compose)
    del broken["volumes"]["postgres-data"]
    broken["services"]["rating"]["depends_on"]["zookeeper"] = {"condition": "service_started"}
    del broken["services"]["finance"]["environment"]["OCOP_FINANCE_DATABASE_URL"]
    broken["services"]["monitoring"]["depends_on"]["kafka"]["condition"] = "service_started"
    broken["services"]["otel-collector"]["volumes"] = ["./deploy/missing.yaml:/etc/otel.yaml:ro"]
    broken["services"]["registration"]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://nowhere:4318"

    errors = "\n".join(compose_errors(broken))
    assert "named volume 'postgres-data' not declared" in errors
    assert "rating: depends_on unknown service 'zookeeper'" in errors
    assert "finance: env OCOP_FINANCE_DATABASE_URL missing" in errors
    assert "monitoring: must depend on kafka being service_healthy" in errors
    assert "'./deploy/missing.yaml' does not exist" in errors
    assert "registration: host of OTEL_EXPORTER_OTLP_ENDPOINT is not a compose service" in errors


def test_ports_match_the_application_defaults() -> None:
    settings = pytest.importorskip("shared.settings")
    assert dict(settings.DEFAULT_PORTS) == PORTS
    assert set(settings.SERVICES) == set(PORTS)
