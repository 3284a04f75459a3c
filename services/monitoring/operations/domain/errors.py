"""Refusals of audit and operations: each names the field at fault and the rule it broke."""

from __future__ import annotations

from shared.errors import DomainError


class OperationsError(DomainError):
    """Base of the refusals of audit and operations."""


class AlreadyRedriven(OperationsError):
    """A dead letter is published again once (409): its re-drive was confirmed already, by whom and when is said."""


class NotRedrivable(OperationsError):
    """The dead letter cannot go back to its topic (409): its record is not an event of that topic, or it has not
    reached the dead-letter topic yet."""


class TraceRejected(OperationsError):
    """An OTLP export that cannot be read (400 for OTLP/HTTP clients): the body is not an ExportTraceServiceRequest."""


class RedriveInProgress(OperationsError):
    """Another request of the same re-drive awaits its outcome (409): asked again too soon, it would publish twice."""
