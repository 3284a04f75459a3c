"""The registration season: plan it from the seed, play it through the API, report it."""

from __future__ import annotations

import asyncio
import random
import secrets
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ocop.demo import data
from ocop.demo.client import DemoContext, DemoError

STATUSES = ("submitted", "proposed", "returned", "selected", "rejected", "sent_to_province")
RETURN_SHARE, REJECT_SHARE, SECOND_PRODUCT_SHARE = 0.15, 0.10, 0.25



# ----------------------------------------------------------------------------------------------------- the season's plan


@dataclass
class DemoRegistration:
    """One product's form: what the plan decided, then what the API answered."""

    name: str
    product_set: int
    sector: str
    form: str
    description: str
    completed_description: str
    outcome: str  # "select" | "return" (then resubmitted and selected) | "reject"
    return_reasons: list[tuple[str, str]] = field(default_factory=list)  # (reason, what the resubmission adds)
    rejection_reason: str | None = None
    registration_id: str | None = None
    product_id: str | None = None
    status: str = "planned"
    version: int | None = None
    returned: bool = False
    list_id: str | None = None
    correlation_id: uuid.UUID | None = None  # one flow: every event of this form carries it

    def body(self, description: str) -> dict[str, Any]:
        return {"name": self.name, "product_set": self.product_set, "description": description}


@dataclass
class DemoProducer:
    producer_id: str
    name: str
    legal_form: str
    district_code: str
    commune_code: str
    commune_name: str
    business_registration_number: str | None
    registrations: list[DemoRegistration]


@dataclass(frozen=True)
class District:
    code: str
    name: str
    communes: dict[str, str]  # name → code


def _place(commune_name: str) -> str:
    for prefix in ("Thị trấn ", "Phường ", "Xã "):
        if commune_name.startswith(prefix):
            return commune_name[len(prefix):]
    return commune_name


def _unique(candidates: Sequence[str], used: set[str]) -> str:
    for candidate in candidates:
        if candidate not in used:
            used.add(candidate)
            return candidate
    n = 2
    while f"{candidates[0]} số {n}" in used:
        n += 1
    used.add(f"{candidates[0]} số {n}")
    return f"{candidates[0]} số {n}"


def _person(rng: random.Random) -> tuple[str, str]:
    """A full Vietnamese name and how a product bearing it would be called ("Bà Lan", "Ông Hùng")."""
    surname = rng.choice(data.SURNAMES)
    if rng.random() < 0.55:
        given = rng.choice([g for g in data.FEMALE_GIVEN if g != surname])
        return f"{surname} {rng.choice(data.FEMALE_MIDDLE)} {given}", f"Bà {given}"
    given = rng.choice([g for g in data.MALE_GIVEN if g != surname])
    return f"{surname} {rng.choice(data.MALE_MIDDLE)} {given}", f"Ông {given}"


def _producer_identity(rng: random.Random, legal_form: str, template: data.ProductTemplate, commune_name: str,
                       used: set[str]) -> tuple[str, str, str | None]:
    """(name, brand for its products' names, business registration number)."""
    place = _place(commune_name)
    trade = template.trade
    if legal_form == "enterprise":
        brands = rng.sample(data.ENTERPRISE_BRANDS, len(data.ENTERPRISE_BRANDS))
        kind = rng.choice(data.ENTERPRISE_KINDS)
        name = _unique([f"{kind} {brand}" for brand in brands], used)
        return name, name.removeprefix(f"{kind} "), f"28{rng.randrange(10**8):08d}"
    if legal_form == "cooperative":
        name = _unique([f"HTX {trade[0].upper()}{trade[1:]} {place}", f"HTX Nông nghiệp và Dịch vụ {place}",
                        f"HTX Sản xuất và Thương mại {place}"], used)
        return name, place, f"2807{rng.randrange(10**6):06d}"
    if legal_form == "cooperative_group":
        return _unique([f"Tổ hợp tác {trade} {place}"], used), place, None
    for _ in range(20):
        full_name, brand = _person(rng)
        if f"Hộ kinh doanh {full_name}" not in used:
            break
    return _unique([f"Hộ kinh doanh {full_name}"], used), brand, f"28H8{rng.randrange(10**6):06d}"


def _variant(rng: random.Random, name: str, brand: str) -> str:
    """Another producer's product of the same kind: "Nem chua Thanh Hóa Bà Lan", "Miến gạo Xuân Lập truyền thống"."""
    return f"{name} {brand}" if brand not in name else f"{name} {rng.choice(data.PRODUCT_QUALIFIERS)}"


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + "." if dot else text


def plan_season(ctx: DemoContext, districts: Sequence[District], sectors: dict[int, str],
                producers: int) -> list[DemoProducer]:
    """Decide the whole season from the context's random source: who, where, which products, which outcome."""
    rng = ctx.rng
    chosen = list(districts)
    if producers < len(chosen):
        chosen = sorted(rng.sample(chosen, producers), key=lambda d: d.code)
    # Every district gets one producer, the rest go where there are more typical products.
    counts = Counter({d.code: 1 for d in chosen})
    weights = [len(data.DISTRICT_PRODUCTS[d.code]) for d in chosen]
    for district in rng.choices(chosen, weights=weights, k=producers - len(chosen)):
        counts[district.code] += 1

    planned: list[DemoProducer] = []
    used_names: set[str] = set()
    forms = list(data.LEGAL_FORM_WEIGHTS)
    for district in chosen:
        templates = [t for t in data.DISTRICT_PRODUCTS[district.code] if t.product_set in sectors]
        if not templates:
            raise DemoError(f"none of the demo's products of district {district.code} has a product set the service knows")
        deck: list[data.ProductTemplate] = []
        made: Counter[str] = Counter()
        for _ in range(counts[district.code]):
            wanted = 2 if rng.random() < SECOND_PRODUCT_SHARE and len(templates) > 1 else 1
            products: list[data.ProductTemplate] = []
            while len(products) < wanted:
                if not deck:
                    deck = rng.sample(templates, len(templates))
                candidate = deck.pop()
                if candidate not in products:
                    products.append(candidate)
            known = [c for c in products[0].communes if c in district.communes]
            commune_name = rng.choice(known or sorted(district.communes))
            legal_form = rng.choices(forms, weights=list(data.LEGAL_FORM_WEIGHTS.values()))[0]
            name, brand, brn = _producer_identity(rng, legal_form, products[0], commune_name, used_names)
            registrations = []
            for template in products:
                made[template.name] += 1
                product_name = template.name if made[template.name] == 1 else _variant(rng, template.name, brand)
                registrations.append(DemoRegistration(
                    name=product_name,
                    product_set=template.product_set,
                    sector=sectors[template.product_set],
                    form="01",  # every product of a run is new to the programme: form 02 names one registered before
                    description=template.description,
                    completed_description=template.description,
                    outcome="select",
                ))
            planned.append(DemoProducer(
                producer_id=ctx.producer_id(len(planned) + 1),
                name=name,
                legal_form=legal_form,
                district_code=district.code,
                commune_code=district.communes[commune_name],
                commune_name=commune_name,
                business_registration_number=brn,
                registrations=registrations,
            ))
    _decide_outcomes(rng, planned)
    return planned


def _decide_outcomes(rng: random.Random, producers: list[DemoProducer]) -> None:
    """~15% returned then resubmitted, ~10% rejected; each district's first form is kept, so every list has one."""
    everything = [r for p in producers for r in p.registrations]
    firsts = {id(next(r for p in producers if p.district_code == d for r in p.registrations))
              for d in {p.district_code for p in producers}}
    total = len(everything)
    rejected = max(round(total * REJECT_SHARE), 1 if total >= 4 else 0)
    returned = max(round(total * RETURN_SHARE), 1 if total >= 4 else 0)
    candidates = [r for r in everything if id(r) not in firsts]
    rejected = min(rejected, len(candidates))
    for registration in rng.sample(candidates, rejected):
        registration.outcome = "reject"
        registration.rejection_reason = rng.choice(data.REJECTION_REASONS)
    others = [r for r in everything if r.outcome == "select"]
    for registration in rng.sample(others, min(returned, len(others))):
        pool = list(data.GENERAL_RETURN_REASONS)
        if registration.sector in data.FOOD_SECTORS:
            pool += data.FOOD_RETURN_REASONS
        registration.outcome = "return"
        registration.return_reasons = rng.sample(pool, rng.choice((1, 1, 2)))
        complete = registration.description
        registration.description = _first_sentence(complete)
        added = "; ".join(supplement for _, supplement in registration.return_reasons)
        registration.completed_description = f"{complete} Hồ sơ bổ sung: {added}."


# ----------------------------------------------------------------------------------------------------- the season


@dataclass
class SeasonReport:
    """What ``registration_season`` did and what the API says about it."""

    title: str
    cycle_year: int
    districts: dict[str, str]
    producers: list[DemoProducer]
    lists: dict[str, dict[str, Any]]
    counts: Counter[tuple[str, str]]  # (district, status) → registrations of this run, as the API lists them
    resubmitted: Counter[str]  # district → returned-and-resubmitted registrations of this run, from the API
    cycle_totals: dict[str, int]  # district → registrations of the cycle in the system (all runs), from /summary
    events_produced: int
    events_published: int | None  # None: the outbox did not drain before the deadline
    outbox: dict[str, Any]
    staff: int
    requests: int
    elapsed: float
    problems: list[str] = field(default_factory=list)

    @property
    def registrations(self) -> list[DemoRegistration]:
        return [r for p in self.producers for r in p.registrations]

    @property
    def ok(self) -> bool:
        return not self.problems

    def totals(self) -> dict[str, int]:
        registrations = self.registrations
        return {
            "producers": len(self.producers),
            "registrations": len(registrations),
            "returned_and_resubmitted": sum(r.returned for r in registrations),
            "rejected": sum(r.status == "rejected" for r in registrations),
            "sent_to_province": sum(r.status == "sent_to_province" for r in registrations),
            "district_lists": len(self.lists),
            "events_produced": self.events_produced,
            "events_published": self.events_published or 0,
        }

    def render(self, console: Console) -> None:
        statuses = [s for s in STATUSES if any(self.counts[(d, s)] for d in self.districts)]
        table = Table(title=f"{self.title}: this run by district and status",
                      caption=f"from GET /registrations?producer_id=… of this run; all runs: every registration of cycle"
                              f" {self.cycle_year} in the system, from GET /summary")
        table.add_column("District", no_wrap=True)
        for status in statuses:
            table.add_column(status.replace("_to_", " to\n"), justify="right")
        table.add_column("returned,\nresubmitted", justify="right")
        table.add_column("total", justify="right", style="bold")
        table.add_column("all\nruns", justify="right", style="dim")
        for code, name in self.districts.items():
            row = [self.counts[(code, s)] for s in statuses]
            table.add_row(f"{code} {name}", *map(str, row), str(self.resubmitted[code]), str(sum(row)),
                          str(self.cycle_totals.get(code, 0)))
        column_totals = [sum(self.counts[(d, s)] for d in self.districts) for s in statuses]
        table.add_row("Total", *map(str, column_totals), str(sum(self.resubmitted.values())), str(sum(column_totals)),
                      str(sum(self.cycle_totals.get(d, 0) for d in self.districts)), style="bold")
        console.print(table)

        t = self.totals()
        published = (f"{t['events_published']} (outbox drained)" if self.events_published is not None
                     else f"unconfirmed: {self.outbox.get('outbox_pending')} still pending in the outbox")
        totals = Table(title="Season totals", show_header=False)
        totals.add_column("what")
        totals.add_column("how many", justify="right")
        for label, value in (
            ("Producers registered", t["producers"]),
            ("Registrations submitted", t["registrations"]),
            ("Returned and resubmitted", t["returned_and_resubmitted"]),
            ("Rejected", t["rejected"]),
            ("Sent to province", t["sent_to_province"]),
            ("District lists sent", t["district_lists"]),
            ("ProductRegistered events produced by the lists", t["events_produced"]),
            ("ProductRegistered events published", published),
            ("People played (tokens) / HTTP requests", f"{self.staff} / {self.requests}"),
            ("Elapsed", f"{self.elapsed:.1f} s"),
        ):
            totals.add_row(label, str(value))
        console.print(totals)
        for problem in self.problems:
            console.print(f"[bold red]problem:[/] {escape(problem)}")


async def _reference(ctx: DemoContext) -> tuple[list[District], dict[int, str]]:
    client = ctx.registration
    known = {d["code"]: d["name"] for d in await client.get("/reference/districts")}
    missing = [code for code in data.DISTRICT_PRODUCTS if code not in known]
    if missing:
        raise DemoError(f"the registration service does not know districts {', '.join(missing)} of the demo's data")
    communes = await _gather(client.get(f"/reference/districts/{code}/communes") for code in data.DISTRICT_PRODUCTS)
    districts = [District(code, known[code], {c["name"]: c["code"] for c in listed})
                 for code, listed in zip(data.DISTRICT_PRODUCTS, communes, strict=True)]
    sectors = {s["number"]: s["sector"] for s in await client.get("/reference/product-sets")}
    return districts, sectors


async def fresh_run_id(ctx: DemoContext, fixed: bool) -> None:
    """A run id whose first producer does not exist yet (a chosen run id that exists is an error)."""
    for _ in range(5):
        answer = await ctx.registration.request("GET", f"/producers/{ctx.producer_id(1)}", as_=ctx.staff.operator(),
                                                expect=(200, 404))
        if answer is None or (isinstance(answer, dict) and "producer_id" not in answer):
            return
        if fixed:
            raise DemoError(f"run {ctx.run_id} already exists on this system; choose another run id")
        ctx.run_id = secrets.token_hex(3)
    raise DemoError("could not find an unused run id")


async def _intake(ctx: DemoContext, producer: DemoProducer) -> None:
    """The commune officer registers the producer, submits each form and proposes it to the district."""
    client, officer = ctx.registration, ctx.staff.commune_officer(producer.district_code, producer.commune_code)
    await client.post("/producers", {
        "producer_id": producer.producer_id,
        "name": producer.name,
        "legal_form": producer.legal_form,
        "district_code": producer.district_code,
        "commune_code": producer.commune_code,
        "business_registration_number": producer.business_registration_number,
    }, as_=officer)
    note = data.PROPOSAL_NOTE.format(commune=producer.commune_name, year=ctx.cycle_year)
    for registration in producer.registrations:
        correlation = registration.correlation_id = uuid.uuid4()
        view = await client.post("/registrations", {
            "producer_id": producer.producer_id,
            "cycle_year": ctx.cycle_year,
            "form": registration.form,
            "product": registration.body(registration.description),
        }, as_=officer, correlation_id=correlation)
        registration.registration_id, registration.product_id = view["registration_id"], view["product_id"]
        _took(registration, view)
        view = await client.post(f"/registrations/{registration.registration_id}/commune-proposal",
                                 {"note": note, "expected_version": registration.version},
                                 as_=officer, correlation_id=correlation)
        _took(registration, view)


def _took(registration: DemoRegistration, view: dict[str, Any]) -> None:
    registration.status, registration.version = view["status"], view["version"]


async def _review(ctx: DemoContext, producer: DemoProducer, registration: DemoRegistration) -> None:
    """The district officer returns, rejects or selects; a returned form comes back complete from the commune."""
    client = ctx.registration
    officer = ctx.staff.district_officer(producer.district_code)
    path = f"/registrations/{registration.registration_id}"
    correlation = registration.correlation_id
    if registration.outcome == "return":
        _took(registration, await client.post(f"{path}/return", {
            "reasons": [reason for reason, _ in registration.return_reasons], "expected_version": registration.version,
        }, as_=officer, correlation_id=correlation))
        registration.returned = True
        commune = ctx.staff.commune_officer(producer.district_code, producer.commune_code)
        _took(registration, await client.post(f"{path}/resubmission", {
            "product": registration.body(registration.completed_description),
            "note": data.RESUBMISSION_NOTE,
            "expected_version": registration.version,
        }, as_=commune, correlation_id=correlation))
    if registration.outcome == "reject":
        _took(registration, await client.post(f"{path}/rejection", {
            "reason": registration.rejection_reason, "expected_version": registration.version,
        }, as_=officer, correlation_id=correlation))
    else:
        _took(registration, await client.post(f"{path}/selection", {
            "note": data.SELECTION_NOTE, "expected_version": registration.version,
        }, as_=officer, correlation_id=correlation))


async def _send_list(ctx: DemoContext, district: str, producers: list[DemoProducer]) -> dict[str, Any] | None:
    """The district sends its selected products of this run (named, so other runs' forms are not swept along)."""
    selected = [r for p in producers if p.district_code == district for r in p.registrations if r.status == "selected"]
    if not selected:
        return None
    sent = await ctx.registration.post(f"/districts/{district}/lists", {
        "cycle_year": ctx.cycle_year, "registration_ids": [r.registration_id for r in selected],
    }, as_=ctx.staff.district_officer(district))
    if sorted(sent["registration_ids"]) != sorted(r.registration_id for r in selected):
        raise DemoError(f"district {district}'s list does not hold the forms it was sent with: {sent['registration_ids']}")
    for registration in selected:
        registration.status, registration.list_id = "sent_to_province", sent["list_id"]
    return sent


async def _gather(aws: Iterable[Awaitable[Any]]) -> list[Any]:
    """Run concurrently; the first failure cancels the rest and is raised."""
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def registration_season(ctx: DemoContext, producers: int = 40) -> SeasonReport:
    """Step one: a registration season in several districts, up to the lists sent to the province."""
    started = time.monotonic()
    client, say = ctx.registration, ctx.say
    districts, sectors = await _reference(ctx)
    planned = plan_season(ctx, districts, sectors, producers)
    used = {p.district_code for p in planned}
    names = {d.code: d.name for d in districts if d.code in used}
    everything = [(p, r) for p in planned for r in p.registrations]
    say(f"season {ctx.cycle_year}: {len(planned)} producers, {len(everything)} products in {len(names)} districts"
        f" ({', '.join(names.values())})")

    await _gather(_intake(ctx, p) for p in planned)
    say(f"  communes registered {len(planned)} producers and proposed {len(everything)} forms")
    await _gather(_review(ctx, p, r) for p, r in everything)
    count = Counter(r.outcome for _, r in everything)
    say(f"  districts returned {count['return']} forms (resubmitted), rejected {count['reject']},"
        f" selected {count['select'] + count['return']}")
    sent = await _gather(_send_list(ctx, code, planned) for code in names)
    lists = {code: s for code, s in zip(names, sent, strict=True) if s is not None}
    produced = sum(len(s["registration_ids"]) for s in lists.values())
    say(f"  {len(lists)} district lists sent to the province: {produced} ProductRegistered events; waiting for the outbox")

    drained, outbox = await client.wait_outbox_drained(ctx.staff.operator(), ctx.drain_timeout)
    problems = []
    if not drained:
        problems.append(f"the registration outbox still holds {outbox.get('outbox_pending')} events after"
                        f" {ctx.drain_timeout:.0f}s (is the broker up? see `GET /ops/status`)")
    counts, resubmitted, api_problems = await _as_the_api_lists_them(ctx, planned)
    problems += api_problems
    if sum(resubmitted.values()) != sum(r.returned for _, r in everything):
        problems.append(f"GET /registrations shows {sum(resubmitted.values())} returned forms, the demo returned"
                        f" {sum(r.returned for _, r in everything)}")
    summary = await client.get("/summary", as_=ctx.staff.provincial_office(), params={"cycle_year": ctx.cycle_year})
    cycle_totals: Counter[str] = Counter()
    for row in summary:
        cycle_totals[row["district_code"]] += row["count"]
    for (district, status), n in counts.items():
        if n > sum(r["count"] for r in summary if r["district_code"] == district and r["status"] == status):
            problems.append(f"GET /summary counts fewer {status} forms in {district} than this run alone made")
    unsent = [code for code in names if code not in lists]
    problems += [f"district {code} sent no list" for code in unsent]
    ctx.shared["season"] = planned
    return SeasonReport(
        title=f"Registration season {ctx.cycle_year}",
        cycle_year=ctx.cycle_year,
        districts=names,
        producers=planned,
        lists=lists,
        counts=counts,
        resubmitted=resubmitted,
        cycle_totals=dict(cycle_totals),
        events_produced=produced,
        events_published=produced if drained else None,
        outbox=outbox,
        staff=ctx.staff.people,
        requests=client.requests,
        elapsed=time.monotonic() - started,
        problems=problems,
    )


async def _as_the_api_lists_them(
    ctx: DemoContext, planned: list[DemoProducer]
) -> tuple[Counter[tuple[str, str]], Counter[str], list[str]]:
    """This run's registrations as ``GET /registrations?producer_id=`` lists them, checked against what the demo did."""
    reader = ctx.staff.provincial_office()
    listed = await _gather(ctx.registration.get("/registrations", as_=reader, params={
        "producer_id": p.producer_id, "cycle_year": ctx.cycle_year, "limit": 500}) for p in planned)
    counts: Counter[tuple[str, str]] = Counter()
    resubmitted: Counter[str] = Counter()
    problems = []
    for producer, answer in zip(planned, listed, strict=True):
        rows = {row["registration_id"]: row for row in answer["items"]}
        for registration in producer.registrations:
            row = rows.pop(registration.registration_id, None)
            if row is None:
                problems.append(f"{registration.registration_id} ({registration.name}) is missing from GET /registrations")
            elif row["status"] != registration.status:
                problems.append(
                    f"{registration.registration_id} is {row['status']!r} in the API, {registration.status!r} here"
                )
        problems += [f"GET /registrations lists an unexpected {rid} for {producer.producer_id}" for rid in rows]
        for row in answer["items"]:
            counts[(row["district_code"], row["status"])] += 1
            if row.get("return_reasons"):
                resubmitted[row["district_code"]] += 1
    return counts, resubmitted, problems


