"""The registration domain on its own (no I/O): life cycle, rules, deterministic ids, folding, geography."""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import asdict
from datetime import date

import pytest

from services.registration.adapters.reference import load_geography
from services.registration.domain import events as ev
from services.registration.domain.catalogue import PRODUCT_SETS, describe_product
from services.registration.domain.district_list import DistrictList
from services.registration.domain.errors import DoesNotFit, IllegalTransition, InvalidInput
from services.registration.domain import lifecycle
from services.registration.domain.producer import LEGAL_FORMS, Producer
from services.registration.domain.product_file import ProductFile
from services.registration.domain.identity import register
from services.registration.domain.registration import Registration, product_id_for, registration_id_for
from services.registration.domain.text import clean, fold
from services.registration.domain.values import Finding, Product
from services.registration.service import definition
from shared.aggregate import DomainEvent

BANH_GAI = "Bánh gai Tứ Trụ"
YEN_DINH, THO_XUAN = "394", "395"


def producer(producer_id: str = "htx-tu-tru", district: str = THO_XUAN, commune: str = "15493",
             legal_form: str = "cooperative") -> Producer:
    return Producer.register(producer_id, name="HTX Tứ Trụ", legal_form=legal_form, district_code=district,
                             commune_code=commune, business_registration_number="2801234567")


def thanh_hoa():
    return load_geography()


def stored_and_read_back(event: DomainEvent) -> DomainEvent:
    """The event as the store would give it back: encoded and decoded through the service's registry."""
    stored = definition.events.encode(event, {})
    return definition.events.decode(stored.event_type, stored.schema_version, stored.data)


def banh_gai(name: str = BANH_GAI, description: str = "bánh gai lá gai rừng") -> Product:
    return describe_product(name, 6, description)


def submitted(p: Producer | None = None, cycle_year: int = 2021, name: str = BANH_GAI) -> Registration:
    """A form 01 of a product nobody registered before."""
    registration, _ = register(p or producer(), cycle_year=cycle_year, form="01", product=banh_gai(name), reference=None,
                               found=())
    return registration


# ------------------------------------------------------------------------------------------- life cycle

STEPS = {
    "propose": lambda r: r.propose("xã đề xuất"),
    "return": lambda r: r.return_for_completion(["thiếu phiếu kiểm nghiệm"]),
    "resubmit": lambda r: r.resubmit(banh_gai(description="bổ sung"), "đã bổ sung"),
    "select": lambda r: r.select("đạt yêu cầu"),
    "reject": lambda r: r.reject("không có vùng nguyên liệu"),
    "send": lambda r: r.send_to_province("list-1"),
}
# How to bring a fresh registration to each status, and which step each status allows (Kế hoạch 75 §II.4.1).
PATH = {
    "submitted": [],
    "proposed": ["propose"],
    "returned": ["propose", "return"],
    "selected": ["propose", "select"],
    "rejected": ["propose", "reject"],
    "sent_to_province": ["propose", "select", "send"],
}
LEGAL = {
    ("submitted", "propose"): "proposed",
    ("proposed", "return"): "returned",
    ("proposed", "select"): "selected",
    ("proposed", "reject"): "rejected",
    ("returned", "resubmit"): "proposed",
    ("selected", "send"): "sent_to_province",
}
ILLEGAL = [(status, step) for status in PATH for step in STEPS if (status, step) not in LEGAL]


def registration_in(status: str) -> Registration:
    registration = submitted()
    for step in PATH[status]:
        STEPS[step](registration)
    registration.collect()
    assert registration.status == status
    return registration


def test_a_submitted_registration_records_the_form_the_product_and_where_the_producer_is():
    registration = submitted()

    [event] = registration.collect()
    assert isinstance(event, ev.RegistrationSubmitted)
    assert registration.status == "submitted" and registration.version == 1
    assert event.form == "01" and event.cycle_year == 2021
    assert asdict(event.product) == {"name": BANH_GAI, "sector": "Thực phẩm", "group": "Thực phẩm chế biến", "product_set": 6,
                             "description": "bánh gai lá gai rừng"}
    assert asdict(event.producer) == {"producer_id": "htx-tu-tru", "name": "HTX Tứ Trụ", "legal_form": "cooperative"}
    assert (event.district_code, event.commune_code) == (THO_XUAN, "15493")
    assert event.product_id == product_id_for("htx-tu-tru", BANH_GAI)
    assert registration.id == registration_id_for("htx-tu-tru", BANH_GAI, 2021)


@pytest.mark.parametrize(("status", "step"), sorted(LEGAL), ids=[f"{s}-{a}" for s, a in sorted(LEGAL)])
def test_each_allowed_step_moves_the_registration_to_its_next_status(status, step):
    registration = registration_in(status)
    version = registration.version

    STEPS[step](registration)

    assert registration.status == LEGAL[(status, step)]
    assert registration.version == version + 1 and len(registration.collect()) == 1


@pytest.mark.parametrize(("status", "step"), ILLEGAL, ids=[f"{s}-{a}" for s, a in ILLEGAL])
def test_a_step_the_status_does_not_allow_is_an_illegal_transition_and_records_nothing(status, step):
    registration = registration_in(status)
    version = registration.version

    with pytest.raises(IllegalTransition) as raised:
        STEPS[step](registration)

    assert raised.value.field == "status" and repr(status) in str(raised.value)
    assert registration.status == status and registration.version == version and registration.collect() == []


def test_the_whole_life_cycle_records_one_event_per_step_and_replays_to_the_same_state():
    registration = submitted()
    registration.propose(None)
    registration.return_for_completion(["thiếu nhãn mác", "  thiếu mã vạch "])
    registration.resubmit(banh_gai(description="đã có nhãn mác và mã vạch"), "bổ sung xong")
    registration.select("khả thi")
    district_list = DistrictList.send("list-2021-thoxuan", THO_XUAN, 2021, [registration])

    events = registration.collect()
    assert [e.event_type for e in events] == [
        "RegistrationSubmitted", "RegistrationProposedByCommune", "RegistrationReturned", "RegistrationResubmitted",
        "RegistrationSelected", "RegistrationSentToProvince",
    ]
    assert registration.status == "sent_to_province" and registration.list_id == "list-2021-thoxuan"
    assert registration.product.description == "đã có nhãn mác và mã vạch"
    [sent] = district_list.collect()
    assert sent.product_ids == [registration.product_id] and sent.registration_ids == [registration.id]

    replayed = Registration(registration.id)
    for e in events:
        replayed.replay(stored_and_read_back(e))
    assert (replayed.status, replayed.version, replayed.product, replayed.list_id) == (
        "sent_to_province", 6, registration.product, "list-2021-thoxuan")


def test_every_fact_of_a_registration_has_its_place_in_the_one_life_cycle_table():
    """The aggregate, the read model and the API's status filter all read lifecycle.STEPS: a new fact needs a row."""
    assert set(lifecycle.STEPS) == set(Registration.event_types.values())
    assert set(lifecycle.STATUSES) == set(PATH)


def test_a_proposed_registration_can_be_rejected_with_a_reason_and_then_never_selected():
    registration = registration_in("proposed")
    registration.reject("sản phẩm không thuộc địa bàn")

    assert registration.status == "rejected"
    assert registration.collect()[-1] == ev.RegistrationRejected("sản phẩm không thuộc địa bàn")
    with pytest.raises(IllegalTransition):
        registration.select(None)


# ------------------------------------------------------------------------------------------- rules


@pytest.mark.parametrize("legal_form", LEGAL_FORMS)
def test_each_of_the_four_legal_forms_can_register(legal_form):
    assert producer(legal_form=legal_form).legal_form == legal_form


@pytest.mark.parametrize("legal_form", ["company", "Cooperative", "", "individual"])
def test_a_legal_form_other_than_the_four_is_invalid(legal_form):
    with pytest.raises(InvalidInput) as raised:
        producer(legal_form=legal_form)
    assert raised.value.field == "legal_form"


@pytest.mark.parametrize("form", ["01", "02"])
def test_forms_01_and_02_are_accepted(form):
    registration = Registration.submit(producer(), cycle_year=2021, form=form, product=banh_gai(), product_id="p-1")
    assert (registration.submitted.form, registration.product_id) == (form, "p-1")


@pytest.mark.parametrize("form", ["03", "1", "", "00"])
def test_another_form_is_invalid(form):
    with pytest.raises(InvalidInput) as raised:
        Registration.submit(producer(), cycle_year=2021, form=form, product=banh_gai(), product_id="p-1")
    assert raised.value.field == "form"


@pytest.mark.parametrize("year", [2018, 2021, 2100])
def test_cycle_years_from_2018_to_2100_are_accepted(year):
    assert submitted(cycle_year=year).cycle_year == year


@pytest.mark.parametrize("year", [2017, 2101, 0, -2021])
def test_a_cycle_year_outside_2018_to_2100_is_invalid(year):
    with pytest.raises(InvalidInput) as raised:
        submitted(cycle_year=year)
    assert raised.value.field == "cycle_year"


@pytest.mark.parametrize("reasons", [[], [""], ["   "], ["thiếu nhãn", " "]])
def test_returning_needs_at_least_one_reason_and_no_empty_one(reasons):
    registration = registration_in("proposed")
    with pytest.raises(InvalidInput) as raised:
        registration.return_for_completion(reasons)
    assert raised.value.field == "reasons"
    assert registration.status == "proposed" and registration.collect() == []


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_rejecting_needs_a_reason(reason):
    registration = registration_in("proposed")
    with pytest.raises(InvalidInput) as raised:
        registration.reject(reason)
    assert raised.value.field == "reason"
    assert registration.status == "proposed" and registration.collect() == []


@pytest.mark.parametrize("name", ["BÁNH GAI TỨ TRỤ", "  bánh   gai tứ trụ ", unicodedata.normalize("NFD", BANH_GAI),
                                  "Banh gai Tu Tru"])
def test_a_resubmission_may_retype_the_name_of_the_same_product(name):
    registration = registration_in("returned")
    registration.resubmit(describe_product(name, 6, "bổ sung"), None)
    assert registration.status == "proposed"


@pytest.mark.parametrize("name", ["Bánh gai Thọ Xuân", "Bánh gio Tứ Trụ", "Bánh gai"])
def test_a_resubmission_must_keep_the_product(name):
    registration = registration_in("returned")
    with pytest.raises(DoesNotFit) as raised:
        registration.resubmit(describe_product(name, 6, "sản phẩm khác"), None)
    assert raised.value.field == "product.name"
    assert registration.status == "returned" and registration.collect() == []


def test_there_are_26_product_sets_each_with_its_sector_and_group():
    assert sorted(PRODUCT_SETS) == list(range(1, 27))
    assert PRODUCT_SETS[15].sector == "Đồ uống" and PRODUCT_SETS[15].name == "Rượu trắng"
    assert PRODUCT_SETS[26].sector == "Dịch vụ du lịch nông thôn, bán hàng"


@pytest.mark.parametrize("number", [1, 8, 26])
def test_the_product_set_decides_sector_and_group(number):
    described = describe_product("Nem chua Thanh Hóa", number, "")
    assert (described.sector, described.group, described.product_set) == (
        PRODUCT_SETS[number].sector, PRODUCT_SETS[number].group, number)


@pytest.mark.parametrize("number", [0, 27, -1, 100])
def test_a_product_set_outside_1_to_26_is_invalid(number):
    with pytest.raises(InvalidInput) as raised:
        describe_product("Nem chua Thanh Hóa", number, "")
    assert raised.value.field == "product.product_set"


def test_a_sector_and_group_that_agree_with_the_set_are_accepted():
    described = describe_product("Nem chua Thanh Hóa", 8, "", sector="Thực phẩm", group="Thực phẩm chế biến")
    assert described.group == "Thực phẩm chế biến"


@pytest.mark.parametrize(("field", "value"), [("sector", "Đồ uống"), ("group", "Thực phẩm tươi sống"), ("sector", "thực phẩm")])
def test_a_sector_or_group_that_disagrees_with_the_set_is_invalid(field, value):
    with pytest.raises(InvalidInput) as raised:
        describe_product("Nem chua Thanh Hóa", 8, "", **{field: value})
    assert raised.value.field == f"product.{field}"


def test_a_product_needs_a_name():
    with pytest.raises(InvalidInput) as raised:
        describe_product("   ", 8, "")
    assert raised.value.field == "product.name"


# ------------------------------------------------------------------------------------------- district list


def selected_in(district: str, commune: str, cycle_year: int = 2021, name: str = BANH_GAI) -> Registration:
    registration = submitted(producer(f"p-{uuid.uuid4().hex[:6]}", district, commune), cycle_year, name)
    registration.propose(None)
    registration.select(None)
    registration.collect()
    return registration


def test_a_district_list_sends_each_selected_registration_to_the_province():
    first, second = selected_in(THO_XUAN, "15493"), selected_in(THO_XUAN, "15493", name="Chè lam Thọ Xuân")

    district_list = DistrictList.send("l-1", THO_XUAN, 2021, [first, second])

    assert district_list.sent.to_data() == {"district_code": THO_XUAN, "cycle_year": 2021, "registration_ids": [first.id, second.id],
                                  "product_ids": [first.product_id, second.product_id]}
    assert first.status == second.status == "sent_to_province" and first.list_id == "l-1"


def test_an_empty_district_list_does_not_fit():
    with pytest.raises(DoesNotFit) as raised:
        DistrictList.send("l-1", THO_XUAN, 2021, [])
    assert raised.value.field == "registration_ids"


def test_a_district_list_takes_only_registrations_of_its_district():
    other = selected_in(YEN_DINH, "15397")
    with pytest.raises(DoesNotFit) as raised:
        DistrictList.send("l-1", THO_XUAN, 2021, [other])
    assert raised.value.field == "registration_ids" and YEN_DINH in str(raised.value)
    assert other.status == "selected" and other.collect() == []


def test_a_district_list_takes_only_registrations_of_its_cycle():
    other = selected_in(THO_XUAN, "15493", cycle_year=2022)
    with pytest.raises(DoesNotFit) as raised:
        DistrictList.send("l-1", THO_XUAN, 2021, [other])
    assert raised.value.field == "registration_ids" and "2022" in str(raised.value)
    assert other.status == "selected" and other.collect() == []


def test_a_district_list_with_a_registration_that_is_not_selected_is_an_illegal_transition():
    proposed = registration_in("proposed")
    with pytest.raises(IllegalTransition) as raised:
        DistrictList.send("l-1", THO_XUAN, 2021, [proposed])
    assert raised.value.field == "status"


def test_a_refused_district_list_leaves_every_registration_on_it_unchanged():
    """All or nothing: a list refused for its second registration must not have sent the first one."""
    mine, foreign = selected_in(THO_XUAN, "15493"), selected_in(YEN_DINH, "15397")

    with pytest.raises(DoesNotFit):
        DistrictList.send("l-1", THO_XUAN, 2021, [mine, foreign])

    assert mine.status == "selected" and mine.list_id is None
    assert mine.collect() == []


# ------------------------------------------------------------------------------------------- ids


def test_the_same_product_of_the_same_producer_in_one_cycle_has_one_registration_id():
    a = submitted(name="Bánh gai Tứ Trụ")
    b = submitted(name="  BÁNH GAI   tứ trụ ")
    assert a.id == b.id and a.product_id == b.product_id


def test_the_id_a_new_product_gets_from_its_name_does_not_depend_on_the_cycle_but_its_registration_id_does():
    a, b = submitted(cycle_year=2021), submitted(cycle_year=2022)
    assert a.product_id == b.product_id == product_id_for("htx-tu-tru", BANH_GAI)
    assert a.id != b.id


def test_another_product_or_another_producer_has_other_ids():
    base = submitted()
    other_product = submitted(name="Bánh gio Tứ Trụ")
    other_producer = submitted(producer("htx-khac"))
    assert len({base.id, other_product.id, other_producer.id}) == 3
    assert len({base.product_id, other_product.product_id, other_producer.product_id}) == 3
    assert uuid.UUID(base.id) and uuid.UUID(base.product_id)


# ------------------------------------------------------------------------------------------- product file


def rating(source_event_id: str, stars: int = 4) -> ev.RatingRecorded:
    return ev.RatingRecorded("EV-1", "provincial", "recognized", stars, 78.5, None, None, "2021-12-20T09:30:00+07:00",
                             source_event_id)


def failure(source_event_id: str) -> ev.InspectionFailureRecorded:
    return ev.InspectionFailureRecorded("IN-1", date(2022, 6, 1), "major", "downgrade",
                                        (Finding("nhãn mác", "hết hạn"),), source_event_id)


def test_the_product_file_records_a_rating_once_whatever_the_number_of_deliveries():
    product_file = ProductFile("product-1")
    product_file.record_rating(rating("e-1"))
    product_file.record_rating(rating("e-1"))
    product_file.record_rating(rating("e-2", stars=5))
    product_file.record_inspection_failure(failure("e-3"))
    product_file.record_inspection_failure(failure("e-3"))

    events = product_file.collect()
    assert [(e.event_type, e.source_event_id) for e in events] == [
        ("RatingRecorded", "e-1"), ("RatingRecorded", "e-2"), ("InspectionFailureRecorded", "e-3")]

    reloaded = ProductFile("product-1")
    for e in events:
        reloaded.replay(stored_and_read_back(e))
    reloaded.record_rating(rating("e-2"))
    reloaded.record_inspection_failure(failure("e-3"))
    assert reloaded.collect() == [] and reloaded.version == 3


# ------------------------------------------------------------------------------------------- text


@pytest.mark.parametrize(("text", "folded"), [
    ("Bánh gai Tứ Trụ", "banh gai tu tru"),
    ("Đường", "duong"),
    ("đường phèn", "duong phen"),
    ("  Nem   chua\tThanh Hóa ", "nem chua thanh hoa"),
    ("THANH HOÁ", "thanh hoa"),
    (unicodedata.normalize("NFD", "Chè lam Phủ Quảng"), "che lam phu quang"),
    ("Rượu Cần", "ruou can"),
])
def test_folding_removes_case_diacritics_and_extra_spaces(text, folded):
    assert fold(text) == folded


def test_clean_keeps_the_accents_composed_and_single_spaced():
    assert clean(unicodedata.normalize("NFD", "  Bánh   gai ")) == unicodedata.normalize("NFC", "Bánh gai")


# ------------------------------------------------------------------------------------------- geography


def test_the_reference_data_has_the_27_districts_and_559_communes_of_thanh_hoa_2021():
    geography = thanh_hoa()
    assert len(geography.districts) == 27
    assert sum(len(d.communes) for d in geography.districts.values()) == 559
    assert geography.district("394").name == "Huyện Yên Định" and geography.district("394").kind == "huyện"
    assert geography.district("380").kind == "thành phố" and geography.district("381").kind == "thị xã"


def test_an_unknown_district_is_invalid_input_naming_the_field():
    with pytest.raises(InvalidInput) as raised:
        thanh_hoa().district("999")
    assert raised.value.field == "district_code" and "999" in str(raised.value)


def test_a_commune_outside_its_district_is_invalid_input_naming_the_field():
    geography = thanh_hoa()
    commune_of_city = next(iter(geography.district("380").communes))
    with pytest.raises(InvalidInput) as raised:
        geography.locate("394", commune_of_city)
    assert raised.value.field == "commune_code" and commune_of_city in str(raised.value)
    with pytest.raises(InvalidInput) as prefixed:
        geography.locate("998", commune_of_city, prefix="location.")
    assert prefixed.value.field == "location.district_code"


def test_a_commune_of_its_district_is_located():
    district, commune = thanh_hoa().locate("394", "15397")
    assert (district.code, commune.name) == ("394", "Thị trấn Thống Nhất")
