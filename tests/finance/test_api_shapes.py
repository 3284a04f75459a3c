"""Every finance route answers a documented shape and documents its errors: OpenAPI names a schema for each success
response, and every route lists the error answers of the project (401, 403, 404, 409, 413, 422, 500, 503)."""

from __future__ import annotations

import pytest

from services.finance.entrypoints import api, api_rewards, api_support
from services.finance.service import definition
from shared.http.app import create_app

ROUTERS = (api.router, api_rewards.router, api_support.router)


@pytest.fixture(scope="module")
def paths() -> dict:
    return create_app(definition).openapi()["paths"]


def _named(schema: dict) -> bool:
    return "$ref" in schema or (schema.get("type") == "array" and "$ref" in schema.get("items", {}))


def _ours() -> set[tuple[str, str]]:
    return {(route.path_format, method.lower()) for router in ROUTERS for route in router.routes
            for method in route.methods}


def test_every_finance_route_declares_the_schema_of_its_success_answer(paths):
    undocumented = [
        f"{method.upper()} {path} {code}"
        for path, method in sorted(_ours())
        for code, response in paths[path][method]["responses"].items()
        if code.startswith("2") and not _named(response["content"]["application/json"]["schema"])
    ]
    assert len(_ours()) >= 30 and undocumented == []


def test_every_finance_route_documents_the_error_answers(paths):
    missing = [f"{method.upper()} {path}" for path, method in sorted(_ours())
               if not {"401", "403", "404", "409", "413", "422", "500", "503"} <= set(paths[path][method]["responses"])]
    assert missing == []


def test_the_round_summary_is_also_documented_as_text(paths):
    answer = paths["/rewards/round"]["get"]["responses"]["200"]
    assert set(answer["content"]) == {"application/json", "text/plain"}
