"""The pure part of audit and operations: the audit trail of a product, a dead letter's re-drive, the alert rules."""
