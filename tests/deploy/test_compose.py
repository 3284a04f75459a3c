"""docker-compose.yml: schema-valid (compose-spec) and internally consistent."""

from __future__ import annotations

import copy

import pytest
import yaml

from .checks import PORTS, REPO, _env, compose_errors, run_tool

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
    assert {"kafka", "kafka-init", "postgres", "otel-collector", "jaeger", *PORTS} <= services.keys()
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
    # Kafka principals: a service signing in as another, or with a password kafka-init never gave it.
    broken["services"]["rating"]["environment"]["OCOP_KAFKA_SASL_USERNAME"] = "finance"
    broken["services"]["finance"]["environment"]["OCOP_KAFKA_SASL_PASSWORD"] = "${OCOP_KAFKA_RATING_PASSWORD:-x-change-me}"
    broken["services"]["monitoring"]["environment"]["OCOP_KAFKA_SECURITY_PROTOCOL"] = "PLAINTEXT"
    del broken["services"]["registration"]["depends_on"]["kafka-init"]
    broken["services"]["kafka-init"]["environment"]["KAFKA_ADMIN_PASSWORD"] = "admin-change-me-too"
    broken["services"]["kafka"]["entrypoint"] = ["/etc/kafka/docker/run"]

    errors = "\n".join(compose_errors(broken))
    assert "named volume 'postgres-data' not declared" in errors
    assert "rating: depends_on unknown service 'zookeeper'" in errors
    assert "finance: env OCOP_FINANCE_DATABASE_URL missing" in errors
    assert "monitoring: must depend on kafka being service_healthy" in errors
    assert "'./deploy/missing.yaml' does not exist" in errors
    assert "registration: host of OTEL_EXPORTER_OTLP_ENDPOINT is not a compose service" in errors
    assert "rating: OCOP_KAFKA_SASL_USERNAME should be rating (its own principal)" in errors
    assert "finance: OCOP_KAFKA_SASL_PASSWORD is not the password kafka-init gives finance" in errors
    assert "monitoring: OCOP_KAFKA_SECURITY_PROTOCOL must be one of SASL_PLAINTEXT, SASL_SSL" in errors
    assert "registration: must wait for kafka-init (service_completed_successfully)" in errors
    assert "kafka-init: KAFKA_ADMIN_PASSWORD is not the broker's super user's password" in errors
    assert "kafka: must run deploy/kafka/start.sh" in errors


def test_each_services_kafka_settings_are_ones_the_service_accepts(compose: dict) -> None:
    from shared.kafka import client_security
    from shared.settings import service_settings

    for service in PORTS:
        env = _env(compose["services"][service])
        kafka = {name.removeprefix("OCOP_").lower(): value for name, value in env.items()
                 if name.startswith("OCOP_KAFKA_")}
        security = client_security(service_settings(service, **kafka))
        assert (security["security_protocol"], security["sasl_mechanism"], security["sasl_plain_username"]) == (
            "SASL_PLAINTEXT", "SCRAM-SHA-512", service)


def test_the_broker_denies_what_no_acl_allows_and_has_no_unauthenticated_listener_outside() -> None:
    start = (REPO / "deploy" / "kafka" / "start.sh").read_text()
    for line in ("authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                 "allow.everyone.if.no.acl.found=false", "super.users=User:admin;User:ANONYMOUS",
                 "listeners=SASL://:9092,HOST://:29092,CONTROLLER://127.0.0.1:9093",
                 "listener.security.protocol.map=SASL:SASL_PLAINTEXT,HOST:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
                 "sasl.enabled.mechanisms=SCRAM-SHA-512", "auto.create.topics.enable=false",
                 '--add-scram "SCRAM-SHA-512=[name=admin,password=$KAFKA_ADMIN_PASSWORD]"'):
        assert line in start


def test_ports_match_the_application_defaults() -> None:
    settings = pytest.importorskip("shared.settings")
    assert dict(settings.DEFAULT_PORTS) == PORTS
    assert set(settings.SERVICES) == set(PORTS)
