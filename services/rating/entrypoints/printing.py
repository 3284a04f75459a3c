"""The results table of a session as a council secretary prints it (bảng tổng hợp kết quả đánh giá, phân hạng)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

_LEVEL_VI = {"district": "cấp huyện", "provincial": "cấp tỉnh", "central": "trung ương"}
_OUTCOME_VI = {"proposed": "đề nghị cấp trên", "not_recognized": "không đạt", "recognized": "công nhận",
               "confirmed": "giữ nguyên hạng, giữ GCN", "renewed": "công nhận lại khi hết hạn",
               "downgraded": "hạ hạng", "withdrawn": "rút khỏi phiên", None: "chưa có kết quả"}


def _civil(iso: str) -> str:
    """Civil dates print as Vietnamese documents write them: 05/08/2021."""
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def _outcome(value: str | None) -> str:
    return " + ".join(_OUTCOME_VI.get(part, part) for part in value.split("+")) if value else _OUTCOME_VI[None]


def results_table(session: dict[str, Any], rows: Sequence[dict[str, Any]]) -> str:
    decision = session.get("decision")
    lines = [
        f"BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, PHÂN HẠNG SẢN PHẨM OCOP — {_LEVEL_VI[session['level']]}",
        f"{session['title']} (đợt {session['round']}/{session['cycle_year']}, họp ngày "
        f"{session['held_on']:%d/%m/%Y}) — phiên {session['session_id']}",
        f"Quyết định: {decision['number']} ngày {_civil(decision['date'])} — {decision['issued_by']}" if decision
        else "Quyết định: chưa có",
        "",
        f"{'TT':>3}  {'Mã sản phẩm':<22} {'Tên sản phẩm':<40} {'Huyện':<5} {'Phiếu':>5} {'Điểm TB':>7} {'Hạng':>4}  Kết quả",
    ]
    for n, r in enumerate(rows, 1):
        score = f"{r['average_score']:.2f}" if r["average_score"] is not None else "—"
        stars = f"{r['outcome_stars'] if r['outcome_stars'] is not None else r['stars']}★" if r["stars"] is not None else "—"
        certificate = f" (GCN {r['certificate_number']})" if r["certificate_number"] else ""
        lines.append(f"{n:>3}  {r['product_id'][:22]:<22} {r['product_name'][:40]:<40} {r['district_code']:<5} "
                     f"{r['scorecards']:>5} {score:>7} {stars:>4}  {_outcome(r['outcome'])}{certificate}")
    counted = [r for r in rows if r["outcome"] and r["outcome"] != "withdrawn"]
    lines += ["", f"Tổng số sản phẩm: {len(rows)}; có kết quả: {len(counted)}."]
    return "\n".join(lines) + "\n"
