"""GS1 identifiers: check digits (GTIN-8/12/13/14, SSCC, GLN and the other mod-10 keys), the
GS1 Vietnam prefix (893), batch/lot values, and the GS1 Digital Link / EPC forms the platform
writes (`https://id.gs1.org/01/{gtin14}/10/{lot}`).

Pure functions, no database: the traceability app, forms and the API all call these."""

import re
from urllib.parse import quote, unquote

VIETNAM_PREFIX = "893"  # GS1 Vietnam
DL_ROOT = "https://id.gs1.org"  # the canonical Digital Link host EPCIS 2.0 uses for EPCs

# The 82 characters of GS1's "AI encodable character set 82" (lot, serial…).
_CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+$")


def check_digit(body: str) -> str:
    """The GS1 mod-10 check digit of the digits `body` (the key without its last digit)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def valid_check_digit(key: str) -> bool:
    return key.isascii() and key.isdigit() and len(key) >= 2 and check_digit(key[:-1]) == key[-1]


def is_gtin(value: str) -> bool:
    """A GTIN-8, -12, -13 or -14 with a correct check digit."""
    return len(value) in (8, 12, 13, 14) and valid_check_digit(value)


def gtin14(value: str) -> str:
    """The 14-digit form of a valid GTIN (left padded with zeros): the form keys are stored in."""
    if not is_gtin(value):
        raise ValueError(value)
    return value.zfill(14)


def is_vietnamese_gtin(value: str) -> bool:
    """Allocated by GS1 Vietnam: a GTIN-13 (or its GTIN-14 forms) starting with 893."""
    return is_gtin(value) and value.zfill(14)[1:4] == VIETNAM_PREFIX


def is_sscc(value: str) -> bool:
    return len(value) == 18 and valid_check_digit(value)


def is_gln(value: str) -> bool:
    return len(value) == 13 and valid_check_digit(value)


def is_lot(value: str) -> bool:
    """A batch/lot number (AI 10): 1–20 characters of GS1's 82-character set."""
    return 1 <= len(value) <= 20 and bool(_CSET82.match(value))


def gtin_error(value: str) -> str | None:
    """Why `value` is not a GTIN (Vietnamese), or None."""
    if not value.isascii() or not value.isdigit():
        return "GTIN chỉ gồm chữ số."
    if len(value) not in (8, 12, 13, 14):
        return "GTIN có 8, 12, 13 hoặc 14 chữ số."
    if not valid_check_digit(value):
        return f"Số kiểm tra của GTIN sai (phải là {check_digit(value[:-1])})."
    return None


def lot_error(value: str) -> str | None:
    if not 1 <= len(value) <= 20:
        return "Số lô có từ 1 đến 20 ký tự."
    if not _CSET82.match(value):
        return "Số lô chỉ gồm chữ cái không dấu, chữ số và các ký hiệu GS1 cho phép."
    return None


def lot_uri(gtin: str, lot: str) -> str:
    """The EPC (class level) of a lot of a trade item, as a Digital Link URI."""
    return f"{DL_ROOT}/01/{gtin14(gtin)}/10/{quote(lot, safe='')}"


def sscc_uri(sscc: str) -> str:
    return f"{DL_ROOT}/00/{sscc}"


def gln_uri(gln: str) -> str:
    return f"{DL_ROOT}/414/{gln}"


_URN = re.compile(r"^urn:epc:(id|class):(sgtin|lgtin|sscc|sgln):(\d+)\.(\d*)\.?(.*)$")


_DL = re.compile(
    r"^https?://[^/]+(?:/[^?#]*)?/(01|00|414)/(\d+)((?:/(?:22|10|21|254)/[^/?#]+)*)/?(?:[?#].*)?$"
)


def canonical_epc(epc: str) -> str:
    """One form per identifier, for indexing and matching: EPC URNs of trade items, lots,
    logistic units and locations (`urn:epc:id:sgtin:…`, `urn:epc:class:lgtin:…`,
    `urn:epc:id:sscc:…`, `urn:epc:id:sgln:…`) become their Digital Link URIs on id.gs1.org;
    Digital Link URIs on any host are rewritten to id.gs1.org; anything else is kept."""
    match = _URN.match(epc)
    if match:
        _level, scheme, company, reference, rest = match.groups()
        if scheme in ("sgtin", "lgtin") and len(company) + len(reference) == 13:
            body = reference[:1] + company + reference[1:]
            ai = "21" if scheme == "sgtin" else "10"
            return f"{DL_ROOT}/01/{body}{check_digit(body)}/{ai}/{quote(unquote(rest), safe='')}"
        if scheme == "sscc" and len(company) + len(reference) == 17:
            body = reference[:1] + company + reference[1:]
            return sscc_uri(body + check_digit(body))
        if scheme == "sgln" and len(company) + len(reference) == 12:
            body = company + reference
            return gln_uri(body + check_digit(body))
        return epc
    dl = _DL.match(epc)
    if dl:
        key = dl.group(2).zfill(14) if dl.group(1) == "01" else dl.group(2)
        return f"{DL_ROOT}/{dl.group(1)}/{key}{dl.group(3)}"
    return epc
