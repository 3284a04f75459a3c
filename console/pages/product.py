"""Product search (``/products``) and a product's page (``/products/{product_id}``): its whole life as a timeline
across the four services, with a header that sums it up (current stars, certificate, money received).

The timeline is monitoring's audit timeline (every public event about the product, each with its service, actor and
trace), read page by page up to :data:`TIMELINE_PAGES` pages of 1,000; the header and the sections under it come
from registration's product history, rating's rating history, finance's money of the product and monitoring's
register entry. A district officer sees only the products of their district: another district's is a 403 page.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse

from console.formatting import today
from console.gateway import Refusal, gather, segment
from console.rendering import render
from console.session import Page, Viewer, viewer_for

router = APIRouter()

SEARCH_PAGE = 50
TIMELINE_PAGE = 1000
#: At most this many timeline pages are read for one product (a note says when there are more).
TIMELINE_PAGES = 5
PRODUCT_ID = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$"
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


async def _districts(gateway: Any, token: str) -> dict[str, str]:
    answer = await gateway.get(token, "registration", "/reference/districts")
    return {d["code"]: d["name"] for d in answer} if isinstance(answer, list) else {}


@router.get("/products", include_in_schema=False)
async def search(request: Request, viewer: Annotated[Viewer, Depends(viewer_for(Page.product))],
                 q: Annotated[str | None, Query(max_length=200)] = None,
                 offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0):
    """By product or producer name (with or without diacritics: registration folds both sides), or a product id."""
    q = (q or "").strip()
    if UUID.match(q):
        return RedirectResponse(f"/products/{q.lower()}", status_code=303)
    gateway = request.app.state.gateway
    found: Any = None
    districts, found = await gather(
        _districts(gateway, viewer.token),
        gateway.get(viewer.token, "registration", "/registrations",
                    {"q": q, "district_code": viewer.scoped_district, "limit": SEARCH_PAGE, "offset": offset})
        if q else _nothing())
    return render(request, "product/search.html", viewer, page=Page.product, q=q, found=found, offset=offset,
                  page_size=SEARCH_PAGE, district_names=districts)


async def _nothing() -> None:
    return None


async def _timeline(gateway: Any, token: str, product_id: str) -> Any:
    """Every timeline entry of the product (up to :data:`TIMELINE_PAGES` pages): ``{total, items}`` or a refusal."""
    path = f"/timeline/products/{segment(product_id)}"
    first = await gateway.get(token, "monitoring", path, {"limit": TIMELINE_PAGE})
    if isinstance(first, Refusal):
        return first
    items, total = list(first["items"]), first["total"]
    pages = min(TIMELINE_PAGES, -(-total // TIMELINE_PAGE))
    for answer in await gather(*(gateway.get(token, "monitoring", path, {"limit": TIMELINE_PAGE,
                                                                          "offset": n * TIMELINE_PAGE})
                                 for n in range(1, pages))):
        if isinstance(answer, Refusal):
            return answer
        items.extend(answer["items"])
    return {"total": total, "items": items}


def _district_of(register: Any, rating: Any, money: Any) -> str | None:
    """The product's district, from whichever service knows the product."""
    if isinstance(register, dict) and register.get("product"):
        return register["product"]["district_code"]
    if isinstance(rating, dict):
        return rating["dossier"]["district_code"]
    if isinstance(money, dict) and money.get("product"):
        return money["product"]["district_code"]
    return None


def summary(register: Any, rating: Any, money: Any, on: date) -> dict[str, Any]:
    """The header: the certificate in force on ``on`` (else the latest one), money approved, paid and recovered (as
    finance totals the product's claims)."""
    held = latest = None
    if isinstance(register, dict) and register["certificates"]:
        latest = register["certificates"][-1]
        held = next((p for p in register["certificates"] if p["valid_from"] <= on.isoformat() <= p["last_day"]), None)
    totals = (money.get("totals") or {}) if isinstance(money, dict) else {}
    approved, paid, recovered = (totals.get(name, 0) for name in ("approved", "paid", "recovered"))
    return {"held": held, "latest": latest, "approved": approved, "paid": paid, "recovered": recovered,
            "received": paid - recovered, "status": rating["dossier"]["status"] if isinstance(rating, dict) else None}


def entries(timeline: Any, history: Any, register: Any, money: Any) -> list[dict[str, Any]]:
    """The timeline's entries with what the other services add: the rating's level, status, stars and score (from
    registration's record of the same event), its reason (monitoring's register), a reward's amount (finance)."""
    if not isinstance(timeline, dict):
        return []
    recorded = {h["data"].get("source_event_id"): h["data"] for h in history.get("history", [])
                } if isinstance(history, dict) else {}
    reasons = {(r["evaluation_id"], r["status"]): r["reason"] for r in register.get("ratings", [])
               } if isinstance(register, dict) else {}
    amounts = {c["claim_id"]: c["amount"] for c in money.get("claims", [])} if isinstance(money, dict) else {}
    shown = []
    for item in timeline["items"]:
        data = recorded.get(item["event_id"], {})
        refs = {ref["kind"]: ref for ref in item["references"]}
        entry = {**item, "data": data, "refs": item["references"], "kind": item["event_type"], "amount": None,
                 "reason": None}
        if item["event_type"] == "ProductRated" and data.get("status"):
            entry["kind"] = f"ProductRated.{data['status']}"
            entry["reason"] = reasons.get((data["evaluation_id"], data["status"]))
        if item["event_type"] == "RewardApproved" and "reward" in refs:
            entry["amount"] = amounts.get(refs["reward"]["value"])
        shown.append(entry)
    return shown


@router.get("/products/{product_id}", include_in_schema=False)
async def product(request: Request, viewer: Annotated[Viewer, Depends(viewer_for(Page.product))],
                  product_id: Annotated[str, Path(pattern=PRODUCT_ID)]):
    gateway, token = request.app.state.gateway, viewer.token
    register, rating, money, history, districts = await gather(
        gateway.get(token, "monitoring", f"/register/{segment(product_id)}"),
        gateway.get(token, "rating", f"/products/{segment(product_id)}/rating-history"),
        gateway.get(token, "finance", f"/products/{segment(product_id)}/money"),
        gateway.get(token, "registration", f"/products/{segment(product_id)}/history"),
        _districts(gateway, token))
    district = _district_of(register, rating, money)
    if district is None and isinstance(history, dict):
        producer = await gateway.get(token, "registration", f"/producers/{segment(history['producer_id'])}")
        district = producer.get("district_code") if isinstance(producer, dict) else None
    if district is None and not isinstance(history, dict):
        return render(request, "error.html", viewer, status_code=404, page=Page.product,
                      message_key="product.not_found", message_values={"product_id": product_id})
    if viewer.scoped_district and district != viewer.scoped_district:
        return render(request, "error.html", viewer, status_code=403, page=Page.product,
                      message_key="product.other_district", message_values={"district": viewer.scoped_district})
    timeline, registrations = await gather(_timeline(gateway, token, product_id),
                                           _registrations(gateway, token, history))
    return render(request, "product/product.html", viewer, page=Page.product, product_id=product_id,
                  register=register, rating=rating, money=money, history=history, timeline=timeline,
                  entries=entries(timeline, history, register, money), registrations=registrations,
                  district=district, district_names=districts, summary=summary(register, rating, money, today()),
                  name=_name(register, rating, history, product_id), timeline_cap=TIMELINE_PAGES * TIMELINE_PAGE)


async def _registrations(gateway: Any, token: str, history: Any) -> list[Any]:
    """Each registration of the product (one per cycle it entered) with its steps, as registration keeps them."""
    if not isinstance(history, dict):
        return []
    return await gather(*(gateway.get(token, "registration", f"/registrations/{segment(r['registration_id'])}")
                          for r in history["registrations"]))


def _name(register: Any, rating: Any, history: Any, product_id: str) -> str:
    if isinstance(history, dict) and history.get("name"):
        return history["name"]
    if isinstance(register, dict) and register.get("product"):
        return register["product"]["name"]
    if isinstance(rating, dict):
        return rating["dossier"]["product_name"]
    return product_id
