"""A product keeps its identity across cycles (domain only, no I/O): form 02 names the product it registers again and
keeps its id, a new name is a rename in the product's file, and every bad reference is refused naming its field."""

from __future__ import annotations

from datetime import date

import pytest

from services.registration.domain import events as ev
from services.registration.domain.catalogue import describe_product
from services.registration.domain.errors import (
    DoesNotFit,
    DuplicateRegistration,
    InvalidInput,
    NotANewProduct,
    ProductOfAnotherProducer,
    UnknownProduct,
)
from services.registration.domain.identity import ProductOnRecord, ensure_well_formed, register
from services.registration.domain.producer import Producer
from services.registration.domain.product_file import ProductFile
from services.registration.domain.registration import (
    Registration,
    ensure_first_registration,
    product_id_for,
    registration_id_for,
)
from services.registration.domain.values import Certificate, Decision, ProductReference
from tests.registration.test_domain import stored_and_read_back

FISH_SAUCE, GRADED = "Nước mắm Cự Nham", "Nước mắm Cự Nham loại 1"
CERTIFICATE = "OCOP-TH-2021-014"


def producer(producer_id: str = "htx-cu-nham") -> Producer:
    return Producer.register(producer_id, name="HTX Cự Nham", legal_form="cooperative", district_code="401",
                             commune_code="16081", business_registration_number=None)


def fish_sauce(name: str = FISH_SAUCE):
    return describe_product(name, 10, "nước mắm cá cơm ủ chượp truyền thống")


def first_form(p: Producer | None = None, name: str = FISH_SAUCE, cycle_year: int = 2021):
    return register(p or producer(), cycle_year=cycle_year, form="01", product=fish_sauce(name), reference=None,
                    found=())


def certified(product_file: ProductFile, number: str = CERTIFICATE) -> None:
    product_file.record_rating(ev.RatingRecorded(
        "EV-1", "provincial", "recognized", 4, 78.5, Certificate(number, date(2021, 12, 20), date(2024, 12, 19)),
        Decision("4567/QĐ-UBND", date(2021, 12, 20), "UBND tỉnh Thanh Hóa"), "2021-12-20T09:30:00+07:00", "e-1"))


def on_record(product_file: ProductFile, *registrations: Registration) -> ProductOnRecord:
    """The product as the handler loads it: its registrations, oldest first, and its file, all saved."""
    for aggregate in (product_file, *registrations):
        aggregate.collect()
    return ProductOnRecord(product_file.id, registrations, product_file)


def filed(form: tuple[Registration, ProductFile]) -> ProductOnRecord:
    registration, product_file = form
    return on_record(product_file, registration)


def again(record: ProductOnRecord | None, name: str = GRADED, cycle_year: int = 2023, p: Producer | None = None,
          reference: ProductReference | None = None):
    reference = reference or ProductReference(product_id=record.product_id if record else "p-unknown")
    return register(p or producer(), cycle_year=cycle_year, form="02", product=fish_sauce(name), reference=reference,
                    found=(record,) if record else ())


# ------------------------------------------------------------------------------------------- form 02 keeps the id


def test_a_product_registered_again_under_a_new_name_keeps_its_id_and_its_file_records_the_rename():
    first, first_file = first_form()
    certified(first_file)
    record = on_record(first_file, first)

    registration, product_file = again(record)

    assert registration.product_id == first.product_id and product_file is record.file
    assert registration.id == registration_id_for("htx-cu-nham", GRADED, 2023) != first.id
    assert (registration.product.name, registration.submitted.form) == (GRADED, "02")
    renamed, filed = product_file.collect()
    assert renamed == ev.ProductRenamed(FISH_SAUCE, GRADED, 2023, registration.id)
    assert filed == ev.RegistrationFiled(registration.id, 2023, "02", "htx-cu-nham", GRADED)
    assert product_file.version == 4  # filed 2021, rated, renamed, filed 2023


def test_a_product_registered_again_under_its_name_is_filed_without_a_rename():
    record = filed(first_form())

    registration, product_file = again(record, name=FISH_SAUCE)

    assert registration.product_id == record.product_id
    assert [e.event_type for e in product_file.collect()] == ["RegistrationFiled"]


def test_a_product_may_be_named_by_a_certificate_it_held():
    first, first_file = first_form()
    certified(first_file)

    registration, _ = again(on_record(first_file, first), reference=ProductReference(certificate_number=CERTIFICATE))

    assert registration.product_id == first.product_id


def test_the_first_form_opens_the_products_file():
    registration, product_file = first_form()

    assert product_file.id == registration.product_id == product_id_for("htx-cu-nham", FISH_SAUCE)
    assert product_file.collect() == [ev.RegistrationFiled(registration.id, 2021, "01", "htx-cu-nham", FISH_SAUCE)]


def test_a_products_file_events_and_certificates_replay_from_the_store():
    _, product_file = again(filed(first_form()))
    certified(product_file, "OCOP-TH-2023-002")
    events = product_file.collect()

    reloaded = ProductFile(product_file.id)
    for event in events:
        reloaded.replay(stored_and_read_back(event))

    assert [stored_and_read_back(e) for e in events] == events
    assert reloaded.held("OCOP-TH-2023-002") and not reloaded.held(CERTIFICATE)


# ------------------------------------------------------------------------------------------- refusals


def test_form_02_naming_no_registered_product_is_unknown_naming_the_field_it_used():
    with pytest.raises(UnknownProduct) as by_id:
        again(None, reference=ProductReference(product_id="p-nobody"))
    with pytest.raises(UnknownProduct) as by_certificate:
        again(None, reference=ProductReference(certificate_number="OCOP-TH-2021-999"))

    assert by_id.value.field == "existing_product.product_id" and "p-nobody" in str(by_id.value)
    assert by_certificate.value.field == "existing_product.certificate_number"
    assert "OCOP-TH-2021-999" in str(by_certificate.value)


def test_a_certificate_the_product_never_held_does_not_name_it():
    record = filed(first_form())

    with pytest.raises(UnknownProduct) as raised:
        again(record, reference=ProductReference(certificate_number="OCOP-TH-2021-015"))

    assert raised.value.field == "existing_product.certificate_number"
    assert record.file.collect() == []


def test_form_02_naming_another_producers_product_is_refused():
    record = filed(first_form(producer("htx-khac")))

    with pytest.raises(ProductOfAnotherProducer) as raised:
        again(record)

    assert raised.value.field == "existing_product.product_id" and "htx-cu-nham" in str(raised.value)


def test_a_product_is_registered_once_a_cycle_whatever_name_the_second_form_gives():
    first, product_file = first_form(cycle_year=2021)
    second, _ = again(on_record(product_file, first), name=FISH_SAUCE, cycle_year=2023)
    record = on_record(product_file, first, second)

    with pytest.raises(DuplicateRegistration) as raised:
        again(record, name="Nước mắm Cự Nham đặc biệt", cycle_year=2023)

    assert raised.value.field == "existing_product.product_id" and "2023" in str(raised.value)


def test_form_02_comes_after_the_products_last_cycle():
    record = filed(first_form(cycle_year=2022))

    with pytest.raises(DoesNotFit) as raised:
        again(record, cycle_year=2021)

    assert raised.value.field == "cycle_year" and "2022" in str(raised.value)


@pytest.mark.parametrize(("form", "reference"), [
    ("02", None),
    ("01", ProductReference(product_id="p-1")),
    ("02", ProductReference(product_id="p-1", certificate_number=CERTIFICATE)),
    ("02", ProductReference()),
], ids=["02-without-reference", "01-with-reference", "02-with-both", "02-with-neither"])
def test_a_reference_that_does_not_fit_the_form_is_invalid_naming_existing_product(form, reference):
    with pytest.raises(InvalidInput) as raised:
        ensure_well_formed(form, 2023, reference)
    assert raised.value.field == "existing_product"


def test_the_form_itself_is_checked_before_its_reference():
    with pytest.raises(InvalidInput) as raised:
        ensure_well_formed("03", 2023, ProductReference(product_id="p-1"))
    assert raised.value.field == "form"


def test_form_01_for_a_product_registered_before_under_its_name_is_refused_naming_form():
    record = filed(first_form(cycle_year=2021))

    with pytest.raises(NotANewProduct) as raised:
        register(producer(), cycle_year=2023, form="01", product=fish_sauce("NƯỚC MẮM  cự nham"), reference=None,
                 found=(record,))

    assert raised.value.field == "form" and record.product_id in str(raised.value) and "2021" in str(raised.value)


def test_a_new_product_may_take_the_old_name_of_a_renamed_product_and_gets_an_id_of_its_own():
    first, product_file = first_form(cycle_year=2021)
    renamed, _ = again(on_record(product_file, first), cycle_year=2022)
    record = on_record(product_file, first, renamed)
    assert record.product_id == product_id_for("htx-cu-nham", FISH_SAUCE)  # the id the old name gives is taken

    registration, new_file = register(producer(), cycle_year=2023, form="01", product=fish_sauce(), reference=None,
                                      found=(record,))

    assert registration.product_id == product_id_for("htx-cu-nham", FISH_SAUCE, 2023) != record.product_id
    assert new_file.id == registration.product_id and record.file.collect() == []


def test_form_01_under_the_new_name_of_a_renamed_product_is_refused_naming_form():
    first, product_file = first_form(cycle_year=2021)
    renamed, _ = again(on_record(product_file, first), cycle_year=2022)
    record = on_record(product_file, first, renamed)

    with pytest.raises(NotANewProduct) as raised:
        register(producer(), cycle_year=2023, form="01", product=fish_sauce(GRADED), reference=None, found=(record,))

    assert raised.value.field == "form" and GRADED in str(raised.value)


def test_form_01_under_a_name_registered_in_this_very_cycle_is_the_cycles_duplicate():
    """A form read before another one of the same name committed meets it as the duplicate, not as an older one."""
    record = filed(first_form(cycle_year=2023))

    with pytest.raises(DuplicateRegistration) as raised:
        register(producer(), cycle_year=2023, form="01", product=fish_sauce(), reference=None, found=(record,))

    assert raised.value.field == "product.name"


def test_two_products_of_one_producer_with_one_folded_name_in_a_cycle_meet_on_one_registration():
    """A form 02 renaming a product to the name another one has in the cycle is refused as that name's duplicate."""
    other, _ = first_form(name=GRADED, cycle_year=2023)
    registration, _ = again(filed(first_form()), name="nước mắm cự nham LOẠI 1", cycle_year=2023)

    assert registration.id == other.id
    with pytest.raises(DuplicateRegistration) as raised:
        ensure_first_registration("htx-cu-nham", registration.product.name, 2023, registered=True)
    assert raised.value.field == "product.name"
