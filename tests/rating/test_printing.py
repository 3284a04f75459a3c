"""The results table as a decision's annex, as text and as an HTML page: full ids and names, nothing cut, escaped."""

from __future__ import annotations

from datetime import date

from services.rating.adapters.places import load_places
from services.rating.entrypoints.printing import results_page, results_table

SESSION = {"session_id": "S-2021-r2", "level": "provincial", "title": "Đợt 2 năm 2021", "round": 2, "cycle_year": 2021,
           "held_on": date(2021, 8, 1),
           "decision": {"number": "2942/QĐ-UBND", "date": "2021-08-05", "issued_by": "UBND tỉnh Thanh Hóa"}}
LONG = "Nước mắm cốt cá cơm Lê Gia loại đặc biệt 40 độ đạm, chai thủy tinh 500 ml <xuất khẩu> & nội địa"


def row(product_id: str, name: str, score: float, stars: int, outcome: str, certificate: str | None) -> dict:
    return {"product_id": product_id, "product_name": name, "producer_name": "Công ty TNHH Lê Gia",
            "district_code": "392", "commune_code": "15160", "scorecards": 7, "average_score": score, "stars": stars,
            "outcome_stars": stars, "outcome": outcome, "certificate_number": certificate}


ROWS = [row("pr-0f3a9c2e7b11-very-long-product-identifier", LONG, 92.5, 4, "proposed", None),
        row("pr-2", "Chè lam Phủ Quảng", 76.0, 4, "confirmed", "1114/QĐ-UBND#2021-004"),
        row("pr-3", "Bánh gai Tứ Trụ", 64.0, 3, "recognized", "2942/QĐ-UBND#2021-001")]


def test_the_text_annex_names_the_decision_and_prints_every_id_and_name_whole():
    places = load_places()
    text = results_table(SESSION, ROWS, places).splitlines()
    assert text[2] == "Kèm theo Quyết định số 2942/QĐ-UBND ngày 05/08/2021 của UBND tỉnh Thanh Hóa"
    assert text[1] == "Đợt 2 năm 2021 (đợt 2/2021, họp ngày 01/08/2021) — phiên S-2021-r2"
    first, second, third = text[6:9]
    assert first.split()[:2] == ["1", "pr-0f3a9c2e7b11-very-long-product-identifier"] and LONG in first
    assert places.district("392") == "Huyện Hà Trung" and "Huyện Hà Trung" in first
    assert places.commune("15160") in first and "Công ty TNHH Lê Gia" in first
    assert "giữ nguyên hạng, giữ GCN (GCN 1114/QĐ-UBND#2021-004)" in second and "76.00" in second
    assert "công nhận (GCN 2942/QĐ-UBND#2021-001)" in third
    assert first.index("92.50") == second.index("76.00") == third.index("64.00"), "the columns line up"
    assert text[-1] == "Theo kết quả: công nhận: 1; giữ nguyên hạng, giữ GCN: 1; đề nghị cấp trên: 1."


def test_the_html_annex_is_a_page_with_one_row_per_product_and_every_text_escaped():
    page = results_page(SESSION, ROWS, load_places())
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert page.count("<tr>") == 4 and "<xuất khẩu>" not in page and "&lt;xuất khẩu&gt; &amp; nội địa" in page
    assert "<h1>BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, PHÂN HẠNG SẢN PHẨM OCOP — cấp tỉnh</h1>" in page
    assert "Kèm theo Quyết định số 2942/QĐ-UBND ngày 05/08/2021" in page and "Huyện Hà Trung" in page


def test_a_session_with_no_product_prints_its_heading_and_an_empty_table():
    """Schemathesis found it: a session opened with no product answered format=text with a 500."""
    text = results_table(SESSION, [], load_places()).splitlines()
    assert text[1] == "Đợt 2 năm 2021 (đợt 2/2021, họp ngày 01/08/2021) — phiên S-2021-r2"
    assert not any("pr-" in line for line in text)
    assert results_page(SESSION, [], load_places()).count("<tr>") == 1
