"""A round's rewards as the Department of Finance prints them (tổng hợp khen thưởng sản phẩm OCOP theo đợt)."""

from __future__ import annotations

from typing import Any

from services.finance.domain.money import format_vnd

_LEVEL_VI = {"provincial": "cấp tỉnh", "central": "trung ương"}
_STATUS_VI = {"waiting_for_budget": "chờ kinh phí", "reserved": "đã giữ kinh phí, chờ duyệt", "approved": "đã duyệt",
              "partly_paid": "đã chi một phần", "paid": "đã chi đủ", "on_hold": "tạm dừng chi", "cancelled": "đã hủy"}
_RULE_VI = {
    "first_reward": "thưởng lần đầu", "upgrade_difference": "nâng hạng: phần chênh lệch",
    "upgrade_full_new_tariff": "nâng hạng: mức mới", "upgrade_fixed_amount": "nâng hạng: mức cố định",
    "five_star_difference": "5 sao: phần chênh lệch", "five_star_full": "5 sao: đủ mức",
    "already_rewarded_at_star": "không thưởng: đã thưởng hạng sao này",
    "recertification_full_tariff": "công nhận lại: đủ mức",
    "below_rewarded_star": "không thưởng: thấp hơn hạng đã thưởng",
    "no_reward_for_star": "không thưởng: biểu mức không thưởng hạng này",
}


def _money(amount: int) -> str:
    return format_vnd(amount).removesuffix(" đ")


def round_summary(found: dict[str, Any]) -> str:
    rows = found["rewards"]
    lines = [
        "TỔNG HỢP KHEN THƯỞNG SẢN PHẨM OCOP",
        f"Quyết định công nhận {found['decision_number']} ngày {found['decision_date']:%d/%m/%Y} — {found['issued_by']}"
        f" ({_LEVEL_VI.get(found['level'], found['level'])})",
        "",
        f"{'TT':>3}  {'Mã sản phẩm':<22} {'Tên sản phẩm':<34} {'Huyện':<5} {'Hạng':>4} {'Số tiền (đ)':>13} "
        f"{'Đã chi (đ)':>13}  Trạng thái (căn cứ)",
    ]
    for n, r in enumerate(rows, 1):
        status = _STATUS_VI.get(r["status"], r["status"]) if r["claim_id"] else "không thưởng"
        lines.append(f"{n:>3}  {r['product_id'][:22]:<22} {(r['product_name'] or '—')[:34]:<34} "
                     f"{r['district_code'] or '—':<5} {r['stars']:>3}★ {_money(r['amount']):>13} "
                     f"{_money(r['paid']):>13}"
                     f"  {status} ({_RULE_VI.get(r['rule'], r['rule'])})")
    rewarded = [r for r in rows if r["claim_id"] and r["status"] != "cancelled"]
    waiting = sum(r["amount"] for r in rewarded if r["status"] == "waiting_for_budget")
    lines += ["", f"Tổng số sản phẩm: {len(rows)}; được thưởng: {len(rewarded)}; "
                  f"tổng tiền thưởng: {format_vnd(sum(r['amount'] for r in rewarded))}; "
                  f"đã chi: {format_vnd(sum(r['paid'] for r in rows))}; chờ kinh phí: {format_vnd(waiting)}."]
    return "\n".join(lines) + "\n"
