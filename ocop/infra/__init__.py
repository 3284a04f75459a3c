"""Embedded infrastructure for local runs and tests: PostgreSQL and the Tansu broker."""

from ocop.infra.broker import BrokerError, TansuBroker
from shared.kafka import cluster_id, ensure_topics
from ocop.infra.pgenv import PostgresError, find_pg_bindir
from ocop.infra.ports import free_port, port_accepts, port_is_free, wait_for_port, wait_until
from ocop.infra.postgres import EmbeddedPostgres, resolve_database_url

__all__ = [
    "BrokerError",
    "EmbeddedPostgres",
    "PostgresError",
    "TansuBroker",
    "cluster_id",
    "ensure_topics",
    "find_pg_bindir",
    "free_port",
    "port_accepts",
    "port_is_free",
    "resolve_database_url",
    "wait_for_port",
    "wait_until",
]
