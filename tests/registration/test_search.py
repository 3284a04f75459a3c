"""Searching registrations by product or producer name, typed with or without Vietnamese accents, with filters."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import pytest_asyncio

from tests.registration.support import THANH_HOA_CITY, THO_XUAN, Registered, communes, run_id

pytestmark = pytest.mark.asyncio(loop_scope="module")


@dataclass
class Catalogue:
    run: str
    banh_gai: Registered  # "Bánh gai Tứ Trụ <run>" of a producer of Thọ Xuân, cycle 2021, submitted
    nem_chua: Registered  # "Nem chua Thanh Hóa <run>" of "HTX Thanh Hóa <run>" (city), cycle 2021, proposed
    che_lam: Registered  # "Chè lam Phủ Quảng <run>" of the same "HTX Thanh Hóa <run>", cycle 2022, submitted


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def catalogue(registration) -> Catalogue:
    api, run = registration, run_id()
    banh_gai = await api.submitted(f"Bánh gai Tứ Trụ {run}", district=THO_XUAN, commune=communes(THO_XUAN)[0],
                                   producer_name=f"Cơ sở sản xuất {run}")
    htx = await api.new_producer(name=f"HTX Thanh Hóa {run}", district=THANH_HOA_CITY)
    nem_chua = await api.proposed(f"Nem chua Thanh Hóa {run}", producer_id=htx["producer_id"], product_set=8,
                                  district=THANH_HOA_CITY, commune=htx["commune_code"])
    che_lam = await api.submitted(f"Chè lam Phủ Quảng {run}", producer_id=htx["producer_id"], cycle_year=2022,
                                  district=THANH_HOA_CITY, commune=htx["commune_code"])
    return Catalogue(run, banh_gai, nem_chua, che_lam)


async def ids(api, **params) -> set[str]:
    found = await api.search(**params)
    assert found["total"] == len(found["items"])
    return {item["registration_id"] for item in found["items"]}


@pytest.mark.parametrize("typed", ["banh gai", "Bánh gai", "BÁNH GAI", "  banh   gai ", "bánh gai tứ trụ", "Banh Gai Tu Tru"])
async def test_a_product_is_found_by_its_name_typed_with_or_without_accents(registration, catalogue, typed):
    api, c = registration, catalogue

    assert await ids(api, q=typed, producer_id=c.banh_gai.producer_id) == {c.banh_gai.registration_id}
    assert await ids(api, q=typed, producer_id=c.nem_chua.producer_id) == set()


@pytest.mark.parametrize("typed", ["banh gai tu tru", "Bánh gai Tứ Trụ", "BÁNH GAI TỨ TRỤ", "bánh  gai tu trụ"])
async def test_the_whole_name_typed_with_or_without_accents_finds_only_that_product(registration, catalogue, typed):
    api, c = registration, catalogue
    assert await ids(api, q=f"{typed} {c.run}") == {c.banh_gai.registration_id}


@pytest.mark.parametrize("typed", ["thanh hoa", "Thanh Hóa", "THANH HOÁ", "thanh  hoa"])
async def test_a_producer_is_found_by_its_name_typed_with_or_without_accents(registration, catalogue, typed):
    api, c = registration, catalogue
    both = {c.nem_chua.registration_id, c.che_lam.registration_id}

    # "Chè lam Phủ Quảng" is found only through its producer, "HTX Thanh Hóa <run>".
    assert await ids(api, q=f"htx {typed} {c.run}") == both
    assert await ids(api, q=typed, producer_id=c.nem_chua.producer_id) == both
    assert await ids(api, q=typed, producer_id=c.banh_gai.producer_id) == set()


async def test_a_word_with_d_stroke_and_tone_marks_is_found_folded(registration, catalogue):
    api, c = registration, catalogue
    assert await ids(api, q=f"che lam phu quang {c.run}") == {c.che_lam.registration_id}
    assert await ids(api, q=f"Chè Lam {c.run}") == set()  # words must be adjacent: "chè lam phủ quảng <run>"
    assert await ids(api, q=f"CHÈ LAM PHỦ QUẢNG {c.run}") == {c.che_lam.registration_id}


async def test_filters_combine_with_the_search(registration, catalogue):
    api, c = registration, catalogue
    q = f"thanh hoa {c.run}"

    assert await ids(api, q=q, district_code=THANH_HOA_CITY) == {c.nem_chua.registration_id, c.che_lam.registration_id}
    assert await ids(api, q=q, district_code=THO_XUAN) == set()
    assert await ids(api, q=q, status="proposed") == {c.nem_chua.registration_id}
    assert await ids(api, q=q, status="submitted") == {c.che_lam.registration_id}
    assert await ids(api, q=q, cycle_year=2022) == {c.che_lam.registration_id}
    assert await ids(api, q=q, cycle_year=2021, district_code=THANH_HOA_CITY, status="proposed") == {
        c.nem_chua.registration_id}
    assert await ids(api, q=q, cycle_year=2021, status="submitted") == set()
    assert await ids(api, q=f"tu tru {c.run}", district_code=THO_XUAN, status="submitted", cycle_year=2021) == {
        c.banh_gai.registration_id}


async def test_like_wildcards_typed_in_the_search_are_plain_characters(registration, catalogue):
    api, c = registration, catalogue
    for typed in ("%", "_", "banh%gai", "banh_gai", "\\"):
        assert await ids(api, q=typed, producer_id=c.banh_gai.producer_id) == set(), typed


async def test_results_are_paged_in_submission_order(registration, catalogue):
    api, c = registration, catalogue
    q = f"thanh hoa {c.run}"

    first = await api.search(q=q, limit=1, offset=0)
    second = await api.search(q=q, limit=1, offset=1)

    assert first["total"] == second["total"] == 2
    assert [first["items"][0]["registration_id"], second["items"][0]["registration_id"]] == [
        c.nem_chua.registration_id, c.che_lam.registration_id]
