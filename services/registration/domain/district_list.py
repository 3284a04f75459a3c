"""Danh sách sản phẩm: the district's selected products, sent to the provincial Coordination Office."""

from __future__ import annotations

from services.registration.domain import events as ev
from services.registration.domain.errors import DoesNotFit
from services.registration.domain.registration import Registration
from shared.aggregate import Aggregate, DomainEvent


class DistrictList(Aggregate):
    stream_type = "district-list"
    event_types = {"DistrictListSent": ev.DistrictListSent}

    sent: ev.DistrictListSent

    @classmethod
    def send(cls, list_id: str, district_code: str, cycle_year: int, registrations: list[Registration]) -> DistrictList:
        """All or nothing: every registration is checked before any of them is sent."""
        if not registrations:
            raise DoesNotFit("the list is empty: the district has no selected registration to send",
                               field="registration_ids")
        for registration in registrations:
            if registration.district_code != district_code:
                raise DoesNotFit(f"registration {registration.id} belongs to district {registration.district_code}",
                                   field="registration_ids")
            if registration.cycle_year != cycle_year:
                raise DoesNotFit(f"registration {registration.id} is of cycle {registration.cycle_year}",
                                   field="registration_ids")
            registration.ensure_can_be_sent()
        for registration in registrations:
            registration.send_to_province(list_id)
        district_list = cls(list_id)
        district_list.record(ev.DistrictListSent(
            district_code, cycle_year, [r.id for r in registrations], [r.product_id for r in registrations]
        ))
        return district_list

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, ev.DistrictListSent):
            self.sent = event
