"""Behaviour of a protected command route: POST /districts/{district}/things for district_officer or provincial_office."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx

from shared.auth import mint_token

from .conftest import OTHER_SECRET, bearer, build_app, forge, make_settings

URL_380 = "/districts/380/things"
URL_381 = "/districts/381/things"


def assert_error(response: httpx.Response, status: int, error: str, message: str, field: str = "authorization") -> None:
    assert response.status_code == status, response.text
    assert response.json() == {"detail": {"error": error, "message": message, "field": field}}


def officer_token(settings, district: str = "380", **kwargs) -> str:
    return mint_token(settings, actor_id="u-officer", role="district_officer", district=district, **kwargs)


async def test_request_without_authorization_header_is_rejected_with_401(client):
    response = await client.post(URL_380)

    assert_error(response, 401, "missing_token", "missing bearer token")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="ocop"'


async def test_bearer_scheme_without_a_token_counts_as_missing_token(client):
    response = await client.post(URL_380, headers={"Authorization": "Bearer   "})

    assert_error(response, 401, "missing_token", "missing bearer token")


async def test_basic_scheme_is_rejected_with_401(client, settings):
    response = await client.post(URL_380, headers={"Authorization": "Basic dXNlcjpwYXNz"})

    assert_error(response, 401, "unsupported_scheme", "authorization scheme must be Bearer, got 'Basic'")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="ocop"'


async def test_raw_token_without_scheme_is_rejected_with_401(client, settings):
    response = await client.post(URL_380, headers={"Authorization": officer_token(settings)})

    assert response.status_code == 401
    assert response.json()["detail"]["error"] == "unsupported_scheme"
    assert response.json()["detail"]["field"] == "authorization"


async def test_scheme_name_is_case_insensitive(client, settings):
    response = await client.post(URL_380, headers={"Authorization": f"bearer {officer_token(settings)}"})

    assert response.status_code == 200, response.text


async def test_garbage_token_is_rejected_as_malformed(client):
    response = await client.post(URL_380, headers=bearer("not-a-jwt"))

    assert_error(response, 401, "malformed_token", "malformed token: not a valid JWT")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


async def test_expired_token_is_rejected_with_401(client, settings):
    nine_hours_ago = datetime.now(UTC) - timedelta(hours=9)
    token = officer_token(settings, ttl=timedelta(hours=8), now=nine_hours_ago)

    response = await client.post(URL_380, headers=bearer(token))

    assert_error(response, 401, "token_expired", "token expired")
    assert response.headers["WWW-Authenticate"] == (
        'Bearer realm="ocop", error="invalid_token", error_description="token expired"'
    )


async def test_token_signed_with_another_secret_is_rejected(client):
    token = officer_token(make_settings(jwt_secret=OTHER_SECRET))

    response = await client.post(URL_380, headers=bearer(token))

    assert_error(response, 401, "invalid_signature", "invalid token signature")


async def test_unsigned_alg_none_token_is_rejected(client):
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=").decode()
    claims = {"sub": "u-1", "role": "provincial_office", "iss": "ocop-test", "aud": "ocop-services",
              "iat": 1, "exp": 4_000_000_000}
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    response = await client.post(URL_380, headers=bearer(f"{header}.{body}."))

    assert_error(response, 401, "invalid_signature", "token algorithm 'none' is not accepted (expected HS256)")


async def test_token_from_another_issuer_is_rejected(client):
    token = officer_token(make_settings(jwt_issuer="some-other-idp"))

    response = await client.post(URL_380, headers=bearer(token))

    assert_error(response, 401, "invalid_issuer", "token issuer is not accepted (expected 'ocop-test')")


async def test_token_for_another_audience_is_rejected(client):
    token = officer_token(make_settings(jwt_audience="another-system"))

    response = await client.post(URL_380, headers=bearer(token))

    assert_error(response, 401, "invalid_audience", "token audience is not accepted (expected 'ocop-services')")


async def test_token_with_unknown_role_is_rejected_with_401(client):
    response = await client.post(URL_380, headers=bearer(forge({"sub": "u-1", "role": "governor"})))

    assert_error(response, 401, "unknown_role", "unknown role 'governor'")


async def test_district_officer_token_without_district_is_rejected_with_401(client):
    token = forge({"sub": "u-officer", "role": "district_officer"})

    response = await client.post(URL_380, headers=bearer(token))

    assert_error(response, 401, "missing_district", "district_officer token must carry a district claim")


async def test_producer_is_forbidden_with_403_naming_role_and_allowed_roles(client, settings):
    token = mint_token(settings, actor_id="htx-lam-son", role="producer")

    response = await client.post(URL_380, headers=bearer(token))

    assert_error(
        response, 403, "role_not_allowed",
        "role producer is not allowed here; allowed roles: district_officer, provincial_office",
    )
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


async def test_district_officer_cannot_act_on_another_district(client, settings):
    response = await client.post(URL_381, headers=bearer(officer_token(settings, district="380")))

    assert_error(
        response, 403, "district_forbidden", "district_officer of district 380 cannot act on district 381",
        field="district",
    )


async def test_district_officer_acts_on_own_district(client, settings):
    response = await client.post(URL_380, headers=bearer(officer_token(settings, district="380")))

    assert response.status_code == 200, response.text
    assert response.json() == {"district": "380", "actor": {"id": "u-officer", "role": "district_officer"}}


async def test_provincial_office_acts_on_any_district(client, settings):
    token = mint_token(settings, actor_id="vpdp-thanh-hoa", role="provincial_office")

    responses = [await client.post(url, headers=bearer(token)) for url in (URL_380, URL_381, "/districts/407/things")]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert responses[1].json() == {"district": "381", "actor": {"id": "vpdp-thanh-hoa", "role": "provincial_office"}}


async def test_settings_come_from_app_state_at_request_time(settings):
    app = build_app(settings)
    app.state.settings = make_settings(jwt_secret=OTHER_SECRET)
    token = officer_token(make_settings(jwt_secret=OTHER_SECRET))

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ocop.test") as http:
        response = await http.post(URL_380, headers=bearer(token))

    assert response.status_code == 200, response.text


async def test_app_without_settings_answers_500_without_leaking_configuration(settings):
    app = build_app(None)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ocop.test") as http:
        response = await http.post(URL_380, headers=bearer(officer_token(settings)))

    assert_error(
        response, 500, "auth_misconfigured", "authentication is misconfigured on this server; see the service log"
    )


async def test_asymmetric_algorithm_without_keys_answers_500(settings):
    app = build_app(make_settings(jwt_algorithm="RS256"))

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ocop.test") as http:
        response = await http.post(URL_380, headers=bearer(officer_token(settings)))

    assert_error(
        response, 500, "auth_misconfigured", "authentication is misconfigured on this server; see the service log"
    )


async def test_protected_route_is_documented_as_bearer_secured_in_openapi():
    schema = build_app(make_settings()).openapi()

    assert schema["components"]["securitySchemes"]["OCOP bearer JWT"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
    }
    assert schema["paths"]["/districts/{district}/things"]["post"]["security"] == [{"OCOP bearer JWT": []}]
