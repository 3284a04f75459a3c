"""Handlers of audit and operations (hearing a public event, re-driving a dead letter), translators, ports."""
