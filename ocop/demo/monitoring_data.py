"""Sample data of ``ocop demo``'s monitoring: the inspection campaign, its findings, the province's decisions after it,
the re-rating session and the districts' reports. Dates are (month, day) of the played year; numbers are plausible."""

from __future__ import annotations

PLANNER = {"kind": "coordination_office", "name": "Văn phòng Điều phối nông thôn mới tỉnh Thanh Hóa"}
INSPECTING_BODY = {"kind": "department", "name": "Sở Công Thương Thanh Hóa", "code": "industry_and_trade"}
INSPECTORS = ("Nguyễn Văn Thành", "Lê Thị Hồng Nhung", "Phạm Quốc Khánh")
PLAN_TITLE = "Kiểm tra định kỳ chất lượng sản phẩm OCOP sau công nhận năm {year}"
PLANNED_ON, DUE_ON, INSPECTED_ON = (9, 20), (10, 29), (10, 14)
#: The campaign inspects products recognised before the plan, in rounds whose decision came before this day.
CERTIFIED_BEFORE = (9, 1)

#: (area, what was found) of a product that passes: every area checked, compliant.
COMPLIANT = (
    ("production_process", "Quy trình sản xuất đúng như hồ sơ đánh giá"),
    ("food_safety", "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm còn hiệu lực"),
    ("quality_vs_standard", "Kết quả kiểm nghiệm phù hợp tiêu chuẩn công bố"),
    ("packaging_labelling", "Nhãn ghi đủ nội dung bắt buộc, sử dụng logo OCOP đúng hạng sao"),
    ("producer_operating", "Chủ thể duy trì sản xuất ổn định"),
)
#: The failures: the worst finding decides the recommended action (critical → revocation, major → downgrade).
REVOKED_FINDING = ("food_safety", "critical",
                   "Mẫu sản phẩm có chỉ tiêu vi sinh vật vượt giới hạn cho phép; cơ sở ngừng duy trì điều kiện an toàn"
                   " thực phẩm", "Phiếu kết quả thử nghiệm số {n}/KQ-TTKT3")
DOWNGRADED_FINDING = ("quality_vs_standard", "major",
                      "Chất lượng sản phẩm không đạt so với tiêu chuẩn đã công bố khi được công nhận (hàm lượng chỉ"
                      " tiêu chính thấp hơn mức công bố)", "Phiếu kết quả thử nghiệm số {n}/KQ-TTKT3")
EVIDENCE_RECORD = "Biên bản kiểm tra số {n}/BB-SCT"

#: The province's decisions after the campaign, and the re-rating session that decides the downgrade.
REVOCATION = ("3901/QĐ-UBND", (11, 5))
REVOCATION_REASON = "Vi phạm nghiêm trọng an toàn thực phẩm qua kiểm tra sau công nhận (biên bản {inspection})"
RE_RATING = ("3902/QĐ-UBND", (11, 5))
RE_RATING_REASON = "Chất lượng không đạt tiêu chuẩn công bố (biên bản {inspection}): đánh giá, phân hạng lại"
RE_RATING_SESSION = ((12, 10), "4850/QĐ-UBND", (12, 17))
RE_RATING_TITLE = "Phiên đánh giá, phân hạng lại sản phẩm OCOP sau kiểm tra năm {year}"
RE_RATING_MEAN = 62  # in the 3★ band: the 4★ product is downgraded

#: District reports: six-month ones filed in early June, annual ones late November; one six-month report is late
#: (after 14 June, the strict reading of "before 15/6") and one annual report is never filed.
SIX_MONTH_FILED, SIX_MONTH_LATE, ANNUAL_FILED = (6, 7), (6, 21), (11, 22)
REPORT_REF = "{n}/BC-UBND"
