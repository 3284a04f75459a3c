"""The OpenAPI document states the rules the service enforces, so a request it allows is one the service takes:
known district and commune codes (and which commune is in which district), product sets 1–26 with their sectors and
groups, form 01 or 02 with or without the product it registers again, text that is not blank."""

from __future__ import annotations

import re
from typing import Any

from services.registration.adapters.reference import load_geography
from services.registration.domain.catalogue import PRODUCT_SETS
from services.registration.service import definition
from shared.http.app import create_app

DOCUMENT = create_app(definition).openapi()
BODIES = DOCUMENT["components"]["schemas"]


def _parameter(path: str, method: str, name: str) -> dict[str, Any]:
    [found] = [p for p in DOCUMENT["paths"][path][method]["parameters"] if p["name"] == name]
    return found["schema"]


def test_district_codes_are_the_known_ones_in_paths_queries_and_bodies():
    known = sorted(load_geography().districts)
    assert len(known) == 27 and "000" not in known
    assert _parameter("/reference/districts/{district_code}/communes", "get", "district_code")["enum"] == known
    assert _parameter("/districts/{district_code}/lists", "post", "district_code")["enum"] == known
    assert _parameter("/registrations", "get", "district_code")["anyOf"][0]["enum"] == known
    assert BODIES["ProducerBody"]["properties"]["district_code"]["enum"] == known


def test_a_producers_commune_is_one_of_its_districts():
    geography = load_geography()
    branches = {b["properties"]["district_code"]["const"]: b["properties"]["commune_code"]["enum"]
                for b in BODIES["ProducerBody"]["oneOf"]}
    assert branches == {code: sorted(d.communes) for code, d in geography.districts.items()}


def test_a_product_set_is_one_of_26_and_decides_its_sector_and_group():
    product = BODIES["ProductBody"]
    assert (product["properties"]["product_set"]["minimum"], product["properties"]["product_set"]["maximum"]) == (1, 26)
    eight = next(b["properties"] for b in product["oneOf"] if b["properties"]["product_set"]["const"] == 8)
    assert eight["sector"]["enum"] == [PRODUCT_SETS[8].sector, None]
    assert eight["group"]["enum"] == [PRODUCT_SETS[8].group, None]


def test_form_02_and_only_form_02_names_exactly_one_reference_to_the_product():
    form = BODIES["RegistrationBody"]["oneOf"]
    assert [b["properties"]["form"]["const"] for b in form] == ["01", "02"]
    assert form[0]["properties"]["existing_product"] == {"type": "null"}
    assert form[1]["required"] == ["existing_product"]
    assert sorted(b["required"][0] for b in BODIES["ExistingProductBody"]["oneOf"]) == [
        "certificate_number", "product_id"]


def test_text_that_must_not_be_blank_says_so_with_its_pattern():
    name = re.compile(BODIES["ProductBody"]["properties"]["name"]["pattern"])
    assert name.search("Nem chua") and not name.search("   ") and not name.search("\u0085\t")
    reasons = re.compile(BODIES["ReturnBody"]["properties"]["reasons"]["items"]["pattern"])
    assert reasons.search("thiếu nhãn") and not reasons.search(" \u3000 ")
