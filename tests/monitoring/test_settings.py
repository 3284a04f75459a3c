"""``OCOP_MONITORING_*`` become the policy the domain is handed; a policy or reference folder that does not add up
stops the service at start (bootstrap), never at first use."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from services.monitoring.bootstrap import bootstrap
from services.monitoring.config import MonitoringSettings
from services.monitoring.domain.errors import ReferenceDataError
from services.monitoring.domain.policy import DEFAULT_POLICY


def test_the_defaults_are_the_rules_file_s_readings():
    assert MonitoringSettings().policy() == DEFAULT_POLICY


def test_each_setting_reaches_the_policy(monkeypatch):
    monkeypatch.setenv("OCOP_MONITORING_REPORT_DEADLINE_INCLUSIVE", "true")
    monkeypatch.setenv("OCOP_MONITORING_FOLLOW_UP_OVERDUE_DAYS", "60")
    monkeypatch.setenv("OCOP_MONITORING_ACTION_BY_SEVERITY", "minor=pass, major=warning, critical=revocation")
    monkeypatch.setenv("OCOP_MONITORING_EVIDENCE_REQUIRED", "false")
    policy = MonitoringSettings().policy()
    assert policy.report_deadline_inclusive and not policy.evidence_required
    assert policy.follow_up_overdue_days == 60
    assert dict(policy.action_by_severity) == {"minor": "pass", "major": "warning", "critical": "revocation"}


@pytest.mark.parametrize("actions", ["minor=revocation,major=downgrade,critical=warning",
                                     "minor=warning,major=downgrade", "minor=warning,major=downgrade,critical=jail"])
def test_a_severity_table_that_does_not_add_up_stops_the_service_at_start(monkeypatch, actions):
    monkeypatch.setenv("OCOP_MONITORING_ACTION_BY_SEVERITY", actions)
    with pytest.raises(ValueError):
        bootstrap(lambda: None)


def test_malformed_settings_are_refused_naming_the_setting(monkeypatch):
    monkeypatch.setenv("OCOP_MONITORING_ACTION_BY_SEVERITY", "minor: warning")
    with pytest.raises(ValidationError, match="action_by_severity"):
        MonitoringSettings()
    monkeypatch.setenv("OCOP_MONITORING_ACTION_BY_SEVERITY", "minor=warning,major=downgrade,critical=revocation")
    monkeypatch.setenv("OCOP_MONITORING_FOLLOW_UP_OVERDUE_DAYS", "-1")
    with pytest.raises(ValidationError, match="follow_up_overdue_days"):
        MonitoringSettings()


def test_a_reference_folder_that_does_not_add_up_stops_the_service_at_start(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("OCOP_MONITORING_REFERENCE", str(tmp_path))
    for name in ("district-units", "report-deadlines", "programme-targets"):
        (tmp_path / f"{name}.json").write_text('{"format": "wrong"}', encoding="utf-8")
    with pytest.raises(ReferenceDataError):
        bootstrap(lambda: None)
