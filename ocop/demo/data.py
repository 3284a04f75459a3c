"""Sample data of ``ocop demo``: Thanh Hóa districts, their typical OCOP products, producers' names, the reviewers' reasons.

Only names and prose live here; codes (districts, communes, product sets) are checked against the reference
endpoints of the running registration service before anything is sent, so a commune named here that the service
does not know is simply not used.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProductTemplate:
    """A product typical of a district: its name, OCOP product set (1–26), the trade that makes it, where it is made."""

    name: str
    product_set: int
    trade: str  # "dệt chiếu cói": names cooperatives and groups ("HTX Dệt chiếu cói Nga Liên")
    description: str  # first sentence alone is what an incomplete form carries
    communes: tuple[str, ...] = ()  # commune names of the reference data; empty: anywhere in the district


#: The districts the demo plays, in order (GSO codes of the 2021 division): code → products made there.
DISTRICT_PRODUCTS: dict[str, tuple[ProductTemplate, ...]] = {
    "380": (  # Thành phố Thanh Hóa
        ProductTemplate(
            "Nem chua Thanh Hóa", 8, "sản xuất nem chua",
            "Nem chua từ thịt lợn nạc tươi, bì lợn thái chỉ và thính gạo rang, gói lá ổi và lá chuối. "
            "Lên men tự nhiên 3–4 ngày, không dùng chất bảo quản, đóng túi 10 chiếc và hộp quà 50 chiếc.",
            ("Phường Tân Sơn", "Phường Đông Hương", "Phường Quảng Thắng"),
        ),
        ProductTemplate(
            "Nem chua Hàm Rồng", 8, "sản xuất nem chua",
            "Nem chua gói lá chuối theo công thức gia truyền của làng Hàm Rồng. "
            "Nguyên liệu thịt lợn từ trang trại đạt VietGAP, bảo quản lạnh, hạn dùng 7 ngày.",
            ("Phường Hàm Rồng",),
        ),
        ProductTemplate(
            "Chả tôm Thanh Hóa", 9, "chế biến hải sản",
            "Chả tôm từ tôm biển tươi giã tay cùng thịt ba chỉ, cuốn bánh đa nem. "
            "Đóng hộp hút chân không, bảo quản đông lạnh, rán vàng trước khi dùng.",
            ("Phường Lam Sơn", "Phường Ba Đình", "Phường Điện Biên"),
        ),
        ProductTemplate(
            "Bánh cuốn Thanh Hóa", 6, "sản xuất bánh cuốn",
            "Bánh cuốn tráng mỏng từ gạo tẻ ngâm xay, ăn kèm nước chấm tôm rim. "
            "Sản xuất trong ngày, giao tại các chợ và nhà hàng trong thành phố.",
            ("Phường Đông Vệ", "Phường Trường Thi"),
        ),
        ProductTemplate(
            "Khăn trải bàn thêu ren", 25, "thêu ren",
            "Khăn trải bàn vải lanh thêu tay hoa văn sen và cúc. "
            "Mỗi tấm do một thợ thêu hoàn thành trong 10–15 ngày, xuất khẩu một phần sang châu Âu.",
            ("Phường Quảng Cát", "Phường Quảng Tâm"),
        ),
        ProductTemplate(
            "Rau an toàn Đông Tân", 1, "trồng rau an toàn",
            "Rau cải, rau muống, xà lách trồng theo quy trình VietGAP. "
            "Thu hoạch trong ngày, đóng túi có tem truy xuất nguồn gốc, cung cấp cho siêu thị.",
            ("Phường Đông Tân", "Xã Đông Vinh"),
        ),
    ),
    "393": (  # Huyện Vĩnh Lộc
        ProductTemplate(
            "Chè lam Phủ Quảng", 6, "sản xuất chè lam",
            "Chè lam từ gạo nếp cái hoa vàng rang nở, mật mía, gừng tươi và lạc rang. "
            "Cắt miếng vuông, gói giấy bóng kính, đóng hộp 300 g, hạn dùng 30 ngày.",
            ("Xã Vĩnh Phúc",),
        ),
        ProductTemplate(
            "Du lịch cộng đồng Thành Nhà Hồ", 26, "du lịch cộng đồng",
            "Điểm du lịch cộng đồng gắn với Di sản văn hóa thế giới Thành Nhà Hồ. "
            "Homestay nhà truyền thống, trải nghiệm làm chè lam, ẩm thực địa phương và đạp xe quanh thành đá.",
            ("Xã Vĩnh Tiến", "Xã Vĩnh Long"),
        ),
        ProductTemplate(
            "Mật ong hoa nhãn Vĩnh Lộc", 4, "nuôi ong",
            "Mật ong hoa nhãn khai thác vụ tháng 3–4, lọc lạnh, không pha đường. "
            "Đóng chai thủy tinh 500 ml, độ ẩm dưới 20%.",
            ("Xã Vĩnh An", "Xã Vĩnh Hùng"),
        ),
        ProductTemplate(
            "Bánh đa vừng Vĩnh Hòa", 6, "sản xuất bánh đa",
            "Bánh đa gạo tẻ rắc vừng đen, phơi nắng và nướng than hoa. "
            "Đóng túi 10 chiếc, hạn dùng 6 tháng.",
            ("Xã Vĩnh Hòa",),
        ),
    ),
    "394": (  # Huyện Yên Định
        ProductTemplate(
            "Gạo thơm Yên Định", 3, "sản xuất lúa gạo",
            "Gạo thơm canh tác theo chuỗi liên kết trên cánh đồng mẫu lớn ven sông Mã. "
            "Xay xát, đánh bóng và đóng túi 5 kg, có tem truy xuất nguồn gốc.",
            ("Xã Định Hòa", "Xã Yên Trung", "Xã Định Long"),
        ),
        ProductTemplate(
            "Gạo nếp cái hoa vàng Yên Định", 3, "sản xuất lúa gạo",
            "Nếp cái hoa vàng hạt tròn, dẻo thơm, trồng một vụ mỗi năm. "
            "Đóng túi hút chân không 2 kg, dùng đồ xôi, làm bánh và nấu rượu.",
            ("Xã Yên Thái", "Xã Định Tân"),
        ),
        ProductTemplate(
            "Rượu nếp cái hoa vàng Định Tân", 15, "sản xuất rượu truyền thống",
            "Rượu nếp cái hoa vàng nấu thủ công bằng men lá, hạ thổ 6 tháng trong chum sành. "
            "Độ cồn 39–40%, đóng chai 500 ml, đã lọc an-đê-hít.",
            ("Xã Định Tân", "Xã Định Tiến"),
        ),
        ProductTemplate(
            "Dưa lưới Yên Định", 1, "trồng dưa lưới",
            "Dưa lưới trồng trong nhà màng, tưới nhỏ giọt, đạt chứng nhận VietGAP. "
            "Quả 1,5–2 kg, độ đường trên 14 Brix, đóng hộp carton.",
            ("Xã Yên Phong", "Xã Yên Thịnh"),
        ),
        ProductTemplate(
            "Giò bò Quán Lào", 8, "chế biến giò chả",
            "Giò bò từ thịt bò bắp giã nhuyễn, gói lá chuối, luộc chín. "
            "Bảo quản lạnh, hạn dùng 10 ngày, đóng gói 0,5 kg và 1 kg.",
            ("Thị trấn Quán Lào",),
        ),
    ),
    "395": (  # Huyện Thọ Xuân
        ProductTemplate(
            "Bánh gai Tứ Trụ", 6, "sản xuất bánh gai",
            "Bánh gai từ lá gai tươi, gạo nếp cái hoa vàng, nhân đậu xanh, dừa và mỡ lợn, rắc vừng. "
            "Gói lá chuối khô theo công thức làng Tứ Trụ, đóng hộp 10 chiếc.",
            ("Xã Thọ Diên",),
        ),
        ProductTemplate(
            "Miến gạo Xuân Lập", 6, "sản xuất miến gạo",
            "Miến gạo từ gạo tẻ Thọ Xuân, tráng và phơi nắng tự nhiên, không chất tẩy trắng. "
            "Đóng túi 500 g, hạn dùng 12 tháng.",
            ("Xã Xuân Lập",),
        ),
        ProductTemplate(
            "Bưởi Luận Văn", 1, "trồng bưởi",
            "Bưởi đặc sản làng Luận Văn, múi mọng, vị ngọt thanh, trồng theo hướng hữu cơ. "
            "Thu hoạch dịp Tết, quả có tem nhãn và mã truy xuất.",
            ("Xã Thọ Xương",),
        ),
        ProductTemplate(
            "Du lịch cộng đồng Lam Kinh", 26, "du lịch cộng đồng",
            "Dịch vụ du lịch cộng đồng bên Khu di tích lịch sử quốc gia đặc biệt Lam Kinh. "
            "Lưu trú tại nhà dân, ẩm thực xứ Thanh, trải nghiệm làm bánh gai và trồng lúa.",
            ("Thị trấn Lam Sơn", "Xã Xuân Giang"),
        ),
        ProductTemplate(
            "Rượu men lá Xuân Bái", 15, "sản xuất rượu truyền thống",
            "Rượu gạo nấu bằng men lá rừng theo bài thuốc gia truyền, chưng cất hai lần. "
            "Độ cồn 35%, đóng chai thủy tinh 350 ml.",
            ("Xã Xuân Bái",),
        ),
    ),
    "399": (  # Huyện Hoằng Hóa
        ProductTemplate(
            "Nước mắm Khúc Phụ", 10, "chế biến nước mắm",
            "Nước mắm cốt ủ chượp từ cá cơm, cá trích tươi với muối biển trong thùng gỗ 12–18 tháng. "
            "Độ đạm trên 30 g/l, đóng chai thủy tinh 500 ml.",
            ("Xã Hoằng Phụ",),
        ),
        ProductTemplate(
            "Nước mắm Hoằng Phụ", 10, "chế biến nước mắm",
            "Nước mắm truyền thống làng biển Hoằng Phụ, kéo rút thủ công. "
            "Độ đạm 25 g/l, đóng can 2 lít và chai 500 ml.",
            ("Xã Hoằng Phụ", "Xã Hoằng Thanh"),
        ),
        ProductTemplate(
            "Mắm tép Hoằng Thanh", 10, "chế biến nước mắm",
            "Mắm tép từ tép biển tươi trộn muối hạt và thính, ủ 3 tháng. "
            "Đóng hũ thủy tinh 250 g.",
            ("Xã Hoằng Thanh", "Xã Hoằng Hải"),
        ),
        ProductTemplate(
            "Cá thu nướng Hoằng Trường", 9, "chế biến hải sản",
            "Cá thu tươi cắt khúc, nướng than hoa, không phẩm màu. "
            "Hút chân không, bảo quản đông lạnh, hạn dùng 3 tháng.",
            ("Xã Hoằng Trường", "Xã Hoằng Tiến"),
        ),
        ProductTemplate(
            "Dép mây Hoằng Thịnh", 24, "đan mây tre",
            "Dép đan từ sợi mây tự nhiên, đế cao su, phủ dầu bóng chống ẩm. "
            "Đủ cỡ 35–43, đóng hộp giấy, bán trong nước và xuất khẩu.",
            ("Xã Hoằng Thịnh", "Xã Hoằng Đức"),
        ),
        ProductTemplate(
            "Rượu nếp Hoằng Sơn", 15, "sản xuất rượu truyền thống",
            "Rượu nếp cái hoa vàng nấu bằng nồi đồng, hạ thổ trong chum sành. "
            "Độ cồn 40%, đóng chai 500 ml có tem chống giả.",
            ("Xã Hoằng Sơn", "Xã Hoằng Lộc"),
        ),
    ),
    "401": (  # Huyện Nga Sơn
        ProductTemplate(
            "Chiếu cói Nga Sơn", 24, "dệt chiếu cói",
            "Chiếu cói dệt từ sợi cói se, nhuộm màu tự nhiên, dệt hoa văn truyền thống. "
            "Kích thước 1,6 x 2 m, viền vải, đóng túi ni lông có nhãn mác.",
            ("Xã Nga Liên", "Xã Nga Thủy", "Xã Nga Tân"),
        ),
        ProductTemplate(
            "Túi xách cói Nga Sơn", 24, "đan cói mỹ nghệ",
            "Túi xách đan tay từ cói Nga Sơn, lót vải bố, quai da. "
            "Nhiều mẫu mã theo đơn đặt hàng, xuất khẩu sang Nhật Bản và châu Âu.",
            ("Xã Nga Văn", "Xã Nga Thạch"),
        ),
        ProductTemplate(
            "Hộp cói mỹ nghệ", 23, "đan cói mỹ nghệ",
            "Bộ hộp đựng đồ đan từ cói và bẹ ngô, khung tre. "
            "Bộ 3 chiếc lồng nhau, dùng trang trí và làm quà tặng.",
            ("Xã Nga Thiện", "Xã Nga Trung"),
        ),
        ProductTemplate(
            "Thảm cói Nga Sơn", 23, "dệt chiếu cói",
            "Thảm cói tết tay hình tròn và chữ nhật, nhuộm màu thực vật. "
            "Đường kính 60–150 cm, dùng trải sàn và trang trí.",
            ("Xã Nga Liên", "Xã Nga Yên"),
        ),
        ProductTemplate(
            "Bánh gai Ba Đình", 6, "sản xuất bánh gai",
            "Bánh gai nhân đậu xanh dừa, gói lá chuối khô buộc lạt giang. "
            "Đóng túi 5 chiếc, hạn dùng 7 ngày.",
            ("Xã Ba Đình",),
        ),
    ),
    "407": (  # Thị xã Nghi Sơn
        ProductTemplate(
            "Nước mắm Ba Làng", 10, "chế biến nước mắm",
            "Nước mắm nhĩ làng nghề Ba Làng ủ chượp cá cơm trong bể xi măng 12 tháng. "
            "Độ đạm trên 35 g/l, đóng chai 500 ml và hộp quà 2 chai.",
            ("Phường Hải Thanh",),
        ),
        ProductTemplate(
            "Mực khô Nghi Sơn", 9, "chế biến hải sản",
            "Mực ống câu đêm, phơi nắng 2 ngày, phân loại theo cỡ. "
            "Đóng túi hút chân không 500 g, bảo quản nơi khô mát.",
            ("Phường Hải Hòa", "Phường Hải Bình"),
        ),
        ProductTemplate(
            "Tôm nõn Hải Bình", 9, "chế biến hải sản",
            "Tôm biển luộc, sấy khô, bóc vỏ thủ công. "
            "Đóng hộp 250 g, không phẩm màu, không chất bảo quản.",
            ("Phường Hải Bình", "Phường Hải Thượng"),
        ),
        ProductTemplate(
            "Mật ong rừng Tân Trường", 4, "nuôi ong",
            "Mật ong rừng khai thác từ đàn ong nuôi dưới tán rừng keo và bạch đàn. "
            "Lọc lạnh, đóng chai 500 ml, độ ẩm dưới 20%.",
            ("Xã Tân Trường", "Xã Trường Lâm"),
        ),
        ProductTemplate(
            "Du lịch cộng đồng biển Hải Hòa", 26, "du lịch cộng đồng",
            "Điểm du lịch cộng đồng bãi biển Hải Hòa. "
            "Nhà nghỉ của ngư dân, đi thuyền thúng, thưởng thức hải sản và xem làm nước mắm.",
            ("Phường Hải Hòa",),
        ),
    ),
}

#: Told apart from a namesake product of another producer whose brand is already in the name.
PRODUCT_QUALIFIERS = ("truyền thống", "gia truyền", "đặc biệt", "hảo hạng", "thượng hạng")

#: Legal forms and how often district staff see them among OCOP producers.
LEGAL_FORM_WEIGHTS: dict[str, int] = {"cooperative": 35, "household": 30, "enterprise": 20, "cooperative_group": 15}

ENTERPRISE_KINDS = ("Công ty TNHH", "Công ty TNHH Thương mại và Dịch vụ", "Công ty Cổ phần", "Công ty TNHH Sản xuất")
ENTERPRISE_BRANDS = (
    "Hoàng Long", "Minh Phát", "Sông Mã", "Lam Sơn", "Phú Gia", "An Phát", "Thành Đạt", "Hưng Thịnh", "Việt Hương",
    "Tân Lộc", "Hoa Sen", "Bảo Ngọc", "Đại Dương", "Hải Tiến", "Xứ Thanh", "Hạc Thành", "Trường Thịnh", "Phúc An",
)

SURNAMES = ("Nguyễn", "Lê", "Trịnh", "Hoàng", "Phạm", "Đỗ", "Vũ", "Mai", "Lại", "Đặng", "Bùi", "Hà", "Trần", "Lường")
MALE_MIDDLE = ("Văn", "Đức", "Hữu", "Minh", "Xuân", "Ngọc", "Đình")
MALE_GIVEN = ("Hùng", "Thắng", "Dũng", "Tuấn", "Hải", "Cường", "Sơn", "Long", "Bình", "Tiến", "Quang", "Toàn")
FEMALE_MIDDLE = ("Thị", "Thị", "Thu", "Thanh", "Ngọc")
FEMALE_GIVEN = ("Lan", "Hương", "Hoa", "Mai", "Hằng", "Nga", "Thủy", "Loan", "Hạnh", "Yến", "Dung", "Nhung")

#: What a district returns a form for, with what the commune adds when it resubmits (foods only for the first ones).
FOOD_RETURN_REASONS: tuple[tuple[str, str], ...] = (
    ("Chưa có kết quả kiểm nghiệm an toàn thực phẩm",
     "phiếu kết quả kiểm nghiệm an toàn thực phẩm của Trung tâm Kiểm nghiệm tỉnh"),
    ("Thiếu giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
     "giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm do Chi cục Quản lý chất lượng cấp"),
    ("Thiếu hồ sơ tự công bố chất lượng sản phẩm", "bản tự công bố sản phẩm đã nộp cơ quan quản lý"),
)
GENERAL_RETURN_REASONS: tuple[tuple[str, str], ...] = (
    ("Thiếu bản sao giấy đăng ký kinh doanh", "bản sao có chứng thực giấy chứng nhận đăng ký kinh doanh"),
    ("Phương án sản xuất kinh doanh chưa nêu rõ thị trường tiêu thụ",
     "phương án sản xuất kinh doanh có kế hoạch tiêu thụ tại siêu thị và sàn thương mại điện tử"),
    ("Chưa thuyết minh nguồn gốc nguyên liệu", "bản thuyết minh vùng nguyên liệu tại địa phương"),
    ("Thiếu hình ảnh nhãn, bao bì sản phẩm", "ảnh chụp nhãn, bao bì và mẫu sản phẩm"),
)
FOOD_SECTORS = ("Thực phẩm", "Đồ uống", "Thảo dược")

REJECTION_REASONS = (
    "Sản phẩm chưa thể hiện tính đặc trưng của địa phương",
    "Chủ thể chưa sản xuất ổn định đủ 12 tháng, quy mô còn nhỏ lẻ",
    "Nguyên liệu chủ yếu nhập từ ngoài tỉnh, chưa đáp ứng tiêu chí của Chương trình OCOP",
    "Sản phẩm trùng với sản phẩm của chủ thể khác đã được chọn trong đợt này",
    "Chủ thể không bổ sung được hồ sơ pháp lý trong thời hạn",
)

PROPOSAL_NOTE = "UBND {commune} đề xuất sản phẩm tham gia Chương trình OCOP năm {year}"
SELECTION_NOTE = "Đủ điều kiện tham gia đánh giá, phân hạng sản phẩm OCOP cấp huyện"
RESUBMISSION_NOTE = "Chủ thể đã bổ sung hồ sơ theo yêu cầu của bộ phận thường trực OCOP huyện"

# ----------------------------------------------------------------------------------------------------- rating

#: Seats of each council (role, organisation); "{unit}" is the district's name. The secretary (thư ký) does not score.
DISTRICT_COUNCIL_SEATS: tuple[tuple[str, str], ...] = (
    ("chair", "UBND {unit}"),
    ("vice_chair", "Phòng Nông nghiệp và Phát triển nông thôn {unit}"),
    ("member", "Phòng Tài chính - Kế hoạch {unit}"),
    ("member", "Phòng Y tế {unit}"),
    ("member", "Phòng Văn hóa và Thông tin {unit}"),
    ("secretary", "Văn phòng Điều phối nông thôn mới {unit}"),
)
PROVINCIAL_COUNCIL_SEATS: tuple[tuple[str, str], ...] = (
    ("chair", "UBND tỉnh Thanh Hóa"),
    ("vice_chair", "Sở Nông nghiệp và Phát triển nông thôn Thanh Hóa"),
    ("member", "Sở Công Thương Thanh Hóa"),
    ("member", "Sở Y tế Thanh Hóa"),
    ("member", "Sở Khoa học và Công nghệ Thanh Hóa"),
    ("member", "Sở Văn hóa, Thể thao và Du lịch Thanh Hóa"),
    ("member", "Sở Tài chính Thanh Hóa"),
    ("secretary", "Văn phòng Điều phối nông thôn mới tỉnh Thanh Hóa"),
)
CENTRAL_COUNCIL_SEATS: tuple[tuple[str, str], ...] = (
    ("chair", "Bộ Nông nghiệp và Phát triển nông thôn"),
    ("vice_chair", "Văn phòng Điều phối nông thôn mới Trung ương"),
    ("member", "Bộ Công Thương"),
    ("member", "Bộ Y tế"),
    ("member", "Bộ Khoa học và Công nghệ"),
    ("member", "Bộ Văn hóa, Thể thao và Du lịch"),
    ("secretary", "Văn phòng Điều phối nông thôn mới Trung ương"),
)
COUNCIL_NAME = "Hội đồng đánh giá, phân hạng sản phẩm OCOP {unit}"

#: Thanh Hóa's four provincial rounds (đợt) of 2021: (month, day) of the council, decision number, (month, day) signed.
#: Rounds 1 and 3 are the real decisions (QĐ 1114 of 06/04/2021, QĐ 2942 of 05/08/2021); 2 and 4 are plausible.
PROVINCIAL_ROUNDS: tuple[tuple[tuple[int, int], str, tuple[int, int]], ...] = (
    ((4, 2), "1114/QĐ-UBND", (4, 6)),
    ((6, 17), "2078/QĐ-UBND", (6, 25)),
    ((7, 29), "2942/QĐ-UBND", (8, 5)),
    ((11, 19), "4627/QĐ-UBND", (12, 6)),
)
#: How Thanh Hóa's 2021 rounds were sized (15, 25, 26, 60 dossiers): the share of new products each round examines.
ROUND_WEIGHTS = (15, 25, 26, 60)
PROVINCIAL_SIGNER = "Chủ tịch UBND tỉnh Thanh Hóa (KT. Chủ tịch, Phó Chủ tịch ký)"
CENTRAL_SESSION = ((12, 15), "5185/QĐ-BNN-VPĐP", (12, 27))
CENTRAL_SIGNER = "Bộ trưởng Bộ Nông nghiệp và Phát triển nông thôn"
#: District councils meet in March (one day each), the re-entry session in June.
DISTRICT_SESSIONS_FROM, DISTRICT_REENTRY_ON = (3, 2), (6, 8)
#: Kế hoạch 75/KH-UBND, 2021: products to reach 3★ or more, products proposed for 5★.
PLAN_TARGET_3_STARS, PLAN_TARGET_5_STAR_PROPOSALS = 80, 3
SCORECARD_NOTES = {
    "district": "Chấm theo hồ sơ và mẫu sản phẩm tại phiên họp cấp huyện",
    "provincial": "Chấm theo hồ sơ, mẫu sản phẩm và kết quả kiểm nghiệm bổ sung",
    "central": "Chấm tại phiên đánh giá sản phẩm OCOP quốc gia",
}
