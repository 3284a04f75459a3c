"""The alert rules of pipeline health: each figure against its setting, each alert naming what passed what."""

from __future__ import annotations

import pytest

from services.monitoring.operations.adapters.broker_lag import GroupLag, PartitionLag, service_of
from services.monitoring.operations.domain.health import GroupFigures, ServiceFigures, Thresholds, alerts

LIMITS = Thresholds(lag_messages=100, lag_seconds=60, outbox_age_seconds=30, dead_letters=0)
QUIET = ServiceFigures("rating", outbox_pending=0, outbox_oldest_seconds=0, dead_letters_awaiting=0)


def test_a_quiet_pipeline_has_no_alert():
    assert alerts("ok", [QUIET], [GroupFigures("rating", "ocop-rating.x", 100, 60.0)], LIMITS) == ()


def test_lag_in_messages_and_in_seconds_alert_separately():
    found = alerts("ok", [], [GroupFigures("rating", "ocop-rating.x", 101, 61.0)], LIMITS)
    assert [(a.kind, a.subject, a.value) for a in found] == [("consumer_lag", "ocop-rating.x", 101),
                                                             ("consumer_delay", "ocop-rating.x", 61.0)]
    assert "101 messages behind" in found[0].message


def test_an_unknown_delay_does_not_alert():
    assert alerts("ok", [], [GroupFigures("rating", "ocop-rating.x", 5, None)], LIMITS) == ()


def test_an_old_unpublished_event_alerts_and_an_empty_outbox_never_does():
    stuck = ServiceFigures("finance", outbox_pending=3, outbox_oldest_seconds=31, dead_letters_awaiting=0)
    (alert,) = alerts("ok", [stuck], [], LIMITS)
    assert (alert.kind, alert.subject, alert.threshold) == ("outbox_age", "finance", 30)
    assert alerts("ok", [ServiceFigures("finance", 0, 31, 0)], [], LIMITS) == ()


def test_dead_letters_not_re_driven_alert_above_the_setting():
    waiting = ServiceFigures("monitoring", 0, 0, dead_letters_awaiting=2)
    assert [a.kind for a in alerts("ok", [waiting], [], LIMITS)] == ["dead_letters"]
    assert alerts("ok", [waiting], [], Thresholds(100, 60, 30, dead_letters=2)) == ()


def test_a_service_not_deployed_here_and_a_silent_broker():
    absent = ServiceFigures("finance", None, None, None)
    assert [a.kind for a in alerts("unreachable: timeout", [absent], [], LIMITS)] == ["broker"]


def test_thresholds_are_not_negative():
    with pytest.raises(ValueError):
        Thresholds(lag_messages=-1, lag_seconds=0, outbox_age_seconds=0, dead_letters=0)


def test_consumer_groups_are_the_services_by_name():
    assert service_of("ocop-rating.product-registered") == ("rating", "product-registered")
    assert service_of("someone-else") is None and service_of("ocop-nodot") is None


def test_a_group_is_as_far_behind_as_its_oldest_lagging_partition():
    parts = (PartitionLag("t", 0, 5, 5, 0, 0.0), PartitionLag("t", 1, 2, 9, 7, 12.5), PartitionLag("t", 2, None, 3, 3, 40.0))
    group = GroupLag("ocop-rating.x", "rating", "x", parts)
    assert (group.lag, group.seconds_behind) == (10, 40.0)
    assert parts[2].position == 0
    unknown = GroupLag("ocop-rating.x", "rating", "x", (PartitionLag("t", 0, 1, 4, 3, None),))
    assert unknown.seconds_behind is None
    assert GroupLag("ocop-rating.x", "rating", "x", (parts[0],)).seconds_behind == 0.0
