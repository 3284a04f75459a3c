"""Token minting/decoding and actor scoping, without HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pydantic
import pytest

from shared.auth import (
    Actor,
    AuthConfigurationError,
    DistrictForbiddenError,
    InvalidClaimsError,
    InvalidSignatureError,
    MalformedTokenError,
    MissingTokenError,
    TokenExpiredError,
    UnsupportedSchemeError,
    bearer_token_from_header,
    decode_token,
    mint_token,
    require,
)
from shared.contracts.roles import Role

from .conftest import SECRET, forge, make_settings

T0 = datetime(2021, 6, 1, 8, 0, tzinfo=UTC)


def test_minted_token_decodes_to_the_same_actor():
    settings = make_settings()
    token = mint_token(settings, actor_id="u-7", role=Role.commune_officer, district="392", commune="14797", now=T0)

    actor = decode_token(settings, token, now=T0 + timedelta(hours=1))

    assert actor == Actor(id="u-7", role=Role.commune_officer, district="392", commune="14797")
    assert actor.as_event_actor() == {"id": "u-7", "role": "commune_officer"}


def test_token_is_accepted_until_expiry_plus_leeway_and_rejected_from_then_on():
    settings = make_settings()
    token = mint_token(settings, actor_id="u-1", role="inspector", ttl=timedelta(hours=8), now=T0)
    expiry = T0 + timedelta(hours=8)

    assert decode_token(settings, token, now=expiry + timedelta(seconds=29)).role is Role.inspector
    with pytest.raises(TokenExpiredError) as caught:
        decode_token(settings, token, now=expiry + timedelta(seconds=30))
    assert (caught.value.status_code, caught.value.message) == (401, "token expired")


def test_token_issued_in_the_future_is_rejected():
    settings = make_settings()
    token = mint_token(settings, actor_id="u-1", role="inspector", now=T0 + timedelta(minutes=5))

    with pytest.raises(InvalidClaimsError, match=r"^token issued in the future \(iat\)$") as caught:
        decode_token(settings, token, now=T0)
    assert caught.value.status_code == 401


def test_token_without_subject_is_rejected():
    with pytest.raises(InvalidClaimsError, match=r"^token is missing the 'sub' claim$"):
        decode_token(make_settings(), forge({"role": "provincial_office"}))


def test_province_wide_role_must_not_carry_a_district():
    token = forge({"sub": "u-1", "role": "provincial_office", "district": "380"})

    with pytest.raises(InvalidClaimsError) as caught:
        decode_token(make_settings(), token)
    assert caught.value.message == (
        "provincial_office token must not carry a district claim (provincial_office is not district-scoped)"
    )
    assert caught.value.detail == {"error": "invalid_claims", "message": caught.value.message, "field": "authorization"}


def test_numeric_district_claim_is_rejected():
    token = forge({"sub": "u-1", "role": "district_officer", "district": 380})

    with pytest.raises(InvalidClaimsError, match=r"^district claim must be a 3-digit district code, got 380$"):
        decode_token(make_settings(), token)


def test_commune_officer_token_without_commune_is_rejected():
    token = forge({"sub": "u-1", "role": "commune_officer", "district": "380"})

    with pytest.raises(InvalidClaimsError) as caught:
        decode_token(make_settings(), token)
    assert (caught.value.error, caught.value.message) == (
        "missing_commune", "commune_officer token must carry a commune claim",
    )


def test_token_signed_with_hs512_is_rejected_when_hs256_is_configured():
    token = forge({"sub": "u-1", "role": "inspector"}, algorithm="HS512")

    with pytest.raises(InvalidSignatureError, match=r"^token algorithm 'HS512' is not accepted \(expected HS256\)$"):
        decode_token(make_settings(), token)


def test_empty_token_is_missing_and_truncated_token_is_malformed():
    settings = make_settings()
    token = mint_token(settings, actor_id="u-1", role="inspector")

    with pytest.raises(MissingTokenError, match="^missing bearer token$"):
        decode_token(settings, "")
    with pytest.raises(MalformedTokenError):
        decode_token(settings, token.rsplit(".", 1)[0])


def test_mint_refuses_district_scoped_role_without_district():
    with pytest.raises(ValueError, match="district_officer token must carry a district claim"):
        mint_token(make_settings(), actor_id="u-1", role="district_officer")


def test_mint_refuses_unknown_role_and_naive_clock():
    with pytest.raises(ValueError, match="'governor' is not a valid Role"):
        mint_token(make_settings(), actor_id="u-1", role="governor")
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        mint_token(make_settings(), actor_id="u-1", role="inspector", now=datetime(2021, 6, 1))


def test_mint_with_asymmetric_algorithm_needs_a_private_key():
    with pytest.raises(AuthConfigurationError, match="OCOP_JWT_ALGORITHM RS256 needs OCOP_JWT_PRIVATE_KEY"):
        mint_token(make_settings(jwt_algorithm="RS256"), actor_id="u-1", role="inspector")


def test_unsupported_algorithm_setting_is_a_configuration_error():
    with pytest.raises(AuthConfigurationError, match="OCOP_JWT_ALGORITHM 'none' is not supported"):
        decode_token(make_settings(jwt_algorithm="none"), forge({"sub": "u", "role": "inspector"}, secret=SECRET))


def test_district_council_member_is_confined_to_their_district():
    member = Actor(id="m-1", role=Role.council_member, district="380")

    member.ensure_district("380")
    with pytest.raises(DistrictForbiddenError, match="^council_member of district 380 cannot act on district 381$"):
        member.ensure_district("381")


def test_actors_without_district_scope_pass_the_district_check():
    for actor in (
        Actor(id="m-2", role=Role.council_member),
        Actor(id="p-1", role=Role.provincial_office),
        Actor(id="i-1", role=Role.inspector),
    ):
        actor.ensure_district("381")
        assert actor.scoped_district is None


def test_commune_officer_is_confined_to_their_commune():
    officer = Actor(id="c-1", role=Role.commune_officer, district="392", commune="14797")

    officer.ensure_commune("14797")
    with pytest.raises(DistrictForbiddenError) as caught:
        officer.ensure_commune("14800")
    assert caught.value.detail == {
        "error": "district_forbidden",
        "message": "commune_officer of commune 14797 cannot act on commune 14800",
        "field": "commune",
    }


def test_actor_is_immutable():
    actor = Actor(id="p-1", role=Role.provincial_office)

    with pytest.raises(pydantic.ValidationError):
        actor.role = Role.operator  # type: ignore[misc]


def test_bearer_header_parsing():
    assert bearer_token_from_header("Bearer abc.def.ghi") == "abc.def.ghi"
    assert bearer_token_from_header("  BEARER   abc.def.ghi  ") == "abc.def.ghi"
    with pytest.raises(MissingTokenError):
        bearer_token_from_header(None)
    with pytest.raises(UnsupportedSchemeError, match="^authorization scheme must be Bearer, got 'Token'$"):
        bearer_token_from_header("Token abc")
    with pytest.raises(MalformedTokenError, match="^malformed bearer token: it contains whitespace$"):
        bearer_token_from_header("Bearer abc def")


def test_require_needs_known_roles():
    with pytest.raises(ValueError, match="at least one role"):
        require()
    # require() takes members of the vocabulary, so a misspelt role fails where it is named.
    with pytest.raises(ValueError, match="'district_oficer' is not a valid Role"):
        require(Role("district_oficer"))
    with pytest.raises(TypeError, match="^require\\(\\) takes members of the role vocabulary"):
        require("district_officer")


def test_role_formats_as_its_claim_value():
    assert f"{Role.district_officer}" == "district_officer"
    assert Role.district_officer.district_scoped and not Role.council_member.district_scoped
