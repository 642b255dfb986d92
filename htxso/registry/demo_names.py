"""Naming patterns for generated (demo) data: people from Faker's vi_VN lists, weighted the way
Vietnamese surnames are, and organisations named like real HTX ("HTX Nông nghiệp Dịch vụ …").
"""

from faker.providers.person.vi_VN import Provider as VietnamesePerson

from .choices import AgriculturalType as Agri
from .choices import Sector

# Approximate shares of the most common surnames; the rest share what remains.
SURNAME_WEIGHTS = {
    "Nguyễn": 38,
    "Trần": 11,
    "Lê": 9.5,
    "Phạm": 7,
    "Hoàng": 4,
    "Huỳnh": 2,
    "Phan": 4.5,
    "Vũ": 2.5,
    "Võ": 1.5,
    "Đặng": 2.1,
    "Bùi": 2,
    "Đỗ": 1.4,
    "Hồ": 1.3,
    "Ngô": 1.3,
    "Dương": 1,
    "Lý": 0.5,
    "Đinh": 0.8,
    "Trịnh": 0.6,
    "Đào": 0.6,
    "Mai": 0.4,
    "Lương": 0.4,
    "Cao": 0.4,
    "Tạ": 0.3,
    "Hà": 0.5,
    "Lò": 0.3,
    "Vi": 0.2,
}
for _name in VietnamesePerson.last_names:
    SURNAME_WEIGHTS.setdefault(_name, 0.3)
SURNAMES = list(SURNAME_WEIGHTS)
SURNAME_CUM = []
_total = 0.0
for _w in SURNAME_WEIGHTS.values():
    _total += _w
    SURNAME_CUM.append(_total)

MIDDLE_MALE = [
    "Văn",
    "Văn",
    "Văn",
    "Đức",
    "Minh",
    "Quang",
    "Hữu",
    "Thanh",
    "Công",
    "Xuân",
    "Ngọc",
    "Đình",
    "Tiến",
    "Thế",
    "Trung",
    "Quốc",
    "Hoàng",
    "Mạnh",
]
MIDDLE_FEMALE = [
    "Thị",
    "Thị",
    "Thị",
    "Thị",
    "Ngọc",
    "Thu",
    "Thanh",
    "Minh",
    "Kim",
    "Phương",
    "Hồng",
    "Bích",
    "Thùy",
    "Mai",
    "Diệu",
    "Hoài",
]
FIRST_MALE = sorted(
    set(VietnamesePerson.first_names_male)
    | {
        "An",
        "Bình",
        "Cường",
        "Dũng",
        "Đạt",
        "Định",
        "Giang",
        "Hải",
        "Hiếu",
        "Hòa",
        "Hùng",
        "Khánh",
        "Kiên",
        "Long",
        "Lợi",
        "Lực",
        "Mạnh",
        "Nghĩa",
        "Phong",
        "Quân",
        "Sơn",
        "Tài",
        "Thắng",
        "Thịnh",
        "Tiến",
        "Toàn",
        "Tuấn",
        "Việt",
        "Vinh",
        "Hậu",
        "Thái",
        "Đông",
        "Chiến",
    }
)
FIRST_FEMALE = sorted(
    set(VietnamesePerson.first_names_female)
    | {
        "Anh",
        "Bích",
        "Dung",
        "Hà",
        "Hạnh",
        "Hằng",
        "Hiền",
        "Hoa",
        "Huệ",
        "Huyền",
        "Lệ",
        "Liên",
        "Loan",
        "Ly",
        "Nga",
        "Nhung",
        "Oanh",
        "Phương",
        "Quyên",
        "Sen",
        "Tâm",
        "Thanh",
        "Thủy",
        "Trang",
        "Tuyết",
        "Uyên",
        "Vy",
        "Nhàn",
        "Gấm",
        "Lụa",
        "Hiên",
    }
)

HAMLETS = ["Thôn", "Xóm", "Bản", "Ấp", "Tổ dân phố", "Khu phố", "Làng"]
HAMLET_NAMES = [
    "Đông",
    "Tây",
    "Nam",
    "Bắc",
    "Trung",
    "Thượng",
    "Hạ",
    "Tân Lập",
    "Tân Thành",
    "Hòa Bình",
    "Đoàn Kết",
    "Quyết Tiến",
    "Thắng Lợi",
    "Phú Mỹ",
    "An Lạc",
    "Cầu",
    "Đình",
    "Chợ",
    "Mới",
    "Gò",
    "Bãi",
    "Đồng Tâm",
    "Hưng Thịnh",
    "Phú Xuân",
]

# (name pattern, sector, VSIC code, agricultural type or "", weight). {place} is a commune name.
AGRI_HTX = [
    ("HTX Nông nghiệp Dịch vụ {place}", Sector.A, "0161", Agri.GENERAL, 30),
    ("HTX Nông nghiệp Dịch vụ Tổng hợp {place}", Sector.A, "0161", Agri.GENERAL, 10),
    ("HTX Chè {place}", Sector.A, "0127", Agri.CROPS, 6),
    ("HTX Rau an toàn {place}", Sector.A, "0118", Agri.CROPS, 6),
    ("HTX Lúa gạo {place}", Sector.A, "0111", Agri.CROPS, 6),
    ("HTX Cà phê {place}", Sector.A, "0126", Agri.CROPS, 3),
    ("HTX Trái cây {place}", Sector.A, "0121", Agri.CROPS, 5),
    ("HTX Dược liệu {place}", Sector.A, "0128", Agri.CROPS, 2),
    ("HTX Chăn nuôi {place}", Sector.A, "0146", Agri.LIVESTOCK, 8),
    ("HTX Thủy sản {place}", Sector.A, "0322", Agri.FISHERY, 6),
    ("HTX Nuôi trồng Thủy sản {place}", Sector.A, "0321", Agri.FISHERY, 4),
    ("HTX Khai thác Hải sản {place}", Sector.A, "0311", Agri.FISHERY, 2),
    ("HTX Lâm nghiệp {place}", Sector.A, "0210", Agri.FORESTRY, 3),
    ("HTX Muối {place}", Sector.A, "0893", Agri.SALT, 1),
    ("HTX Dịch vụ Nước sạch {place}", Sector.A, "0161", Agri.WATER, 2),
    ("HTX Nông nghiệp Công nghệ cao {place}", Sector.A, "0118", Agri.CROPS, 2),
]
OTHER_HTX = [
    ("HTX Vận tải {place}", Sector.H, "4933", 12),
    ("HTX Xây dựng {place}", Sector.F, "4100", 8),
    ("HTX Thương mại Dịch vụ {place}", Sector.G, "4690", 14),
    ("HTX Tiểu thủ công nghiệp {place}", Sector.C, "3290", 8),
    ("HTX Mây tre đan {place}", Sector.C, "1629", 4),
    ("HTX Môi trường {place}", Sector.E, "3811", 6),
    ("HTX Điện năng {place}", Sector.D, "3512", 3),
    ("HTX Du lịch Cộng đồng {place}", Sector.I, "5510", 4),
    ("HTX Chế biến Nông sản {place}", Sector.C, "1030", 8),
    ("Quỹ tín dụng nhân dân {place}", Sector.K, "6419", 6),
    ("HTX Dịch vụ Tổng hợp {place}", Sector.S, "9639", 6),
]
GROUP_ACTIVITIES = [
    ("Tổ hợp tác sản xuất rau an toàn", Sector.A, "0118", Agri.CROPS, True),
    ("Tổ hợp tác chăn nuôi", Sector.A, "0146", Agri.LIVESTOCK, True),
    ("Tổ hợp tác trồng lúa", Sector.A, "0111", Agri.CROPS, True),
    ("Tổ hợp tác nuôi ong", Sector.A, "0149", Agri.LIVESTOCK, True),
    ("Tổ hợp tác nuôi trồng thủy sản", Sector.A, "0321", Agri.FISHERY, True),
    ("Tổ hợp tác trồng rừng", Sector.A, "0210", Agri.FORESTRY, True),
    ("Tổ hợp tác làm chè", Sector.A, "0127", Agri.CROPS, True),
    ("Tổ hợp tác dịch vụ thủy lợi", Sector.A, "0161", Agri.GENERAL, True),
    ("Tổ hợp tác may mặc", Sector.C, "1410", "", False),
    ("Tổ hợp tác đan lát", Sector.C, "1629", "", False),
    ("Tổ hợp tác vận tải", Sector.H, "4933", "", False),
    ("Tổ hợp tác xây dựng", Sector.F, "4100", "", False),
    ("Tổ hợp tác thu gom rác", Sector.E, "3811", "", False),
]
HOUSEHOLD_ACTIVITIES = [
    (Sector.G, "4711"),
    (Sector.I, "5610"),
    (Sector.C, "1071"),
    (Sector.S, "9631"),
    (Sector.A, "0146"),
    (Sector.G, "4722"),
    (Sector.H, "4933"),
]
UNION_NAMES = [
    ("Liên hiệp HTX Nông nghiệp {place}", Sector.A, "0161", Agri.GENERAL),
    ("Liên hiệp HTX Thương mại {place}", Sector.G, "4690", ""),
    ("Liên hiệp HTX Vận tải {place}", Sector.H, "4933", ""),
    ("Liên hiệp HTX Dịch vụ Nông nghiệp {place}", Sector.A, "0161", Agri.GENERAL),
]
