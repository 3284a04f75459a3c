"""What the routes of audit and operations are given, built from the running service: its pool, broker, settings
and the ports its bootstrap made. The part's own settings are read once per app (kept on ``app.state``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Request

from services.monitoring.operations.adapters.pipeline import PipelineProbe
from services.monitoring.operations.adapters.republish import BrokerPublisher
from services.monitoring.operations.adapters.service_tables import ServiceTables
from services.monitoring.operations.application.ports import RedrivePorts
from services.monitoring.operations.config import OperationsSettings
from shared.http.app import ports_of, runtime_of
from shared.kafka import client_security


def settings_of(request: Request) -> OperationsSettings:
    return app_settings(request.app)


def app_settings(app: Any) -> OperationsSettings:
    state = app.state
    if getattr(state, "operations_settings", None) is None:
        state.operations_settings = OperationsSettings()
    return state.operations_settings


def service_tables(request: Request) -> ServiceTables:
    runtime = runtime_of(request)
    return ServiceTables(runtime.pool, runtime.settings.database_url)


def pipeline_probe(request: Request) -> PipelineProbe:
    runtime = runtime_of(request)
    return PipelineProbe(runtime.pool, service_tables(request), runtime.settings.kafka_bootstrap_servers,
                         settings_of(request).broker_timeout_seconds, security=client_security(runtime.settings))


def redrive_ports(request: Request) -> RedrivePorts:
    ports = ports_of(request)
    return RedrivePorts(uow=ports.uow, clock=ports.clock, dead_letters=service_tables(request),
                        publish=BrokerPublisher(runtime_of(request).broker),
                        lease=timedelta(seconds=settings_of(request).redrive_lease_seconds))
