"""The rating season: councils, district sessions, provincial rounds and the central council, through the rating API.

It follows the registration season: once rating has opened a dossier for every product the districts sent, each
council is formed (or, when an earlier run formed it, reused), the plan of :mod:`ocop.demo.rating_plan` is played
session by session — every scoring member submits their own scorecard, the secretary finalises, the province and
the centre record their decisions — and what the API then reports is checked against the plan and summed up.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ocop.demo import data
from ocop.demo.client import ApiError, Credential, DemoContext, DemoError
from ocop.demo.rating_plan import PlannedSession, RatedProduct, expect, plan_rating
from ocop.demo.scoring import choices_for, member_totals, reachable
from ocop.demo.season import _gather

SPREAD = 8  # points between members' totals (the council re-scores over 10)
#: (level, outcome counted, as the summary names it)
LEVEL_ROWS = (
    ("district", "proposed", "proposed to the province"), ("district", "not_recognized", "not recognised"),
    ("provincial", "3★", "3★"), ("provincial", "4★", "4★"), ("provincial", "not_recognized", "not recognised"),
    ("provincial", "proposed", "proposed to the centre"),
    ("central", "5★", "5★"), ("central", "not_recognized", "not passed"),
)

# ----------------------------------------------------------------------------------------------------- councils


def _person(rng: random.Random) -> str:
    surname = rng.choice(data.SURNAMES)
    if rng.random() < 0.4:
        return f"{surname} {rng.choice(data.FEMALE_MIDDLE)} {rng.choice(data.FEMALE_GIVEN)}"
    return f"{surname} {rng.choice(data.MALE_MIDDLE)} {rng.choice(data.MALE_GIVEN)}"


def council_body(level: str, district_code: str | None, unit: str) -> dict[str, Any]:
    """The council's composition; the same for every run (its own seed), so a formed council is simply reused."""
    rng = random.Random(f"council:{level}:{district_code}")
    seats = {"district": data.DISTRICT_COUNCIL_SEATS, "provincial": data.PROVINCIAL_COUNCIL_SEATS,
             "central": data.CENTRAL_COUNCIL_SEATS}[level]
    prefix = f"hd-huyen-{district_code}" if level == "district" else f"hd-{'tinh' if level == 'provincial' else 'tw'}"
    names: set[str] = set()
    members = []
    for n, (role, organisation) in enumerate(seats, 1):
        name = _person(rng)
        while name in names:
            name = _person(rng)
        names.add(name)
        members.append({"member_id": f"{prefix}-{n:02d}", "name": name, "role": role,
                        "organisation": organisation.format(unit=unit)})
    return {"level": level, "district_code": district_code, "name": data.COUNCIL_NAME.format(unit=unit),
            "members": members}


@dataclass
class CouncilSeat:
    council: dict[str, Any]
    formed_now: bool

    @property
    def scorers(self) -> list[dict[str, Any]]:
        return [m for m in self.council["members"] if m["role"] in ("chair", "vice_chair", "member")]

    @property
    def secretary(self) -> dict[str, Any] | None:
        return next((m for m in self.council["members"] if m["role"] == "secretary"), None)


def _office(ctx: DemoContext, level: str, district_code: str | None) -> Credential:
    if level == "district":
        return ctx.staff.district_officer(str(district_code))
    return ctx.staff.provincial_office() if level == "provincial" else ctx.staff.central_office()


async def ensure_council(ctx: DemoContext, level: str, district_code: str | None, unit: str) -> CouncilSeat:
    """POST /councils; a 409 means an earlier run formed it: GET it and play its members."""
    body = council_body(level, district_code, unit)
    council_id = f"council-district-{district_code}" if level == "district" else f"council-{level}"
    try:
        return CouncilSeat(await ctx.rating.post("/councils", body, as_=_office(ctx, level, district_code)), True)
    except ApiError as exc:
        if exc.status != 409:
            raise
    return CouncilSeat(await ctx.rating.get(f"/councils/{council_id}", as_=_office(ctx, level, district_code)), False)


# ----------------------------------------------------------------------------------------------------- sessions


def _runner(ctx: DemoContext, session: PlannedSession, seat: CouncilSeat) -> Credential:
    """The council secretary opens and finalises the session (the level's office if the council has none)."""
    secretary = seat.secretary
    if secretary is None:
        return _office(ctx, session.level, session.district_code)
    return ctx.staff.council_secretary(secretary["member_id"], session.district_code)


async def _submit(ctx: DemoContext, path: str, body: dict[str, Any], who: Credential, tries: int = 6) -> None:
    for left in range(tries - 1, -1, -1):
        try:
            await ctx.rating.put(path, body, as_=who)
            return
        except ApiError as exc:  # members scoring one session at once may collide on its stream
            if exc.status != 409 or not left:
                raise
            await asyncio.sleep(random.uniform(0.02, 0.1))


async def play_session(ctx: DemoContext, session: PlannedSession, seat: CouncilSeat,
                       sheets: dict[int, dict[str, Any]]) -> None:
    """Open the session with its list, every scoring member scores every product, finalise, decide."""
    runner = _runner(ctx, session, seat)
    opened = await ctx.rating.post("/sessions", {
        "council_id": seat.council["council_id"], "cycle_year": ctx.cycle_year, "round": session.round,
        "title": session.title, "held_on": session.held_on.isoformat(),
        "product_ids": [e.product.product_id for e in session.examinations],
    }, as_=runner)
    session.session_id = sid = opened["session_id"]
    scorers = seat.scorers
    slots = asyncio.Semaphore(3)

    async def score(exam_index: int, member_index: int, total: int) -> None:
        exam, member = session.examinations[exam_index], scorers[member_index]
        sheet = sheets[exam.product.product_set]
        choices = choices_for(sheet, total, random.Random(f"{ctx.seed}:{session.key}:{exam.product.n}:{member_index}"))
        who = ctx.staff.council_member(member["member_id"], session.district_code)
        async with slots:
            await _submit(ctx, f"/sessions/{sid}/products/{exam.product.product_id}/scorecards/{member['member_id']}",
                          {"choices": choices, "note": data.SCORECARD_NOTES[session.level]}, who)

    cards = []
    for i, exam in enumerate(session.examinations):
        low, _ = reachable(sheets[exam.product.product_set])
        totals = member_totals(exam.target, len(scorers), random.Random(f"{ctx.seed}:{session.key}:{exam.product.n}"),
                               spread=SPREAD, bounds=(low, 100))
        cards += [score(i, m, total) for m, total in enumerate(totals)]
    await _gather(cards)
    await ctx.rating.post(f"/sessions/{sid}/finalisation", {"finalised_on": session.held_on.isoformat()}, as_=runner)
    if session.decision is not None:
        await ctx.rating.post(f"/sessions/{sid}/decision", session.decision, as_=_office(ctx, session.level, None))
    session.results = (await ctx.rating.get(f"/sessions/{sid}/results", as_=runner))["results"]


# ----------------------------------------------------------------------------------------------------- the report


@dataclass
class RatingReport:
    title: str
    cycle_year: int
    sessions: list[PlannedSession]
    councils: dict[str, bool]  # council id → formed by this run (False: reused)
    certificates: Counter[int]  # stars → this run's products holding a certificate at the end of the year
    certificates_all_runs: int
    proposed_for_five: int
    shown_round: str  # GET /sessions/{id}/results?format=text of one provincial round
    renamed_decisions: list[str]  # decision numbers an earlier run had recorded, suffixed with this run's id
    events_published: bool
    requests: int
    elapsed: float
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self, session: PlannedSession) -> Counter[str]:
        """Outcomes of one session as the API reports them: proposed, not_recognized, 3★, 4★, 5★."""
        counted: Counter[str] = Counter()
        for row in session.results:
            outcome = row["outcome"] or "none"
            counted["recognized" if outcome == "recognized" else outcome] += 1
            if outcome == "recognized":
                counted[f"{row['outcome_stars']}★"] += 1
        return counted

    @property
    def three_plus(self) -> int:
        return sum(n for stars, n in self.certificates.items() if stars >= 3)

    def progress(self) -> list[str]:
        def line(done: int, target: int, what: str) -> str:
            return f"{done} / {target} {what} ({round(100 * done / target)}%)"

        return [line(self.three_plus, data.PLAN_TARGET_3_STARS, "products at 3★+"),
                line(self.proposed_for_five, data.PLAN_TARGET_5_STAR_PROPOSALS, "products proposed for 5★")]

    def render(self, console: Console) -> None:
        table = Table(title=f"{self.title}: outcomes by session", box=None, padding=(0, 1, 0, 0), header_style="bold underline",
                      caption="from GET /sessions/{id}/results of this run's sessions; exam. = examined, of which"
                              " re-entries (re-ent.) and upgrade requests (up-gr.); ↑ proposed to the next level"
                              + ("; * decision number suffixed with the run id" if self.renamed_decisions else ""))
        for column in ("session", "held", "decision", "exam.", "re-\nent.", "up-\ngr.", "↑", "not\nrec.",
                       "3★", "4★", "5★"):
            table.add_column(column, justify="left" if column in ("session", "held", "decision") else "right",
                             no_wrap=True)
        for session in self.sessions:
            c = self.counts(session)
            purposes = Counter(r["purpose"] for r in session.results)
            decision = session.decision["number"] if session.decision else "—"
            decision = decision.split(" (demo ")[0] + "*" if " (demo " in decision else decision
            dash = "—" if session.level == "district" else None
            table.add_row(session.label, f"{session.held_on:%d/%m}", decision, str(len(session.results)),
                          str(purposes["re_entry"]), str(purposes["upgrade"]), str(c["proposed"]),
                          str(c["not_recognized"]), dash or str(c["3★"]), dash or str(c["4★"]), dash or str(c["5★"]))
        console.print(table)
        levels = Table(title="By level", show_header=True)
        for column in ("level", "outcome", "products"):
            levels.add_column(column, justify="right" if column == "products" else "left")
        for level, key, what in LEVEL_ROWS:
            levels.add_row(level, what, str(sum(self.counts(s)[key] for s in self.sessions if s.level == level)))
        console.print(levels)
        held = ", ".join(f"{stars}★ {self.certificates[stars]}" for stars in (5, 4, 3))
        say = lambda line: console.print(line, soft_wrap=True)  # one line each: readers and tests grep them
        say(f"Certificates held on 31/12/{self.cycle_year} by this run's products: {held}"
            f" (GET /certificates?as_of={self.cycle_year}-12-31; {self.certificates_all_runs} in the system, all runs)")
        for line in self.progress():
            say(f"Plan {self.cycle_year} (Kế hoạch 75/KH-UBND): {line}")
        reused = sum(not formed for formed in self.councils.values())
        say(f"Councils: {len(self.councils)} ({len(self.councils) - reused} formed, {reused} reused);"
            f" ProductRated events {'published (outbox drained)' if self.events_published else 'NOT all published'};"
            f" {self.requests} HTTP requests to rating in {self.elapsed:.1f} s")
        if self.renamed_decisions:
            say("Decision numbers an earlier run had recorded carry this run's id: "
                + escape(", ".join(self.renamed_decisions)))
        if self.shown_round:
            console.print(Text(self.shown_round), soft_wrap=True)
        for problem in self.problems:
            console.print(f"[bold red]problem:[/] {escape(problem)}")


# ----------------------------------------------------------------------------------------------------- the season


def _run_products(ctx: DemoContext) -> list[RatedProduct]:
    registrations = [(p, r) for p in ctx.shared.get("season", []) for r in p.registrations
                     if r.status == "sent_to_province"]
    return [RatedProduct(n, r.product_id, r.name, p.district_code, r.product_set)
            for n, (p, r) in enumerate(registrations, 1)]


async def wait_for_dossiers(ctx: DemoContext, products: list[RatedProduct], timeout: float) -> None:
    """Poll GET /dossiers/{id} until rating has opened a dossier for every product sent (ProductRegistered consumed)."""
    pending, reader = {p.product_id for p in products}, ctx.staff.provincial_office()
    deadline = time.monotonic() + timeout
    while pending:
        found = await _gather(ctx.rating.request("GET", f"/dossiers/{pid}", as_=reader, expect=(200, 404))
                              for pid in sorted(pending))
        pending -= {d["product_id"] for d in found if isinstance(d, dict) and d.get("product_id")}
        if not pending:
            return
        if time.monotonic() >= deadline:
            raise DemoError(f"rating has not opened a dossier for {len(pending)} of {len(products)} products after"
                            f" {timeout:.0f}s (is the rating service consuming ProductRegistered? see its /ops/status)")
        await asyncio.sleep(0.25)


async def _pages(ctx: DemoContext, path: str, params: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    items: list[dict[str, Any]] = []
    while True:
        page = await ctx.rating.get(path, as_=ctx.staff.provincial_office(), params={**params, "limit": 500,
                                                                                     "offset": len(items)})
        items += page["items"]
        if not page["items"] or len(items) >= page["total"]:
            return page["total"], items


async def _free_decision_numbers(ctx: DemoContext, sessions: list[PlannedSession]) -> list[str]:
    """A decision number an earlier run already recorded gets this run's id (certificates are numbered after it)."""
    _, decided = await _pages(ctx, "/sessions", {"status": "decided"})
    used = {s["decision"]["number"] for s in decided if s.get("decision")}
    renamed = []
    for session in sessions:
        if session.decision and session.decision["number"] in used:
            session.decision["number"] = f"{session.decision['number']} (demo {ctx.run_id})"
            renamed.append(session.decision["number"])
    return renamed


def _check(session: PlannedSession) -> list[str]:
    rows = {r["product_id"]: r for r in session.results}
    problems = []
    for exam in session.examinations:
        row = rows.get(exam.product.product_id)
        if row is None:
            problems.append(f"{session.label}: {exam.product.product_id} is missing from the results")
            continue
        stars = row["outcome_stars"] if exam.expected_stars is not None else None
        if row["outcome"] != exam.expected or stars != exam.expected_stars or float(row["average_score"]) != exam.target:
            problems.append(f"{session.label}: {exam.product.product_id} ({exam.product.name}) is {row['outcome']}"
                            f" {row['outcome_stars']}★ at {row['average_score']}; the plan expected {exam.expected}"
                            f" {exam.expected_stars or ''}★ at {exam.target}")
    return problems


async def rating_season(ctx: DemoContext, timeout: float = 90.0) -> RatingReport:
    """Step two: the year's rating, from the dossiers rating opened to the certificates it issued."""
    started, say, client = time.monotonic(), ctx.say, ctx.rating
    products = _run_products(ctx)
    if not products:
        raise DemoError("the registration season sent no product to the province: nothing to rate")
    say(f"rating {ctx.cycle_year}: waiting for rating to open the dossiers of {len(products)} products")
    await wait_for_dossiers(ctx, products, timeout)
    sets = sorted({p.product_set for p in products})
    sheets = dict(zip(sets, await _gather(client.get(f"/catalogue/sheets/{n}") for n in sets), strict=True))
    names = {d["code"]: d["name"] for d in await ctx.registration.get("/reference/districts")}
    sessions = plan_rating(ctx.seed, ctx.cycle_year, products, {n: reachable(s)[0] for n, s in sheets.items()}, names)

    units = {(s.level, s.district_code) for s in sessions}
    unit_name = {"provincial": "tỉnh Thanh Hóa", "central": "quốc gia"}
    seats = dict(zip(units, await _gather(ensure_council(ctx, level, code, names.get(code or "", unit_name.get(level, "")))
                                           for level, code in units), strict=True))
    formed = sum(seat.formed_now for seat in seats.values())
    say(f"  councils: {formed} formed, {len(seats) - formed} reused from an earlier run")
    renamed = await _free_decision_numbers(ctx, sessions)
    if renamed:
        say(f"  decision numbers already recorded by an earlier run get this run's id: {', '.join(renamed)}")
    problems: list[str] = []
    district = [s for s in sessions if s.level == "district" and s.round == 1]
    await _gather(play_session(ctx, s, seats[(s.level, s.district_code)], sheets) for s in district)
    say(f"  {len(district)} district sessions: {sum(e.expected == 'proposed' for s in district for e in s.examinations)}"
        f" products proposed to the province")
    for session in sessions:
        if session not in district:
            await play_session(ctx, session, seats[(session.level, session.district_code)], sheets)
            say(f"  {session.label} ({session.held_on:%d/%m/%Y}): {len(session.examinations)} products"
                + (f", decision {session.decision['number']}" if session.decision else ""))
    for session in sessions:
        problems += _check(session)

    holds = expect(sessions)
    run_ids = {p.product_id: p for p in products}
    total, held = await _pages(ctx, "/certificates", {"as_of": f"{ctx.cycle_year}-12-31"})
    ours = [c for c in held if c["product_id"] in run_ids]
    certificates = Counter(c["stars"] for c in ours)
    if certificates != Counter(holds.values()):
        problems.append(f"GET /certificates shows {dict(certificates)} for this run, the plan expected"
                        f" {dict(Counter(holds.values()))}")
    drained, outbox = await client.wait_outbox_drained(ctx.staff.operator(), ctx.drain_timeout)
    if not drained:
        problems.append(f"the rating outbox still holds {outbox.get('outbox_pending')} events")
    shown = next((s for s in sessions if s.level == "provincial" and any(r["purpose"] == "upgrade" for r in s.results)),
                 next((s for s in sessions if s.level == "provincial"), None))
    text = await client.get_text(f"/sessions/{shown.session_id}/results", as_=ctx.staff.provincial_office(),
                                 params={"format": "text"}) if shown else ""
    ctx.shared["rating"] = sessions
    return RatingReport(
        title=f"Rating season {ctx.cycle_year}",
        cycle_year=ctx.cycle_year,
        sessions=sessions,
        councils={seat.council["council_id"]: seat.formed_now for seat in seats.values()},
        certificates=certificates,
        certificates_all_runs=total,
        proposed_for_five=sum(r["outcome"] == "proposed" for s in sessions if s.level == "provincial" for r in s.results),
        shown_round=text,
        renamed_decisions=renamed,
        events_published=drained,
        requests=client.requests,
        elapsed=time.monotonic() - started,
        problems=problems,
    )
