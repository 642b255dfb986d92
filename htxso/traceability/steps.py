"""The CBV 2.0 business steps in Vietnamese, for the pages (each one the EPCIS 2.0 schema
accepts: `tests/test_epcis.py`). A recall is no step: it is the disposition "recalled"."""

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
    "assembling": _("Gắn thiết bị"),
    "disassembling": _("Tháo thiết bị"),
    "holding": _("Tạm giữ"),
    "removing": _("Rút khỏi lưu thông"),
}


def step_label(step: str) -> str:
    return str(STEPS.get(step, step or _("Sự kiện")))
