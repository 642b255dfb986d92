"""The registration certificate: a PDF in Vietnamese after the official form's layout, with a
QR code carrying a signed token (Django signing, not just an id) that opens the public
verification page. The font (DejaVu Sans, Vietnamese glyphs, licence beside it) is vendored in
`core/fonts/` and the QR drawn by `core/pdf.py`: nothing is fetched at run time. The PDF is
drawn from the certificate's stored facts, so a superseded certificate prints as it was
issued."""

import datetime as dt
from typing import Any

from django.core import signing
from django.utils import timezone

from htxso.core.pdf import document, draw_qr

from .models import Certificate

SALT = "htxso.registration.certificate"


def token(certificate: Certificate) -> str:
    """The signed token of the QR code: the serial and the code, tamper-evident."""
    return signing.dumps({"s": certificate.serial, "c": certificate.code}, salt=SALT, compress=True)


def read_token(value: str) -> dict[str, str] | None:
    """The token's content, or None when it was not signed here (forged or damaged)."""
    try:
        data = signing.loads(value, salt=SALT)
    except signing.BadSignature:
        return None
    return data if isinstance(data, dict) and "s" in data else None


def _date_words(day: dt.date) -> str:
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def render(certificate: Certificate, verify_url: str) -> bytes:
    facts: dict[str, Any] = certificate.facts
    pdf = document()
    pdf.set_title(f"Giấy chứng nhận {certificate.serial}")
    pdf.add_page()
    pdf.set_margins(20, 18, 20)

    def line(
        text: str, size: int = 11, bold: bool = False, align: str = "L", gap: float = 7
    ) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, gap, text, align=align, new_x="LMARGIN", new_y="NEXT")

    line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, True, "C")
    line("Độc lập - Tự do - Hạnh phúc", 12, True, "C")
    line(f"Số: {certificate.serial}", 10, align="R")
    pdf.ln(4)
    line(f"GIẤY CHỨNG NHẬN ĐĂNG KÝ {str(facts['kind']).upper()}", 15, True, "C", 9)
    line(f"Mã số: {certificate.code}", 12, True, "C")
    issued = timezone.localtime(certificate.issued_at).date()
    registered = (
        dt.date.fromisoformat(facts["registered_on"]) if facts.get("registered_on") else issued
    )
    line(f"Đăng ký lần đầu: {_date_words(registered)}", 11, align="C")
    if facts.get("changed_on"):
        changed = dt.date.fromisoformat(facts["changed_on"])
        line(
            f"Đăng ký thay đổi lần thứ {facts.get('changes', 1)}: {_date_words(changed)}",
            11,
            align="C",
        )
    pdf.ln(4)
    line(f"1. Tên {str(facts['kind']).lower()}", 11, True)
    line(f"Tên viết bằng tiếng Việt: {facts['name']}")
    line("2. Địa chỉ trụ sở chính", 11, True)
    line(facts.get("address") or "—")
    line("3. Vốn điều lệ", 11, True)
    capital = facts.get("capital")
    line(f"{capital:,}".replace(",", ".") + " đồng" if capital else "—")
    line("4. Người đại diện theo pháp luật", 11, True)
    line(facts.get("representative") or "—")
    if facts.get("members"):
        line("5. Số thành viên" + ("" if facts.get("changed_on") else " sáng lập"), 11, True)
        line(str(facts["members"]))
    pdf.ln(6)
    line(f"Cấp {_date_words(issued)}", 11, align="R")
    line("CƠ QUAN ĐĂNG KÝ", 11, True, "R")
    line("(bản điện tử, xác thực bằng mã QR)", 9, align="R")
    y = pdf.get_y() + 4
    draw_qr(pdf, verify_url, 20, y, 42)
    pdf.set_xy(66, y + 8)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(
        0, 5, "Quét mã QR để kiểm tra giấy chứng nhận là thật và còn hiệu lực:\n" + verify_url
    )
    return bytes(pdf.output())
