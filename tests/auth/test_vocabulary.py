"""The kernel's auth knows no role by name: it works with whatever vocabulary the settings hand it."""

from __future__ import annotations

from enum import Enum

import pytest

from shared.auth import InvalidClaimsError, UnknownRoleError, decode_token, mint_token

from .conftest import forge, make_settings


class Crew(str, Enum):
    captain = "captain"
    deckhand = "deckhand"

    def __str__(self) -> str:
        return self.value

    @property
    def district_scoped(self) -> bool:
        return self is Crew.deckhand

    @property
    def optionally_district_scoped(self) -> bool:
        return False

    @property
    def commune_scoped(self) -> bool:
        return False

    @classmethod
    def operations_roles(cls) -> tuple[Crew, ...]:
        return (cls.captain,)


def test_a_token_of_another_vocabulary_decodes_to_its_role():
    settings = make_settings(roles=Crew)

    actor = decode_token(settings, mint_token(settings, actor_id="c-1", role="deckhand", district="380"))

    assert (actor.role, actor.district) == (Crew.deckhand, "380")


def test_another_vocabulary_applies_its_own_scope_rules():
    settings = make_settings(roles=Crew)

    with pytest.raises(ValueError, match="^deckhand token must carry a district claim$"):
        mint_token(settings, actor_id="c-1", role=Crew.deckhand)
    with pytest.raises(UnknownRoleError, match="^unknown role 'district_officer'$"):
        decode_token(settings, forge({"sub": "u-1", "role": "district_officer", "district": "380"}))


def test_only_the_commune_scoped_roles_of_the_vocabulary_may_carry_a_commune():
    token = forge({"sub": "u-1", "role": "provincial_office", "commune": "14797"})

    with pytest.raises(InvalidClaimsError) as caught:
        decode_token(make_settings(), token)
    assert caught.value.message == (
        "provincial_office token must not carry a commune claim (only commune_officer has one)"
    )
