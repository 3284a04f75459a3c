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


def test_the_document_states_the_rules_of_councils_decisions_and_product_lists():
    """What the service refuses, the document refuses too: a district council names a known district and the other
    levels none; a recognition names its session and no products, the other kinds their products; a list of products
    names each once; a product set is one of the catalogue's."""
    from services.rating.adapters.places import load_places
    from services.rating.domain.catalogue import load_catalogue
    from services.rating.entrypoints import schemas

    document = create_app(definition).openapi()
    bodies = document["components"]["schemas"]
    council = bodies["CouncilBody"]
    assert [b["properties"]["level"] for b in council["oneOf"]] == [
        {"const": "district"}, {"enum": ["provincial", "central"]}]
    district = council["properties"]["district_code"]["anyOf"][0]
    assert district["enum"] == sorted(load_places().districts) and "000" not in district["enum"]
    assert [b["properties"]["kind"] for b in bodies["DecisionRecordBody"]["oneOf"]] == [
        {"const": "recognition"}, {"enum": ["revocation", "re_rating", "warning"]}]
    assert bodies["SessionBody"]["properties"]["product_ids"]["uniqueItems"] is True
    assert bodies["ProductsBody"]["properties"]["product_ids"]["uniqueItems"] is True
    sets = sorted(load_catalogue().product_sets)
    assert (schemas.FIRST_SET, schemas.LAST_SET) == (sets[0], sets[-1]) and len(sets) == sets[-1]
    [number] = document["paths"]["/catalogue/sheets/{product_set}"]["get"]["parameters"]
    assert (number["schema"]["minimum"], number["schema"]["maximum"]) == (1, 26)
    held_on = bodies["SessionBody"]["properties"]["held_on"]
    assert held_on["format"] == "date" and held_on["pattern"].startswith("^(20")
