"""HTTP routes (timeline, traces, pipeline health, dead letters, OTLP intake) and the timeline's subscription."""
