"""No address or query gives the console a 500: every GET page of the running console, as a province-wide reader
and as a district officer, with odd values in each path and query parameter it declares (what a fuzzer or a person
editing the address would send) answers a page (2xx/3xx) or a 4xx page naming the problem."""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx
import pytest
from fastapi.routing import APIRoute

from console.pages import PAGE_ROUTERS

ODD_VALUES = ("", "0", "-1", "99999999999999999999", "2021-02-30", "31/12/2021", "x" * 3000, "'; drop table x; --",
              "<script>alert(1)</script>", "Đồng Tiến ✓", "%00", "../../etc/passwd", "1e309", "null")


def _get_routes() -> list[APIRoute]:
    """Every GET route of every page (the sign-in link is left out: it signs in as its token's person)."""
    return [route for router in PAGE_ROUTERS for route in router.routes
            if isinstance(route, APIRoute) and "GET" in route.methods and not route.path.startswith("/sign-in/link")]


def _signed_in(console: str, role: str, district: str | None) -> httpx.Client:
    client = httpx.Client(base_url=console, timeout=60)
    page = client.get("/sign-in")
    key = re.search(r'name="form_key" value="([^"]+)"', page.text).group(1)
    answer = client.post("/sign-in/development", data={"role": role, "district": district or "", "form_key": key,
                                                       "actor": "fuzz"})
    assert answer.status_code == 303, answer.text
    return client


def _addresses(route: APIRoute, odd: str) -> list[str]:
    path = re.sub(r"\{[^}]+\}", quote(odd, safe="") or "x", route.path)
    queries = [param.alias for param in route.dependant.query_params]
    addresses = [path]
    addresses += [f"{path}?{name}={quote(odd, safe='')}" for name in queries]
    return addresses


@pytest.mark.parametrize("role,district", [("provincial_office", None), ("district_officer", "380"), ("operator", None)])
def test_odd_input_never_gives_a_500(system, role, district):
    routes = _get_routes()
    assert len(routes) >= 3
    problems = []
    client = _signed_in(system["console"], role, district)
    try:
        for route in routes:
            for odd in ODD_VALUES:
                for address in _addresses(route, odd):
                    answer = client.get(address)
                    page = not answer.is_redirect and route.path not in ("/healthz", "/readyz")
                    if answer.status_code >= 500 or page and "text/html" not in answer.headers.get("content-type", ""):
                        problems.append(f"{address[:120]} → {answer.status_code} {answer.text[:200]}")
    finally:
        client.close()
    assert not problems, "\n".join(problems[:20])
