"""The registration service (đăng ký sản phẩm OCOP): producers, forms, district review, the lists sent to the province."""

from pathlib import Path

from services.registration.adapters.projection import RegistrationProjection
from services.registration.domain.errors import AlreadyExists, DuplicateRegistration, IllegalTransition, InvalidInput
from services.registration.entrypoints.api import router
from services.registration.entrypoints.subscribers import SUBSCRIPTIONS
from shared.runtime import ServiceDefinition

definition = ServiceDefinition(
    name="registration",
    migrations=Path(__file__).parent / "migrations",
    projections=lambda: (RegistrationProjection(),),
    subscriptions=SUBSCRIPTIONS,
    routers=(router,),
    errors={
        InvalidInput: (422, "invalid_input"),
        IllegalTransition: (409, "illegal_transition"),
        DuplicateRegistration: (409, "duplicate_registration"),
        AlreadyExists: (409, "already_exists"),
    },
)
