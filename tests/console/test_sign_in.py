"""Signing in to the console: a token, the development sign-in (only with the development key), the link of
`ocop console-login`; a bad token, a stale form or an address of another site are refused."""

from __future__ import annotations

import base64
import re

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from console.app import create_app
from console.config import ConsoleSettings
from console.gateway import Gateway
from ocop.cli import app as cli
from shared.auth import mint_token
from shared.contracts.roles import Role
from shared.settings import KernelSettings

DISTRICTS = [{"code": "380", "name": "Thành phố Thanh Hóa", "kind": "city", "communes": 34}]


def _services(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/reference/districts":
        return httpx.Response(200, json=DISTRICTS)
    if request.url.path == "/summary":
        return httpx.Response(200, json=[])
    return httpx.Response(404, json={"detail": {"error": "not_found", "message": "nothing here"}})


def _client(kernel: KernelSettings | None = None, **settings: object) -> TestClient:
    gateway = Gateway(ConsoleSettings().service_urls(), 5, transport=httpx.MockTransport(_services))
    # Over HTTPS, as production: with a real JWT secret the session cookie is sent over HTTPS only.
    return TestClient(create_app(ConsoleSettings(**settings), kernel or KernelSettings(), gateway=gateway),
                      base_url="https://console.test")


def _form_key(html: str) -> str:
    return re.search(r'name="form_key" value="([^"]+)"', html).group(1)


def test_development_sign_in_with_the_development_key_lands_on_the_first_page_of_the_role():
    with _client() as client:
        page = client.get("/sign-in")
        assert 'id="development-form"' in page.text and "Thành phố Thanh Hóa" in page.text
        answer = client.post("/sign-in/development", follow_redirects=False, data={
            "role": "operator", "actor": "it-binh", "form_key": _form_key(page.text)})
        assert answer.status_code == 303 and answer.headers["location"] == "/operations"


def test_with_a_real_secret_there_is_no_development_sign_in_and_its_form_is_refused():
    kernel = KernelSettings(jwt_secret="a-real-secret-of-the-province-0123456789")
    with _client(kernel, development_sign_in=True) as client:
        page = client.get("/sign-in")
        assert 'id="development-form"' not in page.text
        answer = client.post("/sign-in/development", data={"role": "provincial_office", "form_key": _form_key(page.text)})
        assert answer.status_code == 403
        # A token signed with that secret works.
        token = mint_token(kernel, actor_id="vp-lan", role=Role.provincial_office)
        answer = client.post("/sign-in", follow_redirects=False, data={"token": token, "form_key": _form_key(page.text)})
        assert answer.status_code == 303 and answer.headers["location"] == "/"
        assert "vp-lan" in client.get("/").text


def test_a_forged_token_or_a_stale_form_is_refused():
    with _client() as client:
        page = client.get("/sign-in")
        forged = mint_token(KernelSettings(jwt_secret="someone-else-s-secret-0123456789"), actor_id="x",
                            role=Role.provincial_office)
        answer = client.post("/sign-in", data={"token": forged, "form_key": _form_key(page.text)})
        assert answer.status_code == 400 and 'id="sign-in-refusal"' in answer.text
        assert client.get("/", follow_redirects=False).status_code == 303  # still signed out
        stale = client.post("/sign-in", data={"token": forged, "form_key": "not-the-session-s"})
        assert stale.status_code == 403


def test_only_a_path_of_the_console_is_a_place_to_go_back_to():
    with _client() as client:
        page = client.get("/sign-in?next=https://evil.example/x")
        answer = client.post("/sign-in/development", follow_redirects=False, data={
            "role": "provincial_office", "form_key": _form_key(page.text), "next": "//evil.example/x"})
        assert answer.headers["location"] == "/"


def test_a_district_officer_needs_a_district():
    with _client() as client:
        page = client.get("/sign-in")
        answer = client.post("/sign-in/development", data={"role": "district_officer", "form_key": _form_key(page.text)})
        assert answer.status_code == 400 and "district" in answer.text


@pytest.mark.parametrize("role,district,landing", [("district_officer", "380", "/"), ("operator", None, "/operations")])
def test_the_link_of_ocop_console_login_signs_in(role, district, landing):
    args = ["console-login", "--role", role, "--url", "http://console.test"] + (["--district", district] if district else [])
    printed = CliRunner().invoke(cli, args)
    assert printed.exit_code == 0, printed.output
    link = printed.output.strip()
    assert link.startswith("http://console.test/sign-in/link?token=")
    with _client() as client:
        answer = client.get(link.removeprefix("http://console.test"), follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == landing
        assert "token=" not in answer.headers["location"]


def test_an_expired_session_goes_back_to_sign_in_and_returns_to_the_page():
    with _client() as client:
        page = client.get("/sign-in")
        client.post("/sign-in/development", data={"role": "provincial_office", "form_key": _form_key(page.text)})
        client.cookies.clear()
        answer = client.get("/?x=1", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/sign-in?next=%2F%3Fx%3D1"


def test_a_bad_query_parameter_is_a_400_page_naming_the_field():
    with _client() as client:
        answer = client.get("/sign-in", params={"next": "x" * 3000})
        assert answer.status_code == 400 and "next" in answer.text and "2000" in answer.text


def test_the_cookie_holds_no_usable_token_and_the_form_key_changes_at_sign_in():
    with _client() as client:
        page = client.get("/sign-in")
        before = _form_key(page.text)
        client.post("/sign-in/development", data={"role": "provincial_office", "actor": "vp-hoa", "form_key": before})
        cookie = client.cookies["ocop_console"]
        payload = base64.b64decode(cookie.split(".")[0] + "==").decode()
        assert '"token"' in payload and "eyJ" not in payload, "the token is kept encrypted"
        assert "vp-hoa" not in payload
        assert "vp-hoa" in client.get("/").text
        # A form rendered before signing in no longer posts.
        assert client.post("/sign-out", data={"form_key": before}).status_code == 403
        # A cookie whose sealed token was tampered with is no session.
        tampered = cookie[:-4] + ("AAAA" if not cookie.endswith("AAAA") else "BBBB")
        client.cookies.set("ocop_console", tampered, domain="console.test")
        assert client.get("/", follow_redirects=False).status_code == 303


def test_every_answer_forbids_framing_and_caching_of_pages():
    with _client() as client:
        page = client.get("/sign-in")
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
        asset = client.get("/static/console.css")
        assert asset.status_code == 200 and "max-age" in asset.headers["cache-control"]


def test_with_the_development_key_cookies_go_over_plain_http_too_and_a_real_key_makes_them_https_only():
    assert ConsoleSettings().cookies_over_https_only(KernelSettings()) is False
    real = KernelSettings(jwt_secret="a-real-secret-of-the-province-0123456789")
    assert ConsoleSettings().cookies_over_https_only(real) is True
    assert ConsoleSettings(secure_cookies=False).cookies_over_https_only(real) is False
