"""Kafka security settings: one function gives every client of a process its credentials, and combinations that
cannot work are refused when the settings are read, naming the variable."""

from __future__ import annotations

import ssl
import subprocess
import sys
from typing import Any

import pytest
from faststream.security import SASLScram256, SASLScram512
from pydantic import ValidationError

import services.monitoring.operations.adapters.broker_lag as broker_lag
import shared.kafka as kafka
from ocop.launcher import Launcher
from shared.settings import KernelSettings, service_settings

SASL = {"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_sasl_username": "rating",
        "kafka_sasl_password": "rating-secret"}


def test_plaintext_without_credentials_is_the_default() -> None:
    settings = service_settings("rating")
    assert settings.kafka_security_protocol == "PLAINTEXT" and settings.kafka_sasl_username is None
    assert kafka.client_security(settings) == {"security_protocol": "PLAINTEXT"}
    assert kafka.broker_security(settings) is None


def test_sasl_scram_gives_every_client_the_principal_and_password() -> None:
    settings = service_settings("rating", **SASL)
    assert settings.kafka_sasl_mechanism == "SCRAM-SHA-512"
    assert kafka.client_security(settings) == {
        "security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "rating", "sasl_plain_password": "rating-secret",
    }
    security = kafka.broker_security(settings)
    assert isinstance(security, SASLScram512)
    assert (security.username, security.password, security.use_ssl) == ("rating", "rating-secret", False)
    assert "rating-secret" not in repr(settings)  # a logged settings object never shows the password


def test_sasl_ssl_verifies_the_brokers_with_the_given_ca(tmp_path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text(_one_ca_certificate())
    settings = service_settings("finance", **SASL | {"kafka_security_protocol": "SASL_SSL",
                                                      "kafka_sasl_mechanism": "SCRAM-SHA-256",
                                                      "kafka_ssl_cafile": str(ca)})
    security = kafka.client_security(settings)
    assert security["security_protocol"] == "SASL_SSL" and security["sasl_mechanism"] == "SCRAM-SHA-256"
    context = security["ssl_context"]
    assert isinstance(context, ssl.SSLContext) and context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert len(context.get_ca_certs()) == 1  # the given CA, not the system's
    broker = kafka.broker_security(settings)
    assert isinstance(broker, SASLScram256) and broker.use_ssl and broker.ssl_context is not None


@pytest.mark.parametrize(("overrides", "named"), [
    ({"kafka_security_protocol": "SASL_PLAINTEXT"}, "OCOP_KAFKA_SASL_USERNAME is required"),
    ({"kafka_security_protocol": "SASL_SSL", "kafka_sasl_username": "rating"}, "OCOP_KAFKA_SASL_PASSWORD is required"),
    ({"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_sasl_username": "  ", "kafka_sasl_password": "x"},
     "OCOP_KAFKA_SASL_USERNAME is required"),
    ({"kafka_sasl_username": "rating"}, "OCOP_KAFKA_SASL_USERNAME is set but OCOP_KAFKA_SECURITY_PROTOCOL is PLAINTEXT"),
    ({"kafka_sasl_password": "x"}, "OCOP_KAFKA_SASL_PASSWORD is set but OCOP_KAFKA_SECURITY_PROTOCOL is PLAINTEXT"),
    (SASL | {"kafka_ssl_cafile": "/etc/hosts"}, "OCOP_KAFKA_SSL_CAFILE is set but OCOP_KAFKA_SECURITY_PROTOCOL is SASL_PLAINTEXT"),
    (SASL | {"kafka_security_protocol": "SASL_SSL", "kafka_ssl_cafile": "/no/such/ca.pem"},
     "OCOP_KAFKA_SSL_CAFILE '/no/such/ca.pem' is not a readable file"),
])
def test_combinations_that_cannot_work_are_refused_naming_the_setting(overrides: dict[str, Any], named: str) -> None:
    with pytest.raises(ValidationError, match=named):
        service_settings("rating", **overrides)


def test_a_service_refuses_to_start_with_a_clear_line_and_no_password() -> None:
    env = {"OCOP_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "OCOP_KAFKA_SASL_USERNAME": "rating",
           "PATH": "/usr/bin:/bin", "OCOP_KAFKA_SASL_MECHANISM": "SCRAM-SHA-1"}
    done = subprocess.run([sys.executable, "-m", "ocop.cli", "serve", "rating"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "ocop serve rating: invalid settings: OCOP_KAFKA_SASL_MECHANISM: Input should be 'SCRAM-SHA-512', "
        "'SCRAM-SHA-256' or 'PLAIN'")
    env |= {"OCOP_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512", "OCOP_KAFKA_SASL_PASSWORD": ""}
    done = subprocess.run([sys.executable, "-m", "ocop.cli", "serve", "rating"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.stderr.strip().splitlines()[-1] == (
        "ocop serve rating: invalid settings: OCOP_KAFKA_SASL_PASSWORD is required when "
        "OCOP_KAFKA_SECURITY_PROTOCOL is SASL_SSL")


def _one_ca_certificate() -> str:
    """The first certificate of certifi's bundle (httpx's dependency): a real CA, in PEM."""
    import certifi

    text = open(certifi.where(), encoding="ascii").read()
    end = "-----END CERTIFICATE-----"
    return text[text.index("-----BEGIN CERTIFICATE-----"):text.index(end) + len(end)] + "\n"


class Recorder:
    """Stands for a client class: remembers the keyword arguments it was built with, connects to nothing."""

    made: list[dict[str, Any]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        type(self).made.append(kwargs)
        raise _Built


class _Built(Exception):
    pass


def _recorder() -> type[Recorder]:
    return type("Made", (Recorder,), {"made": []})


async def test_every_client_of_a_service_gets_the_same_credentials(monkeypatch) -> None:
    settings = service_settings("monitoring", **SASL | {"kafka_sasl_username": "monitoring"})
    wanted = kafka.client_security(settings)
    # faststream's broker (its subscribers' consumers and its producer) and the relay's producer.
    broker = kafka.make_broker(settings, client_id="ocop-monitoring")
    consumers = broker.config.broker_config.builder.keywords  # what faststream builds each subscriber's consumer with
    assert {k: consumers[k] for k in wanted} == wanted
    producer = kafka.make_producer(settings, client_id="ocop-monitoring-relay")
    assert (producer.client._security_protocol, producer.client._sasl_mechanism,
            producer.client._sasl_plain_username, producer.client._sasl_plain_password) == (
        "SASL_PLAINTEXT", "SCRAM-SHA-512", "monitoring", "rating-secret")
    # kafka-python's admin clients: the kernel's (topics, cluster id, broker view, lag) and monitoring's health page.
    admin = _recorder()
    monkeypatch.setattr(kafka, "KafkaAdminClient", admin)
    monkeypatch.setattr(broker_lag, "KafkaAdminClient", admin)
    for call in (lambda: kafka.ensure_topics("k:9092", ["t"], partitions=6, security=wanted),
                 lambda: kafka.cluster_id("k:9092", security=wanted),
                 lambda: kafka.broker_view("k:9092", ["t"], security=wanted),
                 lambda: kafka.consumer_lag("k:9092", "g", ["t"], security=wanted),
                 lambda: broker_lag.group_offsets("k:9092", security=wanted)):
        with pytest.raises(_Built):
            call()
    assert len(admin.made) == 5 and all({k: made[k] for k in wanted} == wanted for made in admin.made)
    # monitoring's reader of the first record a group has not consumed (aiokafka, no group).
    reader = _recorder()
    monkeypatch.setattr(broker_lag, "AIOKafkaConsumer", reader)
    with pytest.raises(_Built):
        await broker_lag.first_record_timestamps("k:9092", [("t", 0, 5)], 1.0, security=wanted)
    assert {k: reader.made[0][k] for k in wanted} == wanted


def test_the_launcher_keeps_plaintext_for_the_embedded_broker_and_passes_sasl_to_another(monkeypatch) -> None:
    sasl_env = {"OCOP_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "OCOP_KAFKA_SASL_USERNAME": "admin",
                "OCOP_KAFKA_SASL_PASSWORD": "admin-secret"}
    embedded = Launcher(env=dict(sasl_env), services=("rating",))
    embedded.broker, embedded.bootstrap_servers, embedded.database_url = object(), "127.0.0.1:9092", "postgresql://x"
    assert embedded.kafka_security() == {}
    env = embedded.service_env("rating", 8002)
    assert env["OCOP_KAFKA_SECURITY_PROTOCOL"] == "PLAINTEXT"
    assert "OCOP_KAFKA_SASL_USERNAME" not in env and "OCOP_KAFKA_SASL_PASSWORD" not in env

    external = Launcher(env=dict(sasl_env), services=("rating",))
    external.bootstrap_servers = "kafka:9092"
    assert external.kafka_security()["sasl_plain_username"] == "admin"
    assert external.service_env("rating", 8002)["OCOP_KAFKA_SASL_PASSWORD"] == "admin-secret"
    with pytest.raises(ValidationError, match="OCOP_KAFKA_SASL_PASSWORD is required"):
        Launcher(env={"OCOP_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "OCOP_KAFKA_SASL_USERNAME": "a"}).kafka_security()


def test_kernel_settings_read_the_security_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("OCOP_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("OCOP_KAFKA_SASL_USERNAME", "registration")
    monkeypatch.setenv("OCOP_KAFKA_SASL_PASSWORD", "s3cret")
    settings = KernelSettings()
    assert kafka.client_security(settings)["sasl_plain_username"] == "registration"
    assert settings.kafka_sasl_password is not None and settings.kafka_sasl_password.get_secret_value() == "s3cret"
