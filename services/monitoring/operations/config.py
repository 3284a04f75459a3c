"""Settings of monitoring's audit and operations part (``OCOP_MONITORING_*``): alert thresholds and the trace store.

Read when the part starts (``bootstrap.start``) or when a route first needs them, never at import time.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.monitoring.operations.domain.health import Thresholds


class OperationsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OCOP_MONITORING_", extra="ignore")

    alert_lag_messages: int = Field(default=1000, ge=0, description="consumer group lag (messages) that alerts")
    alert_lag_seconds: float = Field(default=300.0, ge=0, description="age of a group's oldest unconsumed record that alerts")
    alert_outbox_age_seconds: float = Field(default=60.0, ge=0, description="age of a service's oldest unpublished event that alerts")
    alert_dead_letters: int = Field(default=0, ge=0, description="dead letters not re-driven, per service, above which it alerts")
    # A re-drive whose outcome is not known (the process stopped while publishing) may be asked again after this.
    redrive_lease_seconds: float = Field(default=60.0, gt=0)
    broker_timeout_seconds: float = Field(default=5.0, gt=0, description="longest wait for the broker's answers on the health page")
    # The span store: spans posted over OTLP/HTTP and monitoring's own are kept this long.
    trace_retention_days: float = Field(default=3.0, gt=0)
    trace_prune_every_seconds: float = Field(default=600.0, gt=0)
    # Monitoring's own spans reach the store in process (it cannot export to itself over HTTP without tracing that
    # export in turn); off when an external collector gets them.
    trace_store_own_spans: bool = True
    # A database query outside any flow (a relay's poll) is a trace of one span: dropped unless asked for.
    trace_keep_lone_database_spans: bool = False
    # Where a trace opens in an external UI, e.g. http://localhost:16686/trace/{trace_id} (Jaeger); empty: none.
    trace_link: str = ""

    def thresholds(self) -> Thresholds:
        return Thresholds(lag_messages=self.alert_lag_messages, lag_seconds=self.alert_lag_seconds,
                          outbox_age_seconds=self.alert_outbox_age_seconds, dead_letters=self.alert_dead_letters)
