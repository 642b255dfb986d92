"""Code lists of the registry. Values are stable codes (English), labels are Vietnamese."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    COOPERATIVE_GROUP = "cooperative_group", _("Tổ hợp tác")
    COOPERATIVE = "cooperative", _("Hợp tác xã")
    COOPERATIVE_UNION = "cooperative_union", _("Liên hiệp hợp tác xã")
    HOUSEHOLD_BUSINESS = "household_business", _("Hộ kinh doanh")


class Status(models.TextChoices):
    ACTIVE = "active", _("Đang hoạt động")
    SUSPENDED = "suspended", _("Tạm ngừng kinh doanh")
    NOT_OPERATING = "not_operating", _("Ngừng hoạt động nhưng chưa giải thể")
    DISSOLVED = "dissolved", _("Đã giải thể")
    BANKRUPT = "bankrupt", _("Phá sản")


# Organisations that still exist but do not operate: the "dormant" count users ask for.
DORMANT_STATUSES = frozenset({Status.SUSPENDED, Status.NOT_OPERATING})
CLOSED_STATUSES = frozenset({Status.DISSOLVED, Status.BANKRUPT})


class MemberKind(models.TextChoices):
    OFFICIAL = "official", _("Thành viên chính thức")
    ASSOCIATE_CAPITAL = "associate_capital", _("Thành viên liên kết góp vốn")
    ASSOCIATE = "associate", _("Thành viên liên kết không góp vốn")


class AgriculturalType(models.TextChoices):
    CROPS = "crops", _("Trồng trọt")
    LIVESTOCK = "livestock", _("Chăn nuôi")
    FISHERY = "fishery", _("Thủy sản")
    FORESTRY = "forestry", _("Lâm nghiệp")
    SALT = "salt", _("Diêm nghiệp")
    WATER = "water", _("Nước sạch nông thôn")
    GENERAL = "general", _("Tổng hợp")


class Classification(models.TextChoices):
    """Circular 01/2020/TT-BKHĐT bands; the thresholds themselves are rule-set data."""

    GOOD = "good", _("Tốt")
    FAIR = "fair", _("Khá")
    AVERAGE = "average", _("Trung bình")
    WEAK = "weak", _("Yếu")


class Gender(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class Sector(models.TextChoices):
    """Sections of the Vietnam Standard Industrial Classification (VSIC 2018)."""

    A = "A", _("Nông nghiệp, lâm nghiệp và thủy sản")
    B = "B", _("Khai khoáng")
    C = "C", _("Công nghiệp chế biến, chế tạo")
    D = "D", _("Sản xuất và phân phối điện, khí đốt, nước nóng, hơi nước và điều hòa không khí")
    E = "E", _("Cung cấp nước; quản lý và xử lý rác thải, nước thải")
    F = "F", _("Xây dựng")
    G = "G", _("Bán buôn và bán lẻ; sửa chữa ô tô, mô tô, xe máy")
    H = "H", _("Vận tải, kho bãi")
    I = "I", _("Dịch vụ lưu trú và ăn uống")  # noqa: E741
    J = "J", _("Thông tin và truyền thông")
    K = "K", _("Hoạt động tài chính, ngân hàng và bảo hiểm")
    L = "L", _("Hoạt động kinh doanh bất động sản")
    M = "M", _("Hoạt động chuyên môn, khoa học và công nghệ")
    N = "N", _("Hoạt động hành chính và dịch vụ hỗ trợ")
    O = "O", _("Quản lý nhà nước, an ninh quốc phòng; bảo đảm xã hội bắt buộc")  # noqa: E741
    P = "P", _("Giáo dục và đào tạo")
    Q = "Q", _("Y tế và hoạt động trợ giúp xã hội")
    R = "R", _("Nghệ thuật, vui chơi và giải trí")
    S = "S", _("Hoạt động dịch vụ khác")
    T = "T", _("Hoạt động làm thuê trong các hộ gia đình")
    U = "U", _("Hoạt động của các tổ chức và cơ quan quốc tế")


AGRICULTURAL_SECTOR = Sector.A
