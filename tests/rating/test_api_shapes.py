"""Every rating route answers a documented shape: OpenAPI names a schema for each success response, so no route can
serve a stored event or a raw row unseen."""

from __future__ import annotations

from services.rating.entrypoints import api, decisions_api
from services.rating.service import definition
from shared.http.app import create_app


def _named(schema: dict) -> bool:
    return "$ref" in schema or (schema.get("type") == "array" and "$ref" in schema.get("items", {}))


def test_every_rating_route_declares_the_schema_of_its_success_answer():
    paths = create_app(definition).openapi()["paths"]
    routes = [route for router in (api.router, decisions_api.router) for route in router.routes]
    ours = {(route.path_format, method.lower()) for route in routes for method in route.methods}
    undocumented = [
        f"{method.upper()} {path} {code}"
        for path, method in sorted(ours)
        for code, response in paths[path][method]["responses"].items()
        if code.startswith("2") and not _named(response["content"]["application/json"]["schema"])
    ]
    assert ours and undocumented == []


def test_the_results_table_is_also_documented_as_text_and_html():
    results = create_app(definition).openapi()["paths"]["/sessions/{session_id}/results"]["get"]["responses"]["200"]
    assert set(results["content"]) == {"application/json", "text/plain", "text/html"}
