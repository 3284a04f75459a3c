"""The OpenAPI document says what the edge refuses for every route at once (see :mod:`shared.http.storable`).

Text that PostgreSQL cannot store (NUL) and integers beyond 64 bits are refused before a route's own validation, so
every free-text string a request can carry gets a pattern without NUL and every unbounded integer the 64-bit range:
a request the document allows is one the service takes, and a client generating requests from the document (a
schemathesis run, a generated client) learns the rule from it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from shared.http.storable import INT64_MAX, INT64_MIN

#: Any text without the NUL character (ECMA-262 and Python regular expressions alike).
NO_NUL = "^[^\\u0000]*$"
# A string with one of these already says what it holds (a date, an enumeration, a code pattern …).
_SPECIFIC = ("pattern", "format", "enum", "const")


def document_storable_input(app: FastAPI) -> None:
    """Make ``app.openapi()`` add the edge's storage rules to the document FastAPI generates (once, then cached)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            components = document.get("components", {}).get("schemas", {})
            inputs: list[Any] = []
            for operations in document.get("paths", {}).values():
                for operation in operations.values():
                    inputs += [parameter.get("schema", {}) for parameter in operation.get("parameters", ())]
                    inputs += [media.get("schema", {}) for media in
                               operation.get("requestBody", {}).get("content", {}).values()]
            for schema in [*inputs, *(components[name] for name in _referenced(inputs, components))]:
                _walk(schema)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _referenced(roots: list[Any], components: dict[str, Any]) -> set[str]:
    """The component schemas a request can reach through ``$ref`` (answers alone are left as they are)."""
    found: set[str] = set()
    pending = list(roots)
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in found and name in components:
                    found.add(name)
                    pending.append(components[name])
            pending += node.values()
        elif isinstance(node, list):
            pending += node
    return found


def _walk(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not any(key in node for key in _SPECIFIC):
        node["pattern"] = NO_NUL
    elif node.get("type") == "integer":
        node.setdefault("minimum", INT64_MIN)
        node.setdefault("maximum", INT64_MAX)
    for key, value in node.items():
        if key not in ("example", "examples", "default", "const", "enum"):
            _walk(value)
