"""The rating season's plan: which council examines which product when, and the mean each is meant to get.

Everything is decided from the seed before anything is sent: district sessions (about 15% fail under 50, one of
them re-enters a later session), four provincial rounds sized like Thanh Hóa's 2021 rounds, products not recognised
and examined again in the next round, a 3★ product upgraded to 4★, a 4★ product proposed for 5★ that the central
council does not pass. ``expect`` then plays the plan through the 1048 level rules, so the demo can check the API.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ocop.demo import data

DISTRICT_FAIL_SHARE, CARRIED_OVER_SHARE = 0.15, 0.08
#: Provincial outcomes of products examined once: not recognised, 3★, 4★ (cumulative shares).
NOT_RECOGNISED_UNDER, THREE_STARS_UNDER = 0.2, 0.7


@dataclass
class RatedProduct:
    """A product of this run sent to the province; ``role`` is the story the plan gives it."""

    n: int
    product_id: str
    name: str
    district_code: str
    product_set: int
    role: str = "regular"  # regular | district_fail | re_entry | upgrade | five_star | carried_over


@dataclass
class Examination:
    product: RatedProduct
    target: int  # the council's mean: members' totals are drawn around it, their mean is exactly this
    expected: str = ""  # "proposed", "not_recognized", "recognized 3★"… (filled by ``expect``)
    expected_stars: int | None = None


@dataclass
class PlannedSession:
    key: str  # "district-380", "district-380-reentry", "provincial-2", "central"
    level: str
    council_id: str
    district_code: str | None
    round: int
    title: str
    held_on: date
    examinations: list[Examination]
    decision: dict[str, str] | None = None  # number, date, issued_by (provincial and central)
    session_id: str | None = None
    results: list[dict[str, Any]] = field(default_factory=list)  # GET /sessions/{id}/results after the decision

    @property
    def label(self) -> str:
        if self.level == "provincial":
            return f"Province round {self.round}"
        if self.level == "central":
            return "Centre"
        return f"District {self.district_code}" + (" (2)" if self.key.endswith("reentry") else "")


def _on(year: int, month_day: tuple[int, int]) -> date:
    return date(year, *month_day)


def plan_rating(seed: int, year: int, products: Sequence[RatedProduct], floors: dict[int, int],
                district_names: dict[str, str]) -> list[PlannedSession]:
    """The season's sessions in the order they are held. ``floors``: lowest card total per product set."""
    rng = random.Random(f"{seed}:rating")

    def fail(p: RatedProduct) -> int:
        return rng.randint(max(42, floors[p.product_set] + 2), 49)

    def three() -> int:
        return rng.randint(52, 68)

    def four() -> int:
        return rng.randint(71, 87)

    def regular(p: RatedProduct) -> int:
        draw = rng.random()
        return fail(p) if draw < NOT_RECOGNISED_UNDER else three() if draw < THREE_STARS_UNDER else four()

    everything = list(products)
    fails = rng.sample(everything, max(1, round(len(everything) * DISTRICT_FAIL_SHARE))) if len(everything) >= 3 else []
    forwarded = [p for p in everything if p not in fails]
    rng.shuffle(forwarded)
    for p in fails:
        p.role = "district_fail"
    reentry = fails[0] if fails else None
    if reentry:
        reentry.role = "re_entry"
    upgrade = forwarded[0] if len(forwarded) >= 2 else None
    five = forwarded[1] if len(forwarded) >= 3 else None
    carried = forwarded[2:2 + max(1, round(len(forwarded) * CARRIED_OVER_SHARE))] if len(forwarded) >= 4 else []
    for p, role in [(upgrade, "upgrade"), (five, "five_star"), *((c, "carried_over") for c in carried)]:
        if p is not None:
            p.role = role
    regulars = [p for p in forwarded if p.role == "regular"]

    # District sessions: one per district in March, then the re-entry session in June.
    sessions: list[PlannedSession] = []
    districts = sorted({p.district_code for p in everything})
    for day, code in enumerate(districts):
        listed = [p for p in everything if p.district_code == code]
        held = _on(year, data.DISTRICT_SESSIONS_FROM) + timedelta(days=2 * day % 28)
        sessions.append(PlannedSession(
            f"district-{code}", "district", f"council-district-{code}", code, 1,
            f"Phiên họp Hội đồng đánh giá, phân hạng sản phẩm OCOP {district_names.get(code, code)} năm {year}",
            held, [Examination(p, fail(p) if p in fails else rng.randint(52, 88)) for p in listed]))
    if reentry:
        code = reentry.district_code
        sessions.append(PlannedSession(
            f"district-{code}-reentry", "district", f"council-district-{code}", code, 2,
            f"Phiên bổ sung đánh giá sản phẩm OCOP {district_names.get(code, code)} năm {year}"
            " (sản phẩm đã hoàn thiện sau phiên 1)",
            _on(year, data.DISTRICT_REENTRY_ON), [Examination(reentry, three())]))

    # Provincial rounds: new products spread like Thanh Hóa's 2021 rounds, then the stories.
    rounds: list[list[Examination]] = [[] for _ in data.PROVINCIAL_ROUNDS]
    for p in regulars:
        rounds[rng.choices(range(len(rounds)), weights=data.ROUND_WEIGHTS)[0]].append(Examination(p, regular(p)))
    if upgrade:
        rounds[0].append(Examination(upgrade, three()))
        rounds[2].append(Examination(upgrade, four()))
    if five:
        rounds[1].append(Examination(five, rng.randint(78, 87)))
        rounds[3].append(Examination(five, rng.randint(90, 94)))
    for c in carried:
        first = rng.choice((0, 1, 2, 2))
        rounds[first].append(Examination(c, fail(c)))
        rounds[first + 1].append(Examination(c, three() if rng.random() < 0.75 else four()))
    if reentry:
        rounds[2 + rng.randrange(2)].append(Examination(reentry, regular(reentry)))
    for exams in rounds:  # a round examines something: borrow from the biggest one if needed
        if not exams:
            donor = max(rounds, key=lambda r: sum(e.product.role == "regular" for e in r))
            movable = [e for e in donor if e.product.role == "regular"]
            if len(movable) > 1:
                exams.append(movable[-1])
                donor.remove(movable[-1])
    for number, ((held, decision_number, signed), exams) in enumerate(zip(data.PROVINCIAL_ROUNDS, rounds, strict=True), 1):
        if not exams:
            continue
        rng.shuffle(exams)
        sessions.append(PlannedSession(
            f"provincial-{number}", "provincial", "council-provincial", None, number,
            f"Đợt {number} đánh giá, phân hạng sản phẩm OCOP tỉnh Thanh Hóa năm {year}", _on(year, held), exams,
            {"number": decision_number, "date": _on(year, signed).isoformat(), "issued_by": data.PROVINCIAL_SIGNER}))
    if five:
        held, decision_number, signed = data.CENTRAL_SESSION
        sessions.append(PlannedSession(
            "central", "central", "council-central", None, 1,
            f"Đánh giá, phân hạng sản phẩm OCOP quốc gia (tiềm năng 5 sao) năm {year}", _on(year, held),
            [Examination(five, rng.randint(84, 88))],
            {"number": decision_number, "date": _on(year, signed).isoformat(), "issued_by": data.CENTRAL_SIGNER}))
    expect(sessions)
    return sessions


def expect(sessions: Sequence[PlannedSession]) -> dict[int, int]:
    """Fill each examination's expected outcome by the 1048 level rules; returns the stars each product ends with."""
    holds: dict[int, int] = {}
    for session in sessions:
        for exam in session.examinations:
            n, t = exam.product.n, exam.target
            held = holds.get(n)
            if session.level == "district":
                exam.expected, exam.expected_stars = ("proposed" if t >= 50 else "not_recognized"), None
            elif session.level == "central":
                if t >= 90:
                    holds[n] = 5
                exam.expected, exam.expected_stars = ("recognized", 5) if t >= 90 else ("not_recognized", held or 0)
            elif t >= 90:
                exam.expected, exam.expected_stars = "proposed", None
            else:
                stars = 4 if t >= 70 else 3 if t >= 50 else None
                if stars is not None and (held is None or stars >= held):
                    holds[n] = stars
                    exam.expected, exam.expected_stars = "recognized", stars
                else:
                    exam.expected, exam.expected_stars = "not_recognized", held
    return holds
