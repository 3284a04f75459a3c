"""Checks of the values a command is given, each refusal naming the field in the request (``findings[2].area``).

One function per kind of value; commands call them before recording anything, so nothing is half-written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from services.monitoring.domain.errors import InvalidInput, NotAllowed, OutOfOrder
from services.monitoring.domain.policy import COMPLIANT, SCALE, MonitoringPolicy
from services.monitoring.domain.units import DistrictUnits
from services.monitoring.domain.values import AREAS, BODY_KINDS, Body, Finding, InspectionReport

_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")


def text(value: str, field: str) -> str:
    """A required text, trimmed; blank is refused."""
    if not value or not value.strip():
        raise InvalidInput(f"{field} must not be empty", field=field)
    return value.strip()


def not_after_today(day: date, today: date, field: str) -> date:
    """What happened is recorded when it has happened: a civil date after today (Asia/Ho_Chi_Minh) is refused."""
    if day > today:
        raise OutOfOrder(f"{field} {day.isoformat()} is after today ({today.isoformat()}): record it once it "
                           "has happened", field=field)
    return day


def check_body(body: Body, field: str, units: DistrictUnits, plan_year: int) -> Body:
    """A body of BODY_KINDS: a department names its id, a district its code among the plan year's units."""
    if body.kind not in BODY_KINDS:
        raise InvalidInput(f"{field}.kind must be one of {', '.join(BODY_KINDS)}, not {body.kind!r}",
                           field=f"{field}.kind")
    name = text(body.name, f"{field}.name")
    if body.kind == "coordination_office":
        if body.code is not None:
            raise InvalidInput("the Coordination Office has no code", field=f"{field}.code")
    elif body.kind == "department":
        if body.code is None or not _IDENTIFIER.fullmatch(body.code):
            raise InvalidInput(f"{field}.code must name the department as an id such as industry_and_trade",
                               field=f"{field}.code")
    else:
        units.unit(body.code or "", plan_year, field=f"{field}.code")
    return replace(body, name=name)


def check_inspectors(inspectors: tuple[str, ...]) -> tuple[str, ...]:
    """Đoàn kiểm tra: at least one inspector, each named once."""
    if not inspectors:
        raise InvalidInput("an inspection names at least one inspector", field="inspectors")
    names = tuple(text(name, f"inspectors[{i}]") for i, name in enumerate(inspectors))
    for i, name in enumerate(names):
        if name in names[:i]:
            raise InvalidInput(f"inspector {name!r} is listed twice", field=f"inspectors[{i}]")
    return names


def check_finding(finding: Finding, field: str, policy: MonitoringPolicy) -> Finding:
    """An area of AREAS, a severity of the scale; a non-compliant finding says what is wrong and, unless the
    policy waives it, cites its evidence. The criterion defaults to the area."""
    if finding.area not in AREAS:
        raise InvalidInput(f"{field}.area must be one of {', '.join(AREAS)}, not {finding.area!r}",
                           field=f"{field}.area")
    if finding.severity not in SCALE:
        raise InvalidInput(f"{field}.severity must be one of {', '.join(SCALE)}, not {finding.severity!r}",
                           field=f"{field}.severity")
    evidence = tuple(text(ref, f"{field}.evidence[{i}]") for i, ref in enumerate(finding.evidence))
    compliant = finding.severity == COMPLIANT
    description = finding.description.strip() if compliant else text(finding.description, f"{field}.description")
    if not compliant and policy.evidence_required and not evidence:
        raise InvalidInput(f"a {finding.severity} finding cites at least one evidence reference",
                           field=f"{field}.evidence")
    criterion = finding.criterion.strip() or finding.area
    return Finding(finding.area, finding.severity, description, evidence, criterion)


def check_findings(findings: tuple[Finding, ...], policy: MonitoringPolicy) -> tuple[Finding, ...]:
    if not findings:
        raise InvalidInput("an inspection records at least one finding (an area checked)", field="findings")
    return tuple(check_finding(f, f"findings[{i}]", policy) for i, f in enumerate(findings))


def check_report(report: InspectionReport, units: DistrictUnits, policy: MonitoringPolicy,
                 today: date) -> InspectionReport:
    """Every value of a biên bản kiểm tra, normalised (trimmed texts, criteria filled in)."""
    inspected_on = not_after_today(report.inspected_on, today, "inspected_on")
    return InspectionReport(text(report.inspection_id, "inspection_id"), text(report.product_id, "product_id"),
                            inspected_on, check_body(report.body, "body", units, inspected_on.year),
                            check_inspectors(report.inspectors), check_findings(report.findings, policy))


def check_planned_products(product_ids: Sequence[str], districts: Mapping[str, str], planner: Body) -> tuple[str, ...]:
    """Products to inspect: at least one, each once, each in the register (``districts``: product_id → district),
    and for a district's plan only its own."""
    if not product_ids:
        raise InvalidInput("a plan names at least one product to inspect", field="product_ids")
    products: list[str] = []
    for i, raw in enumerate(product_ids):
        product_id, field = text(raw, f"product_ids[{i}]"), f"product_ids[{i}]"
        if product_id in products:
            raise InvalidInput(f"product {product_id!r} is listed twice", field=field)
        if product_id not in districts:
            raise NotAllowed(f"product {product_id!r} is not in the register of certified products", field=field)
        if planner.kind == "district" and districts[product_id] != planner.code:
            raise NotAllowed(f"product {product_id!r} is of district {districts[product_id]}; a district inspects "
                             f"only its own products ({planner.code})", field=field)
        products.append(product_id)
    return tuple(products)
