"""VietQR: the EMVCo merchant-presented QR (MPM) that Vietnamese banking apps read, built and
parsed. Pure functions; no bank connection.

A payload is a run of TLV fields — a two-digit id, a two-digit length, the value:

    00 "01"                      payload format indicator
    01 "12"                      point of initiation: dynamic (one payment)
    38 merchant account          00 the NAPAS GUID "A000000727", 01 the beneficiary
                                 (00 bank BIN, 01 account number), 02 the service "QRIBFTTA"
    53 "704"                     currency: Vietnamese đồng (ISO 4217)
    54 amount                    in đồng, digits only
    58 "VN"                      country
    62 additional data           08 purpose of the transfer: here the order reference
    63 CRC                       CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over everything
                                 before it, "6304" included, four upper-case hex digits
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

NAPAS_GUID = "A000000727"
TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY = "VN"
_REFERENCE = re.compile(r"^[A-Za-z0-9 .\-]{1,25}$")


class VietQRError(ValueError):
    """A payload that is not a valid VietQR; the message is Vietnamese."""


def crc16(data: str) -> str:
    """CRC-16/CCITT-FALSE of `data` (UTF-8) as four upper-case hex digits."""
    crc = 0xFFFF
    for byte in data.encode("utf-8"):
        crc ^= byte << 8
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise VietQRError(_("Trường %(tag)s dài quá 99 ký tự.") % {"tag": tag})
    return f"{tag}{len(value):02d}{value}"


@dataclass(frozen=True)
class VietQR:
    bank_bin: str
    account: str
    amount: int | None
    reference: str
    dynamic: bool = True


def build(bank_bin: str, account: str, amount: int, reference: str) -> str:
    """The payload of a dynamic VietQR paying `amount` đồng to `account` at bank `bank_bin`,
    carrying `reference` as the purpose of the transfer."""
    if not re.fullmatch(r"\d{6}", bank_bin or ""):
        raise VietQRError(_("Mã ngân hàng (BIN) phải gồm đúng 6 chữ số."))
    if not re.fullmatch(r"[A-Za-z0-9]{1,19}", account or ""):
        raise VietQRError(_("Số tài khoản chỉ gồm chữ và số, tối đa 19 ký tự."))
    if amount <= 0 or amount > 10**13 - 1:
        raise VietQRError(_("Số tiền phải lớn hơn 0 và tối đa 13 chữ số."))
    if not _REFERENCE.match(reference):
        raise VietQRError(_("Mã tham chiếu chỉ gồm chữ không dấu, số, tối đa 25 ký tự."))
    beneficiary = _tlv("00", bank_bin) + _tlv("01", account)
    merchant = _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", TO_ACCOUNT)
    body = (
        _tlv("00", "01")
        + _tlv("01", "12")
        + _tlv("38", merchant)
        + _tlv("53", CURRENCY_VND)
        + _tlv("54", str(amount))
        + _tlv("58", COUNTRY)
        + _tlv("62", _tlv("08", reference))
        + "6304"
    )
    return body + crc16(body)


def fields(payload: str) -> dict[str, str]:
    """The TLV fields of `payload` (id → value); `VietQRError` when a length runs past the end."""
    found: dict[str, str] = {}
    at = 0
    while at < len(payload):
        head = payload[at : at + 4]
        if len(head) < 4 or not head.isdigit():
            raise VietQRError(
                _("Độ dài không hợp lệ: trường ở vị trí %(at)s thiếu mã hoặc độ dài.") % {"at": at}
            )
        tag, length = head[:2], int(head[2:])
        value = payload[at + 4 : at + 4 + length]
        if len(value) != length:
            raise VietQRError(
                _(
                    "Độ dài không hợp lệ: trường %(tag)s khai %(length)s ký tự "
                    "nhưng chỉ còn %(left)s."
                )
                % {"tag": tag, "length": length, "left": len(value)}
            )
        found[tag] = value
        at += 4 + length
    return found


def parse(payload: str) -> VietQR:
    """Read and check a pasted VietQR: its structure, its CRC and its fields."""
    payload = (payload or "").strip()
    if len(payload) < 12:
        raise VietQRError(_("Chuỗi VietQR quá ngắn."))
    if len(payload) > 512:
        raise VietQRError(_("Chuỗi VietQR dài quá 512 ký tự."))
    top = fields(payload)
    if "63" not in top or not payload.endswith("63" + "04" + top["63"]) or len(top["63"]) != 4:
        raise VietQRError(_("Thiếu mã kiểm tra CRC (trường 63, 4 ký tự) ở cuối chuỗi."))
    expected = crc16(payload[:-4])
    if top["63"].upper() != expected:
        raise VietQRError(
            _("Sai mã kiểm tra CRC: chuỗi ghi %(given)s, tính được %(expected)s.")
            % {"given": top["63"], "expected": expected}
        )
    if top.get("00") != "01":
        raise VietQRError(_("Không phải mã QR theo chuẩn EMVCo (trường 00 phải là 01)."))
    merchant = fields(top.get("38", ""))
    if merchant.get("00") != NAPAS_GUID:
        raise VietQRError(
            _("Không phải VietQR: thiếu định danh NAPAS %(guid)s.") % {"guid": NAPAS_GUID}
        )
    beneficiary = fields(merchant.get("01", ""))
    bank_bin, account = beneficiary.get("00", ""), beneficiary.get("01", "")
    if not re.fullmatch(r"\d{6}", bank_bin) or not account:
        raise VietQRError(_("Thiếu mã ngân hàng (BIN) hoặc số tài khoản người nhận."))
    if top.get("53", CURRENCY_VND) != CURRENCY_VND:
        raise VietQRError(_("Đơn vị tiền phải là đồng Việt Nam (704)."))
    if top.get("58", COUNTRY) != COUNTRY:
        raise VietQRError(_("Mã quốc gia phải là VN."))
    amount_text = top.get("54")
    if amount_text is not None and not amount_text.isdigit():
        raise VietQRError(_("Số tiền không hợp lệ: %(amount)s.") % {"amount": amount_text})
    extra = fields(top.get("62", ""))
    return VietQR(
        bank_bin=bank_bin,
        account=account,
        amount=int(amount_text) if amount_text else None,
        reference=extra.get("08", extra.get("01", "")),
        dynamic=top.get("01") == "12",
    )


def svg(payload: str) -> str:
    """The payload as an inline SVG QR code (segno, as the sign-in's and the certificates')."""
    import segno

    return str(segno.make(payload, error="m").svg_inline(scale=5, border=2))
