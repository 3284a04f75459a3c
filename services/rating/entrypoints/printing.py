"""The results table of a session as a council secretary prints it (bảng tổng hợp kết quả đánh giá, phân hạng), usable
as the annex of the decision approving it (phụ lục kèm theo quyết định): every product by its full id, product and
producer names, district and commune names, mean, star and result. As text (``results_table``) or as an HTML page to
print (``results_page``); both from the same lines (``annex``).
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from services.rating.adapters.places import Places

_LEVEL_VI = {"district": "cấp huyện", "provincial": "cấp tỉnh", "central": "trung ương"}
# In the order the closing counts list them: new certificates first, confirmations and renewals apart.
_OUTCOME_VI = {"recognized": "công nhận", "renewed": "công nhận lại khi hết hạn",
               "confirmed": "giữ nguyên hạng, giữ GCN", "downgraded": "hạ hạng", "proposed": "đề nghị cấp trên", "not_recognized": "không đạt",
               "withdrawn": "rút khỏi phiên", None: "chưa có kết quả"}
_ORDER = {outcome: n for n, outcome in enumerate(_OUTCOME_VI)}
COLUMNS = ("TT", "Mã sản phẩm", "Tên sản phẩm", "Chủ thể", "Huyện", "Xã", "Phiếu", "Điểm TB", "Hạng", "Kết quả")
_RIGHT = {"TT", "Phiếu", "Điểm TB", "Hạng"}


def _civil(value: date | str) -> str:
    """Civil dates print as Vietnamese documents write them: 05/08/2021."""
    return (value if isinstance(value, date) else date.fromisoformat(value)).strftime("%d/%m/%Y")


def _outcome(value: str | None) -> str:
    return " + ".join(_OUTCOME_VI.get(part, part) for part in value.split("+")) if value else _OUTCOME_VI[None]


def _line(n: int, r: dict[str, Any], places: Places) -> tuple[str, ...]:
    score = f"{r['average_score']:.2f}" if r["average_score"] is not None else "—"
    star = r["outcome_stars"] if r["outcome_stars"] is not None else r["stars"]
    certificate = f" (GCN {r['certificate_number']})" if r["certificate_number"] else ""
    return (str(n), r["product_id"], r["product_name"], r["producer_name"] or "—",
            places.district(r["district_code"]) or r["district_code"],
            places.commune(r["commune_code"]) or r["commune_code"] or "—", str(r["scorecards"]), score,
            f"{star}★" if star is not None else "—", _outcome(r["outcome"]) + certificate)


def annex(session: dict[str, Any], rows: Sequence[dict[str, Any]], places: Places) -> dict[str, Any]:
    """The heading lines, the table's lines and the closing lines of the table, in Vietnamese."""
    decision = session.get("decision")
    heading = [
        f"BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, PHÂN HẠNG SẢN PHẨM OCOP — {_LEVEL_VI[session['level']]}",
        f"{session['title']} (đợt {session['round']}/{session['cycle_year']}, họp ngày "
        f"{_civil(session['held_on'])}) — phiên {session['session_id']}",
        f"Kèm theo Quyết định số {decision['number']} ngày {_civil(decision['date'])} của {decision['issued_by']}"
        if decision else "Quyết định: chưa có",
    ]
    counted = Counter(r["outcome"] for r in rows if r["outcome"] and r["outcome"] != "withdrawn")
    closing = [f"Tổng số sản phẩm: {len(rows)}; có kết quả: {sum(counted.values())}."]
    if counted:
        ordered = sorted(counted.items(), key=lambda item: (_ORDER.get(item[0], len(_ORDER)), item[0]))
        closing.append("Theo kết quả: " + "; ".join(f"{_outcome(o)}: {n}" for o, n in ordered) + ".")
    return {"heading": heading, "lines": [_line(n, r, places) for n, r in enumerate(rows, 1)], "closing": closing}


def results_table(session: dict[str, Any], rows: Sequence[dict[str, Any]], places: Places) -> str:
    """The annex as plain text: columns as wide as their longest entry, nothing cut."""
    doc = annex(session, rows, places)
    # A list to max(): a session with no product yet has no lines, and max(7) is no maximum.
    widths = [max([len(c), *(len(line[i]) for line in doc["lines"])]) for i, c in enumerate(COLUMNS)]

    def row(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if name in _RIGHT else c.ljust(w)
                         for c, w, name in zip(cells, widths, COLUMNS, strict=True)).rstrip()

    table = [row(COLUMNS), "  ".join("-" * w for w in widths), *(row(line) for line in doc["lines"])]
    return "\n".join([*doc["heading"], "", *table, "", *doc["closing"]]) + "\n"


def results_page(session: dict[str, Any], rows: Sequence[dict[str, Any]], places: Places) -> str:
    """The annex as an HTML page to print (A4 landscape), every text escaped."""
    doc = annex(session, rows, places)
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in COLUMNS)
    cell = ['<td class="num">' if c in _RIGHT else "<td>" for c in COLUMNS]
    body = "".join("<tr>" + "".join(f"{cell[i]}{e(c)}</td>" for i, c in enumerate(line)) + "</tr>"
                   for line in doc["lines"])
    title, *subtitle = doc["heading"]
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title><style>@page {{ size: A4 landscape; margin: 15mm }}"
        " body { font-family: 'Times New Roman', serif; font-size: 12pt } h1 { font-size: 14pt; text-align: center }"
        " p.sub { text-align: center; margin: 2pt } table { border-collapse: collapse; width: 100%; margin-top: 10pt }"
        " th, td { border: 1px solid #000; padding: 3pt 5pt; vertical-align: top } td.num { text-align: right }"
        "</style></head><body>"
        f"<h1>{e(title)}</h1>" + "".join(f'<p class="sub">{e(s)}</p>' for s in subtitle)
        + f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        + "".join(f"<p>{e(s)}</p>" for s in doc["closing"]) + "</body></html>\n"
    )
