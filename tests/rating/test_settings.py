"""The [U]/[POLICY] rules are settings: environment → RatingPolicy and catalogue through the bootstrap, and the daily
expiry check's clock."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, time, timezone
from fractions import Fraction

import pytest
from pydantic import ValidationError

from services.rating.bootstrap import bootstrap
from services.rating.config import RatingSettings
from services.rating.domain.catalogue import SHIPPED
from services.rating.domain.errors import CatalogueError
from services.rating.entrypoints.schedule import seconds_until


def test_defaults_are_the_ones_the_rules_recommend():
    policy = RatingSettings(_env_file=None).policy()
    assert (policy.quorum, policy.max_spread, policy.certificate_months, policy.month_end_rule) == (Fraction(3, 4), 10, 36, "clamp")
    assert policy.certify_first_time_90_at_province is False and policy.chair_required is True
    assert policy.renewal_window_days == 180


def test_every_policy_setting_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("OCOP_RATING_QUORUM", "2/3")
    monkeypatch.setenv("OCOP_RATING_SPREAD_CHECK_ENABLED", "false")
    monkeypatch.setenv("OCOP_RATING_CERTIFY_FIRST_TIME_90_AT_PROVINCE", "true")
    monkeypatch.setenv("OCOP_RATING_MONTH_END_RULE", "roll_forward")
    monkeypatch.setenv("OCOP_RATING_EXPIRY_CHECK_AT", "")
    monkeypatch.setenv("OCOP_RATING_RENEWAL_WINDOW_DAYS", "0")
    settings = RatingSettings()
    policy = settings.policy()
    assert policy.quorum == Fraction(2, 3) and not policy.spread_check_enabled
    assert policy.certify_first_time_90_at_province and policy.month_end_rule == "roll_forward"
    assert settings.expiry_time is None and policy.renewal_window_days == 0


def test_a_setting_outside_its_rule_is_refused_naming_it(monkeypatch):
    monkeypatch.setenv("OCOP_RATING_MONTH_END_RULE", "round")
    with pytest.raises(ValueError, match="month_end_rule"):
        RatingSettings().policy()
    monkeypatch.setenv("OCOP_RATING_EXPIRY_CHECK_AT", "25:00")
    with pytest.raises(ValidationError, match="expiry_check_at"):
        RatingSettings()


def test_the_daily_check_waits_for_the_next_local_half_past_midnight():
    # 17:00 UTC is 00:00 in Asia/Ho_Chi_Minh: the check runs 30 minutes later.
    assert seconds_until(time(0, 30), datetime(2022, 12, 23, 17, 0, tzinfo=timezone.utc)) == 30 * 60
    # Just after the run, the next one is a day later.
    assert seconds_until(time(0, 30), datetime(2022, 12, 23, 17, 31, tzinfo=timezone.utc)) == 24 * 3600 - 60


def test_bootstrap_reads_the_policy_and_the_catalogue_from_the_environment(monkeypatch):
    monkeypatch.setenv("OCOP_RATING_QUORUM", "2/3")
    ports = bootstrap(lambda: None)
    assert ports.policy.quorum == Fraction(2, 3) and ports.settings.quorum == "2/3"
    assert ports.catalogue.regime == "1048+781" and ports.catalogue.levels.centre_recognises == {5}


def test_a_catalogue_that_does_not_add_up_stops_the_service_at_start(monkeypatch, tmp_path):
    broken = tmp_path / "1048+781"
    shutil.copytree(SHIPPED, broken)
    manifest = json.loads((broken / "catalogue.json").read_text(encoding="utf-8"))
    manifest["levels"]["centre_recognises"] = [4]
    (broken / "catalogue.json").write_text(json.dumps(manifest), encoding="utf-8")
    monkeypatch.setenv("OCOP_RATING_CATALOGUE", str(broken))
    with pytest.raises(CatalogueError) as refused:
        bootstrap(lambda: None)
    assert refused.value.field == "levels"
