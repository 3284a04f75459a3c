"""Errors of the monitoring domain: each names the field that was wrong and states the rule it broke.

The API maps each class to one status; ``field`` is a dotted path into the request (``findings[2].severity``,
``inspections[1].inspected_on``) or, for reference data, the entry of the file (``district-units.editions[0]``).
"""

from __future__ import annotations

from shared.errors import DomainError


class MonitoringError(DomainError):
    """Base of monitoring's refusals."""


class ReferenceDataError(MonitoringError):
    """Reference data (đơn vị hành chính, hạn báo cáo, chỉ tiêu) that does not add up: refused at load, never at use."""


class InvalidInput(MonitoringError):
    """A value breaks a rule on its own (422): an unknown area or severity, an empty list, a department code that is
    not an id."""


class NotKnown(MonitoringError):
    """The reference data holds nothing for what was named (404): no district-level units, report deadlines or
    programme targets for the plan year, a unit or report kind the year does not have. The request's shape was right;
    the answer depends on the reference (and on what was set at run time), which the schema cannot know."""


class OutOfOrder(MonitoringError):
    """A date out of order with what is recorded or with today (409): an inspection before its plan, a report amended
    before it was filed, anything dated after today. The same date is right in another state, or on another day."""


class NotAllowed(MonitoringError):
    """The step does not fit the state it is asked of (409): a product that holds no certificate, a product not on
    the plan, a decision for an inspection that passed or whose follow-up closed otherwise."""


class AlreadyRecorded(MonitoringError):
    """What may happen once happened already, differently (409): a product inspected twice under one plan, a report
    filed with another document (amend it instead)."""
