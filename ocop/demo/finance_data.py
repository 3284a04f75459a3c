"""Sample data of ``ocop demo``'s finance: the reward tariffs, the plan year's estimate, the People's Committee's
decisions and how rewards are paid.

The amounts of the estimate are the demo's: Thanh Hóa's 2021 OCOP budget is not published (OCOP-RULES §9.1 gives the
2022 one, 3,140,940,000 VND, whose split by line the estimate follows, plus rewards and upgrade support). Decision
numbers are plausible, not real. Dates are (month, day) of the played year.
"""

from __future__ import annotations

#: Kế hoạch 75/KH-UBND §II.4.4(b): the reward of a product reaching each star, in đồng.
STAR_REWARDS = {"3": 10_000_000, "4": 20_000_000, "5": 100_000_000}
TARIFF_BASIS_2021 = ("Kế hoạch 75/KH-UBND ngày 30/03/2021, mục II.4.4(b): 3 sao 10.000.000 đồng, 4 sao 20.000.000 đồng,"
                     " 5 sao 100.000.000 đồng/sản phẩm")
TARIFF_BASIS_LATER = ("ocop demo: năm {year} giữ mức thưởng của Kế hoạch 75/KH-UBND năm 2021 (giả định, chưa có văn"
                      " bản của năm {year})")
TARIFF_TITLE = "Mức thưởng sản phẩm OCOP đạt sao tỉnh Thanh Hóa, {first}–{last} (ocop demo)"

#: Nguồn kinh phí of the estimate (code, name, lawful kind of OCOP-RULES §9.1); rewards come from ``REWARD_SOURCE``.
SOURCES = (
    ("ntm", "Kinh phí sự nghiệp Chương trình MTQG xây dựng nông thôn mới tỉnh Thanh Hóa năm {year}", "ntm_non_business"),
    ("khuyen-cong", "Kinh phí khuyến công tỉnh Thanh Hóa năm {year}", "industrial_extension"),
)
#: The line and source finance pays rewards from (its OCOP_FINANCE_REWARD_LINE and _SOURCE defaults).
REWARD_LINE, REWARD_SOURCE = "rewards", "ntm"
#: The Coordination Office's estimate: (line, source, đồng). Rewards: 80 products at 3★–4★ (the plan's target).
ESTIMATE = (
    ("communication", "ntm", 540_000_000),
    ("training", "ntm", 1_280_000_000),
    ("study_tours", "ntm", 200_000_000),
    ("rating", "ntm", 234_000_000),
    ("consulting", "ntm", 307_000_000),
    ("promotion", "khuyen-cong", 316_000_000),
    ("upgrade_support", "ntm", 400_000_000),
    ("management", "ntm", 264_000_000),
    ("rewards", "ntm", 1_200_000_000),
)
#: The Department of Finance's appraisal: a line it cuts, and why (the rewards line is sized to the recognitions).
APPRAISAL_CUT = ("training", "ntm", 1_100_000_000,
                 "Giảm 02 lớp tập huấn trùng nội dung với chương trình đào tạo của Trung ương (Quyết định 4464/QĐ-BNN-VPĐP)")
REWARDS_APPRAISED = ("Bố trí theo số sản phẩm đã có quyết định công nhận tại thời điểm thẩm định ({n} yêu cầu khen thưởng);"
                     " sản phẩm được công nhận sau sẽ được bổ sung bằng điều chỉnh dự toán")
REWARDS_TOP_UP = "Bổ sung kinh phí khen thưởng cho {n} sản phẩm được công nhận sau khi phân bổ dự toán"
REWARDS_RETURNED = "Điều chỉnh giảm: hoàn trả ngân sách phần kinh phí khen thưởng chưa sử dụng"

DRAFTED_ON, APPRAISED_ON, ALLOCATED_ON = (1, 18), (3, 10), (4, 1)
BUDGET_DECISION = ("1012/QĐ-UBND", (3, 26))
#: Amendment n is approved by decision number AMENDMENT_NUMBER_FROM + n (unique per budget without further care).
AMENDMENT_NUMBER_FROM = 4890
PPC = "UBND tỉnh Thanh Hóa"
PPC_SIGNER = "KT. Chủ tịch, Phó Chủ tịch Lê Đức Giang"
#: Days from an amendment's proposal to the People's Committee's decision; from a claim's approval to its payment.
AMENDMENT_DECIDED_AFTER, PAID_AFTER = 5, 14
VOUCHER = "UNC-{year}-{run}-{n:03d}"
