"""The pure part of audit and operations: the audit entry of each public event heard, a dead letter's re-drive, the alert rules."""
