"""Settings read from the environment (prefix ``OCOP_``), with defaults that work on the embedded run."""

from __future__ import annotations

import os
from enum import Enum
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.contracts.roles import Role
from shared.contracts.topics import TOPIC_PARTITIONS, TOPIC_REPLICATION_FACTOR

SERVICES: tuple[str, ...] = ("registration", "rating", "finance", "monitoring")
DEFAULT_PORTS: dict[str, int] = {"registration": 8001, "rating": 8002, "finance": 8003, "monitoring": 8004}


KafkaSecurityProtocol = Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"]
KafkaSaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"]

LogLevel = Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], BeforeValidator(
    lambda value: value.upper() if isinstance(value, str) else value)]


class KernelSettings(BaseSettings):
    """What every service shares: broker, database, auth, telemetry."""

    model_config = SettingsConfigDict(env_prefix="OCOP_", extra="ignore")

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Tansu cannot do InitProducerId, so idempotence is off by default and on in docker-compose (Apache Kafka).
    kafka_idempotence: bool = False
    kafka_partitions: int = Field(default=TOPIC_PARTITIONS, ge=1)
    kafka_replication_factor: int = Field(default=TOPIC_REPLICATION_FACTOR, ge=1)
    kafka_request_timeout_ms: int = Field(default=15_000, ge=1000)
    kafka_fetch_max_wait_ms: int = Field(default=20, ge=0)
    # How every Kafka client of the process authenticates (shared.kafka.client_security, broker_security). PLAINTEXT
    # with no credentials by default: the embedded Tansu broker has no SASL. docker-compose and Kubernetes run Apache
    # Kafka with SASL/SCRAM, each service as its own principal (deploy/README.md).
    kafka_security_protocol: KafkaSecurityProtocol = "PLAINTEXT"
    kafka_sasl_mechanism: KafkaSaslMechanism = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    # PEM file of the CA that signed the brokers' certificates (SASL_SSL); the system's CAs when unset.
    kafka_ssl_cafile: str | None = None

    # The embedded cluster of `make run`; point it elsewhere with OCOP_DATABASE_URL.
    database_url: str = "postgresql://postgres@127.0.0.1:55432/ocop"
    database_pool_min: int = Field(default=1, ge=0)
    database_pool_max: int = Field(default=10, ge=1)

    jwt_secret: str = "ocop-development-secret-change-me"
    jwt_algorithm: str = "HS256"
    jwt_public_key: str | None = None
    jwt_private_key: str | None = None
    jwt_issuer: str = "ocop"
    jwt_audience: str = "ocop"
    # The programme's role vocabulary: auth reads role claims with it and asks each role where it acts. Not from
    # the environment; the kernel names no role itself (see shared.auth.actor.RoleVocabulary).
    roles: type[Enum] = Field(default=Role, exclude=True)

    max_request_bytes: int = Field(default=256 * 1024, ge=1024)

    # Our own lines (one per request and per event at INFO; WARNING quiets them) and the libraries' (aiokafka is
    # chatty at INFO); OCOP_LOG_JSON=false writes lines for people at a terminal instead of JSON.
    log_level: LogLevel = "INFO"
    library_log_level: LogLevel = "WARNING"
    log_json: bool = True
    trace_sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)

    relay_batch_size: int = Field(default=500, ge=1)
    relay_poll_seconds: float = Field(default=1.0, gt=0)
    # How often the relay asks the broker for its cluster id and end offsets (besides every reconnect and failed
    # publish): a new cluster, or offsets below what the broker acknowledged, mean it lost events.
    relay_broker_check_seconds: float = Field(default=3.0, gt=0)
    # Published outbox rows and inbox rows are pruned once older than this (the store keeps every fact; a lost broker
    # log is refilled from the store, not from the outbox). The inbox must outlive any redelivery the broker may make:
    # its retention stays above the topics' (Kafka's default is 7 days). Checked every prune_every_seconds.
    outbox_retention_days: float = Field(default=7.0, gt=0)
    inbox_retention_days: float = Field(default=30.0, gt=0)
    prune_every_seconds: float = Field(default=3600.0, gt=0)
    consumer_max_retries: int = Field(default=3, ge=0)
    consumer_retry_backoff_seconds: float = Field(default=0.2, ge=0)
    consumer_batch_size: int = Field(default=500, ge=1)
    # aiokafka retries some failed commits for ever (a topic the broker no longer has): a commit gives up after this
    # long, and the consumer checks its topics (the records not committed come again).
    consumer_commit_timeout_seconds: float = Field(default=5.0, gt=0)
    # A consumer that does not poll for this long leaves its group; retries never run in the poll loop.
    kafka_max_poll_interval_ms: int = Field(default=300_000, ge=1000)
    # How long each step of a shutdown (background tasks, broker clients, database pool) may take before it is forced.
    shutdown_step_seconds: float = Field(default=10.0, gt=0)
    # An HTTP request hit by a lost database connection runs again (nothing of it was committed), this many times in
    # all; then it answers 503 with Retry-After. A free pool connection is awaited at most this long (then: lost).
    http_attempts: int = Field(default=3, ge=1)
    http_retry_after_seconds: int = Field(default=1, ge=0)
    database_acquire_timeout_seconds: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _kafka_security_fits(self) -> KernelSettings:
        if problem := kafka_security_problem(self):
            raise ValueError(problem)
        return self


def kafka_security_problem(settings: KernelSettings) -> str | None:
    """What is wrong with the Kafka security settings taken together, naming the variables; None when they fit."""
    protocol = settings.kafka_security_protocol
    password = settings.kafka_sasl_password.get_secret_value() if settings.kafka_sasl_password else ""
    given = {"OCOP_KAFKA_SASL_USERNAME": bool(settings.kafka_sasl_username and settings.kafka_sasl_username.strip()),
             "OCOP_KAFKA_SASL_PASSWORD": bool(password)}
    if protocol.startswith("SASL_"):
        for name, present in given.items():
            if not present:
                return f"{name} is required when OCOP_KAFKA_SECURITY_PROTOCOL is {protocol}"
    else:
        for name, present in given.items():
            if present:
                return (f"{name} is set but OCOP_KAFKA_SECURITY_PROTOCOL is {protocol}, which sends no credentials: "
                        "set OCOP_KAFKA_SECURITY_PROTOCOL to SASL_PLAINTEXT or SASL_SSL")
    if settings.kafka_ssl_cafile is not None:
        if protocol != "SASL_SSL":
            return f"OCOP_KAFKA_SSL_CAFILE is set but OCOP_KAFKA_SECURITY_PROTOCOL is {protocol}, not SASL_SSL"
        if not os.path.isfile(settings.kafka_ssl_cafile):
            return f"OCOP_KAFKA_SSL_CAFILE {settings.kafka_ssl_cafile!r} is not a readable file"
    return None


class ServiceSettings(KernelSettings):
    """Settings of one service: its name picks ``OCOP_<SERVICE>_DATABASE_URL`` and ``OCOP_<SERVICE>_PORT``."""

    service: str
    host: str = "127.0.0.1"
    port: int = 0

    @property
    def schema(self) -> str:
        return self.service

    @property
    def dead_letter_topic(self) -> str:
        return f"ocop.dlq.{self.service}"

    @property
    def consumer_group(self) -> str:
        return f"ocop-{self.service}"


def service_settings(service: str, **overrides: object) -> ServiceSettings:
    """Build one service's settings; per-service variables win over the shared ones."""
    prefix = f"OCOP_{service.upper()}_"
    values: dict[str, object] = {"service": service, "port": DEFAULT_PORTS.get(service, 0)}
    if url := os.environ.get(prefix + "DATABASE_URL"):
        values["database_url"] = url
    if port := os.environ.get(prefix + "PORT"):
        values["port"] = int(port)
    values.update(overrides)
    return ServiceSettings(**values)  # type: ignore[arg-type]

