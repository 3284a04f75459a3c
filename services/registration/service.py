"""The registration service (đăng ký sản phẩm OCOP): producers, forms, district review, the lists sent to the province."""

from pathlib import Path

from services.registration.adapters.projection import RegistrationProjection
from services.registration.application.translators import PUBLISHER
from services.registration.bootstrap import bootstrap
from services.registration.domain.district_list import DistrictList
from services.registration.domain.errors import (
    AlreadyExists,
    DoesNotFit,
    DuplicateRegistration,
    IllegalTransition,
    InvalidInput,
    NotANewProduct,
    ProductOfAnotherProducer,
    UnknownProduct,
)
from services.registration.domain.producer import Producer
from services.registration.domain.product_file import ProductFile
from services.registration.domain.registration import Registration
from services.registration.entrypoints.api import router
from services.registration.entrypoints.subscribers import SUBSCRIPTIONS
from shared.events import EventRegistry
from shared.runtime import ServiceDefinition

definition = ServiceDefinition(
    name="registration",
    events=EventRegistry.of(Producer, Registration, DistrictList, ProductFile),
    migrations=Path(__file__).parent / "migrations",
    projections=lambda: (RegistrationProjection(),),
    subscriptions=SUBSCRIPTIONS,
    routers=(router,),
    errors={
        InvalidInput: (422, "invalid_input"),
        IllegalTransition: (409, "illegal_transition"),
        DoesNotFit: (409, "does_not_fit"),
        DuplicateRegistration: (409, "duplicate_registration"),
        AlreadyExists: (409, "already_exists"),
        UnknownProduct: (404, "unknown_product"),
        ProductOfAnotherProducer: (409, "product_of_another_producer"),
        NotANewProduct: (409, "not_a_new_product"),
    },
    bootstrap=bootstrap,
    publishers=(PUBLISHER,),
)
