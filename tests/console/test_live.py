"""Pages update without a reload while the system runs: a registration submitted through the API shows on the
programme page already open in the browser, in its district's row, the page itself never reloaded."""

from __future__ import annotations

import uuid

import httpx
from playwright.sync_api import expect

from shared.contracts.roles import Role
from tests.console.browser import sign_in
from tests.console.conftest import REFRESH_SECONDS, api_headers
from tests.registration.support import communes

DISTRICT = "394"  # Yên Định


def _submit_registration(registration_url: str) -> str:
    producer_id = f"live-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=registration_url, timeout=30) as client:
        producer = client.post("/producers", headers=api_headers(Role.district_officer, DISTRICT), json={
            "producer_id": producer_id, "name": f"HTX Chè Xanh {producer_id}", "legal_form": "cooperative",
            "district_code": DISTRICT, "commune_code": communes(DISTRICT)[0]})
        assert producer.status_code == 201, producer.text
        submitted = client.post("/registrations", headers=api_headers(Role.producer, None, actor=producer_id), json={
            "producer_id": producer_id, "cycle_year": 2021, "form": "01",
            "product": {"name": "Chè xanh Yên Định", "product_set": 6, "description": "làm thủ công"}})
        assert submitted.status_code == 201, submitted.text
        return submitted.json()["registration_id"]


def _submitted(page) -> int:
    cell = page.locator(f"#pipeline-{DISTRICT} [data-stage=submitted]")
    return int(cell.inner_text().replace(".", "")) if cell.count() else 0


def test_a_registration_shows_on_the_open_programme_page_without_a_reload(system, page):
    console = system["console"]
    sign_in(page, console, "provincial_office")
    before = _submitted(page)
    page.evaluate("window.__notReloaded = true")

    _submit_registration(system["registration"])

    # The poll refreshes #pipeline in place: the district's row counts one more submitted registration.
    cell = page.locator(f"#pipeline-{DISTRICT} [data-stage=submitted]")
    expect(cell).to_have_text(f"{before + 1:,}".replace(",", "."), timeout=REFRESH_SECONDS * 1000 * 15)
    assert page.evaluate("window.__notReloaded") is True, "the page was reloaded"
    assert page.url == console + "/"
    # And it is what the API says.
    summary = httpx.get(f"{system['registration']}/summary", params={"cycle_year": 2021},
                        headers=api_headers(), timeout=30).json()
    assert sum(row["count"] for row in summary if row["district_code"] == DISTRICT) == before + 1
