"""Upcasters of rating's stored events: older shapes read as today's, so a store written by older code replays.

Stored events are never edited; the service's ``EventRegistry`` applies these wherever events are read (repository,
projections, rebuild).

``ReRatingOrdered`` v1 named no decision; ``ScorecardSubmitted`` v1 lived on the session's stream.
``RatingOutcomeRecorded`` v1 was one catch-all event shaped like the public ProductRated; each stored one becomes the
specific fact it recorded, chosen from its status, level, session and the certificate held afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import TypeAdapter

from services.rating.domain.certificates import expired_from
from services.rating.domain.values import Certificate
from shared.events import Upcast

_SUPERSEDED = re.compile(r"certificate (.+) is superseded$")


def _fact(old: Mapping[str, Any]) -> str:
    status, level = old["status"], old["level"]
    if status in ("expired", "revoked"):
        return "CertificateExpired" if status == "expired" else "CertificateRevoked"
    if old["session_id"] is None:
        return "WarningIssued"  # the only outcome recorded outside a session that kept the certificate
    if status == "proposed":
        return "ForwardedToProvince" if level == "district" else "ProposedToCentre"
    if status == "downgraded" and old["holds"] is None:
        return "CertificateWithdrawn"
    if status in ("recognized", "downgraded"):
        return "CertificateIssued"
    return "CentralNotPassed" if level == "central" else "NotRecognised"


def _attempt(old: Mapping[str, Any], *extra: str) -> dict[str, Any]:
    keys = ("evaluation_id", "session_id", "cycle_year", "stars", "average_score", *extra)
    return {k: old[k] for k in keys}


def _outcome(old: Mapping[str, Any]) -> dict[str, Any]:
    kind, reason = _fact(old), old["reason"]
    after = ("certificate", "inspection_id", "reason")
    if kind == "ForwardedToProvince":
        return _attempt(old)
    if kind == "NotRecognised":
        return {**_attempt(old, "level", "decision", "reason"), "keeps": old["certificate"], "may_reenter_at": old["stage"]}
    if kind == "CentralNotPassed":
        return {**_attempt(old, "decision", "reason"), "keeps": old["holds"]}
    if kind == "ProposedToCentre":
        return _attempt(old, "decision", "holds", "inspection_id", "reason")
    if kind == "CertificateWithdrawn":
        return _attempt(old, "decision", *after)
    if kind == "CertificateIssued":
        superseded = _SUPERSEDED.search(reason or "")
        return {"certificate": old["holds"], "session_id": old["session_id"], "lower": old["status"] == "downgraded",
                "supersedes": superseded.group(1) if superseded else None, "inspection_id": old["inspection_id"],
                "reason": reason}
    if kind == "CertificateExpired":
        certificate = TypeAdapter(Certificate).validate_python(old["certificate"])
        return {"certificate": old["certificate"], "ended_on": expired_from(certificate).isoformat(),
                "cycle_year": old["cycle_year"], "reason": reason}
    if kind == "CertificateRevoked":
        return {k: old[k] for k in ("decision", *after)}
    return {"certificate": old["holds"], "inspection_id": old["inspection_id"], "decision": old["decision"],
            "cycle_year": old["cycle_year"], "reason": (reason or "").removeprefix("warning: ")}


def _ordered_without_decision(old: Mapping[str, Any]) -> dict[str, Any]:
    """ReRatingOrdered v1 had no decision: it was ordered without a numbered one."""
    return {**old, "decision": None}


def _card_on_the_session(old: Mapping[str, Any]) -> dict[str, Any]:
    """ScorecardSubmitted v1 was stored on the session's own stream: it names neither (the stream says the session)."""
    return {**old, "session_id": None, "listing": None}


UPCASTS = (Upcast("RatingOutcomeRecorded", 1, _outcome, to_type=_fact),
           Upcast("ReRatingOrdered", 1, _ordered_without_decision),
           Upcast("ScorecardSubmitted", 1, _card_on_the_session))
