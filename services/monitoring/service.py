"""The monitoring service. Its domain arrives with its own issue; until then it runs the kernel only."""

from shared.runtime import ServiceDefinition

definition = ServiceDefinition(name="monitoring")
