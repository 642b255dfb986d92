"""VietQR: the CRC, building, parsing, and every refusal with its Vietnamese reason."""

import pytest

from htxso.marketplace import vietqr

# A payload as the NAPAS VietQR specification lays it out (field by field), built here with
# an independent TLV writer: format 01, dynamic 12, merchant account 38 (GUID A000000727,
# beneficiary BIN 970436 + account, service QRIBFTTA), currency 704, amount, country VN,
# additional data 62/08, CRC.
EXAMPLE_BODY = (
    "000201"
    "010212"
    "38570010A00000072701270006970436011300110012345670208QRIBFTTA"
    "5303704"
    "5406250000"
    "5802VN"
    "62160812DH2612079ABC"
    "6304"
)


def test_crc16_ccitt_false_check_value():
    # The catalogue check value of CRC-16/CCITT-FALSE (a.k.a. CRC-16/IBM-3740) for "123456789".
    assert vietqr.crc16("123456789") == "29B1"
    assert vietqr.crc16("") == "FFFF"


def test_build_lays_out_the_fields_of_the_specification():
    payload = vietqr.build("970436", "0011001234567", 250_000, "DH2612079ABC")
    assert payload == EXAMPLE_BODY + vietqr.crc16(EXAMPLE_BODY)
    assert "0010A000000727" in payload and "5303704" in payload and "5802VN" in payload


def test_parse_reads_back_what_build_wrote():
    payload = vietqr.build("970436", "0011001234567", 250_000, "DH2612079ABC")
    found = vietqr.parse(payload)
    assert found == vietqr.VietQR("970436", "0011001234567", 250_000, "DH2612079ABC", True)


def test_a_static_qr_without_amount_is_read():
    body = "000201010211" + "38570010A00000072701270006970436011300110012345670208QRIBFTTA"
    body += "53037045802VN6304"
    found = vietqr.parse(body + vietqr.crc16(body))
    assert found.amount is None and not found.dynamic


def test_a_changed_amount_breaks_the_crc():
    payload = vietqr.build("970436", "0011001234567", 250_000, "DH1")
    tampered = payload.replace("5406250000", "5406950000")
    with pytest.raises(vietqr.VietQRError, match="Sai mã kiểm tra CRC"):
        vietqr.parse(tampered)


def test_a_lowercase_crc_is_accepted():
    payload = vietqr.build("970436", "0011001234567", 250_000, "DH1")
    assert vietqr.parse(payload[:-4] + payload[-4:].lower()).amount == 250_000


@pytest.mark.parametrize(
    "payload, message",
    [
        ("", "quá ngắn"),
        ("0002", "quá ngắn"),
        ("000201010212389", "Độ dài không hợp lệ"),
        ("00020101021238990010A000000727", "Độ dài không hợp lệ"),
        ("000201010212" + "X" * 600, "dài quá 512"),
        ("0002010102125303704", "Thiếu mã kiểm tra CRC"),
    ],
)
def test_bad_lengths_and_structures_are_refused_in_vietnamese(payload, message):
    with pytest.raises(vietqr.VietQRError, match=message):
        vietqr.parse(payload)


def _signed(body: str) -> str:
    return body + "6304" + vietqr.crc16(body + "6304")


def test_another_scheme_is_not_vietqr():
    body = "000201010212" + "26200010A000000999010212" + "53037045802VN"
    with pytest.raises(vietqr.VietQRError, match="NAPAS"):
        vietqr.parse(_signed(body))


def test_a_foreign_currency_is_refused():
    body = "000201010212" + "38570010A00000072701270006970436011300110012345670208QRIBFTTA"
    with pytest.raises(vietqr.VietQRError, match="704"):
        vietqr.parse(_signed(body + "53038405802VN"))


@pytest.mark.parametrize(
    "args, message",
    [
        (("97043", "001", 1, "DH1"), "BIN"),
        (("970436", "", 1, "DH1"), "Số tài khoản"),
        (("970436", "001", 0, "DH1"), "Số tiền"),
        (("970436", "001", 10**13, "DH1"), "Số tiền"),
        (("970436", "001", 1, "Đơn hàng"), "tham chiếu"),
    ],
)
def test_build_refuses_bad_input(args, message):
    with pytest.raises(vietqr.VietQRError, match=message):
        vietqr.build(*args)


def test_the_svg_is_a_qr_image():
    svg = vietqr.svg(vietqr.build("970436", "0011001234567", 250_000, "DH1"))
    assert svg.startswith("<svg") and "path" in svg


# Payloads issued by bank-side VietQR services (MB's, BIDV's, Techcombank's virtual accounts),
# as found in public code: their CRCs were computed by those issuers, not by us.
ISSUED = [
    (
        "00020101021238570010A000000727012700069704220113VQRQACLNP26800208QRIBFTTA5303704"
        "54061000005802VN62270823Thanh toan don hang ABC6304CE4C",
        ("970422", "VQRQACLNP2680", 100_000, "Thanh toan don hang ABC", True),
    ),
    (
        "00020101021238590010A000000727012900069704180115V3CAS62627239240208QRIBFTTA5303704"
        "54063750005802VN62250821CSPZKHEL6A2 NTK O000463044729",
        ("970418", "V3CAS6262723924", 375_000, "CSPZKHEL6A2 NTK O0004", True),
    ),
    (
        "00020101021138510010A00000072701210006970407010797968680208QRIBFTTA53037045802VN"
        "62240820gen by sunary/vietqr6304BE74",
        ("970407", "9796868", None, "gen by sunary/vietqr", False),
    ),
    (
        "00020101021138540010A00000072701240006970422011099999991480208QRIBFTTA53037045802VN"
        "63047b49",
        ("970422", "9999999148", None, "", False),
    ),
]


@pytest.mark.parametrize("payload, expected", ISSUED)
def test_payloads_issued_by_banks_are_read(payload, expected):
    assert vietqr.parse(payload) == vietqr.VietQR(*expected)


@pytest.mark.parametrize("payload, _expected", ISSUED)
def test_one_changed_character_of_an_issued_payload_is_caught(payload, _expected):
    broken = payload.replace("QRIBFTTA", "QRIBFTTB")
    with pytest.raises(vietqr.VietQRError, match="CRC"):
        vietqr.parse(broken)
