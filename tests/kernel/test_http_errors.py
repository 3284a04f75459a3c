"""Starlette's and FastAPI's own refusals, and what escapes every handler, answer the one documented error body."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from shared.http.errors import install_error_handlers
from shared.http.openapi import NO_NUL, document_storable_input


class Note(BaseModel):
    text: str
    count: int


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/notes")
    async def list_notes() -> list[str]:
        return []

    @app.post("/notes")
    async def add_note(note: Note) -> Note:
        return note

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    install_error_handlers(app, {})
    document_storable_input(app)
    return app


@pytest.fixture
async def client():
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_a_method_the_path_does_not_serve_is_405_naming_every_method_it_does(client):
    answer = await client.request("OPTIONS", "/notes")
    assert answer.status_code == 405 and answer.headers["allow"] == "GET, POST"
    assert answer.json()["detail"]["error"] == "method_not_allowed"


async def test_an_unknown_path_is_404_in_the_error_body(client):
    answer = await client.get("/nothing/here")
    assert answer.status_code == 404 and answer.json()["detail"]["error"] == "not_found"


async def test_a_body_that_is_not_even_text_is_422_naming_the_body(client):
    answer = await client.post("/notes", content=b"\x19\xff\x0e", headers={"content-type": "application/json"})
    assert answer.status_code == 422
    assert (answer.json()["detail"]["error"], answer.json()["detail"]["field"]) == ("invalid_request", "body")


async def test_an_unexpected_error_is_a_json_500_with_a_reference(client):
    answer = await client.get("/boom")
    assert answer.status_code == 500 and answer.headers["content-type"] == "application/json"
    assert answer.json()["detail"]["error"] == "internal" and "reference" in answer.json()["detail"]["message"]


def test_the_document_tells_request_text_has_no_nul_and_integers_fit_64_bits():
    note = _app().openapi()["components"]["schemas"]["Note"]["properties"]
    assert note["text"]["pattern"] == NO_NUL
    assert (note["count"]["minimum"], note["count"]["maximum"]) == (-(2**63), 2**63 - 1)
