"""The CBV business steps and dispositions in Vietnamese, for the pages."""

from django.utils.translation import gettext_lazy as _

STEPS = {
    "commissioning": _("Thu hoạch / tạo lô"),
    "packing": _("Đóng gói"),
    "shipping": _("Xuất hàng"),
    "receiving": _("Nhận hàng"),
    "storing": _("Lưu kho"),
    "creating_class_instance": _("Chế biến / tạo lô mới"),
    "inspecting": _("Kiểm tra"),
    "retail_selling": _("Bán lẻ"),
    "accepting": _("Tiếp nhận"),
    "loading": _("Xếp hàng lên xe"),
    "unloading": _("Dỡ hàng"),
    "destroying": _("Tiêu huỷ"),
    "sensor_reporting": _("Ghi nhận cảm biến"),
    "recalling": _("Thu hồi"),
}


def step_label(step: str) -> str:
    return str(STEPS.get(step, step or _("Sự kiện")))
