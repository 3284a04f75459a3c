"""The kernel tests' tracer provider is the session's (``tests/conftest.py``: ``tracer_provider``, ``spans``)."""
