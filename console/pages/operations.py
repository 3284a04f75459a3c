"""The operations pages (*Vận hành*): the event pipeline's health, dead letters and their re-drive, a flow's trace.

- ``/operations``: per service its outbox backlog and the age of its oldest unpublished event (each service's
  ``GET /ops/status``), alert states and every consumer group's lag per topic and partition in messages and seconds
  (monitoring's ``GET /pipeline/health``), and each service's dead letters (``GET /pipeline/dead-letters/{service}``).
- ``/operations/dead-letters/{service}/{id}``: one dead letter (its reason, record, payload) and its re-drive; the
  re-drive button leads to a confirmation page whose form posts ``…/redrive``; the answer is shown on the dead
  letter's page after a 303 (reloading it posts nothing).
- ``/operations/traces/{trace_id}``: the spans of one flow (monitoring's ``GET /traces/{trace_id}``), grouped by
  service in start order, drawn as a waterfall.

Operators and the provincial office see these pages; what each may read is the services' decision (the pipeline's
health and dead letters are the operators').
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse

from console.gateway import Refusal, SERVICES, gather, segment
from console.rendering import render
from console.session import Page, Viewer, check_form_key, viewer_for

router = APIRouter()

Service = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
DeadLetterId = Annotated[int, Path(ge=1, le=2**63 - 1)]
TraceId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
#: What became of a re-drive asked from the console, shown on the dead letter's page after the POST.
OUTCOMES = ("redriven", "already_redriven", "redrive_in_progress", "refused")
Operations = Annotated[Viewer, Depends(viewer_for(Page.operations))]


@router.get("/operations", include_in_schema=False)
async def operations(request: Request, viewer: Operations):
    gateway = request.app.state.gateway
    answers = await gather(
        gateway.get(viewer.token, "monitoring", "/pipeline/health"),
        *(gateway.get(viewer.token, name, "/ops/status") for name in SERVICES),
        *(gateway.get(viewer.token, "monitoring", f"/pipeline/dead-letters/{name}", {"limit": 20}) for name in SERVICES),
    )
    health, statuses, letters = answers[0], answers[1:1 + len(SERVICES)], answers[1 + len(SERVICES):]
    return render(request, "operations/operations.html", viewer, page=Page.operations, health=health,
                  statuses=dict(zip(SERVICES, statuses)), dead_letters=dict(zip(SERVICES, letters)),
                  services=SERVICES)


@router.get("/operations/traces", include_in_schema=False)
async def open_trace(viewer: Operations, trace_id: Annotated[str, Query(pattern=r"^\s*[0-9a-fA-F]{32}\s*$")]):
    """The trace form of the operations page: to the trace's own page."""
    return RedirectResponse(f"/operations/traces/{trace_id.strip().lower()}", status_code=303)


def _payload(text: str | None) -> str | None:
    """The record's value, indented when it is JSON (the template escapes it)."""
    if text is None:
        return None
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    except ValueError:
        return text


async def _dead_letter(request: Request, viewer: Viewer, service: str, dead_letter_id: int) -> Any:
    return await request.app.state.gateway.get(viewer.token, "monitoring",
                                               f"/pipeline/dead-letters/{service}/{dead_letter_id}")


@router.get("/operations/dead-letters/{service}/{dead_letter_id}", include_in_schema=False)
async def dead_letter(request: Request, viewer: Operations, service: Service, dead_letter_id: DeadLetterId,
                      outcome: Annotated[str | None, Query(pattern="^(" + "|".join(OUTCOMES) + ")$")] = None):
    letter = await _dead_letter(request, viewer, service, dead_letter_id)
    status = 404 if isinstance(letter, Refusal) and letter.kind == "not_found" else 200
    return render(request, "operations/dead_letter.html", viewer, status_code=status, page=Page.operations,
                  service=service, dead_letter_id=dead_letter_id, letter=letter, outcome=outcome,
                  payload=None if isinstance(letter, Refusal) else _payload(letter.get("payload")))


@router.get("/operations/dead-letters/{service}/{dead_letter_id}/redrive", include_in_schema=False)
async def confirm_redrive(request: Request, viewer: Operations, service: Service, dead_letter_id: DeadLetterId):
    letter = await _dead_letter(request, viewer, service, dead_letter_id)
    status = 404 if isinstance(letter, Refusal) and letter.kind == "not_found" else 200
    return render(request, "operations/confirm_redrive.html", viewer, status_code=status, page=Page.operations,
                  service=service, dead_letter_id=dead_letter_id, letter=letter)


@router.post("/operations/dead-letters/{service}/{dead_letter_id}/redrive", include_in_schema=False)
async def redrive(request: Request, viewer: Operations, service: Service, dead_letter_id: DeadLetterId,
                  form_key: Annotated[str, Form(max_length=100)]):
    """Ask monitoring to re-drive the dead letter as the person; then to the dead letter's page (303), which shows
    the re-drive as monitoring recorded it (who, when) and what became of this request."""
    check_form_key(request, form_key)
    answer = await request.app.state.gateway.post(viewer.token, "monitoring",
                                                  f"/pipeline/dead-letters/{service}/{dead_letter_id}/redrive")
    if not isinstance(answer, Refusal):
        outcome = "redriven"
    elif answer.status == 409:  # monitoring's message says which: "… is being re-driven …" or "… was re-driven …"
        outcome = "redrive_in_progress" if "being re-driven" in answer.detail else "already_redriven"
    else:
        outcome = "refused"
    return RedirectResponse(f"/operations/dead-letters/{service}/{dead_letter_id}?outcome={outcome}",
                            status_code=303)


def waterfall(trace: dict[str, Any]) -> list[dict[str, Any]]:
    """The trace's spans grouped by service (services in the order their first span started), each group's spans in
    start order, each with its bar's offset and width in percent of the whole trace."""
    spans = sorted(trace.get("spans", []), key=lambda s: (s["started_at"], s["depth"]))
    if not spans:
        return []
    start = min(datetime.fromisoformat(s["started_at"]) for s in spans)
    total_ms = max(float(trace.get("duration_ms") or 0), 0.001)
    groups: dict[str, list[dict[str, Any]]] = {}
    for span in spans:
        offset_ms = (datetime.fromisoformat(span["started_at"]) - start).total_seconds() * 1000
        left = min(100.0, max(0.0, 100 * offset_ms / total_ms))
        width = min(100.0 - left, max(0.3, 100 * float(span["duration_ms"]) / total_ms))
        groups.setdefault(span["service"], []).append(
            {**span, "offset_ms": offset_ms, "left": round(left, 3), "width": round(width, 3)})
    return [{"service": service, "spans": members} for service, members in groups.items()]


@router.get("/operations/traces/{trace_id}", include_in_schema=False)
async def trace(request: Request, viewer: Operations, trace_id: TraceId):
    found = await request.app.state.gateway.get(viewer.token, "monitoring", f"/traces/{segment(trace_id)}")
    status = 404 if isinstance(found, Refusal) and found.kind == "not_found" else 200
    return render(request, "operations/trace.html", viewer, status_code=status, page=Page.operations,
                  trace_id=trace_id, trace=found, groups=[] if isinstance(found, Refusal) else waterfall(found))
