"""Reading uploaded files: every encoding Vietnamese offices used comes out as NFC Unicode, the
spreadsheet's own row numbers, and a Vietnamese `FileError` for whatever cannot be read."""

import csv
import datetime as dt
import io
import unicodedata
import zipfile

import pytest
from openpyxl import Workbook
from viparse.normalize.tcvn3 import TCVN3

from htxso.tabular import sources
from htxso.tabular.sources import FileError, open_table

# A member file's headers (the registry's template), written out: this layer knows no layout.
HEADERS = [
    "Mã số thuế của tổ chức", "Mã tổ chức trên HTX Số", "Số CCCD", "Họ và tên", "Giới tính",
    "Ngày sinh", "Điện thoại", "Thư điện tử", "Tỉnh/thành phố", "Quận/huyện (địa chỉ cũ)",
    "Xã/phường", "Số nhà, đường, thôn", "Loại thành viên", "Ngày gia nhập", "Ngày chấm dứt",
    "Vốn góp (đồng)",
]  # fmt: skip

# Rows with every kind of Vietnamese letter: tones on plain, circumflex, breve and horn vowels,
# đ, capitals with and without tones.
ROWS = [
    ["Mã số thuế", "Họ và tên", "Tỉnh/thành phố", "Ghi chú"],
    ["4600123456", "Trần Thị Bình", "Thái Nguyên", "Hợp tác xã Chè Tân Cương"],
    ["4600123457", "Nguyễn Văn Ấn", "Hà Nội", "Đặng Thị Ững, ỷ lại, cửa hàng, mưa ướt"],
    ["4600123458", "Lê Hoàng Yến", "Thừa Thiên Huế", "Ông Bà Ở Ơn Ư Ă Â Ê Ô Đ, quả gấc"],
]
# TCVN3 has no capital letters with tones: what .VnTime users typed is lower case.
LOWER_ROWS = [
    ["mã số thuế", "họ và tên", "tỉnh/thành phố", "ghi chú"],
    ["4600123456", "trần thị bình", "thái nguyên", "hợp tác xã chè tân cương"],
    ["4600123457", "nguyễn văn hùng", "hà nội", "đặng thị ững, cửa hàng nông sản, mưa ướt"],
    ["4600123458", "lê hoàng yến", "thừa thiên huế", "quả gấc, vải thiều, chè búp, miến dong"],
]


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


# cp1258 has the letters with circumflex, breve and horn, đ, and a few toned letters; every
# other tone is written as a combining mark after the letter (what Windows writes).
_SHAPE_MARKS = {"\u0302", "\u0306", "\u031b"}  # circumflex, breve, horn


def to_cp1258(text: str) -> bytes:
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        try:
            char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            base, marks = decomposed[0], list(decomposed[1:])
            for mark in [m for m in marks if m in _SHAPE_MARKS]:
                composed = unicodedata.normalize("NFC", base + mark)
                if len(composed) == 1:
                    base = composed
                    marks.remove(mark)
            out.append(base + "".join(marks))
        else:
            out.append(char)
    return "".join(out).encode("cp1258")


_TO_TCVN3 = {unicode: surface for surface, unicode in TCVN3.pairs}


def to_tcvn3_surface(text: str) -> str:
    """The text as a .VnTime font shows it when read as Latin-1 ("hîp t¸c x·")."""
    return "".join(_TO_TCVN3.get(c, c) for c in unicodedata.normalize("NFC", text))


def to_tcvn3(text: str) -> bytes:
    return to_tcvn3_surface(text).encode("latin-1")


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read_all(path, filename: str = "") -> tuple[sources.Table, list[tuple[int, list]]]:
    table = open_table(path, filename)
    return table, list(table.rows)


def xlsx_bytes(rows: list[list], at: dict[int, list] | None = None) -> bytes:
    """A workbook with `rows` from row 1, and `at` rows written at given row numbers."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for number, cells in (at or {}).items():
        for column, value in enumerate(cells, start=1):
            sheet.cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the helpers themselves write what the old software wrote -------------------------------------


def test_cp1258_helper_writes_tones_as_combining_marks():
    data = to_cp1258("Hợp tác xã Ấn")
    assert b"\xf5\xf2" in data  # ơ (F5) then the combining dot below (F2): "ợ"
    assert b"\xe1" in data  # á is precomposed in cp1258
    assert b"\xc2\xec" in data  # Â then the combining acute: "Ấ"
    assert unicodedata.normalize("NFC", data.decode("cp1258")) == "Hợp tác xã Ấn"


def test_tcvn3_helper_is_the_reverse_of_viparse_table():
    assert to_tcvn3_surface("hợp tác xã chè tân cương") == "hîp t¸c x· chÌ t©n c\xad¬ng"


# --- CSV encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encode", "expected_encoding"),
    [
        (lambda text: text.encode("utf-8"), "utf-8"),
        (lambda text: text.encode("utf-8-sig"), "utf-8-sig"),
        (to_cp1258, "windows-1258"),
    ],
    ids=["utf-8", "utf-8-bom", "windows-1258"],
)
def test_csv_encodings_read_back_as_nfc(tmp_path, encode, expected_encoding):
    path = write(tmp_path, "ds.csv", encode(csv_text(ROWS)))
    table, rows = read_all(path)
    assert table.encoding == expected_encoding
    assert table.headers == ROWS[0]  # no BOM left on the first header
    assert [cells for _n, cells in rows] == ROWS[1:]
    assert [n for n, _c in rows] == [2, 3, 4]
    for _n, cells in rows:
        for cell in cells:
            assert unicodedata.is_normalized("NFC", cell)


def test_nfd_utf8_is_normalised_to_nfc(tmp_path):
    """A Mac or a web form may write decomposed letters; the importer compares NFC."""
    path = write(tmp_path, "ds.csv", unicodedata.normalize("NFD", csv_text(ROWS)).encode())
    table, rows = read_all(path)
    assert table.headers == ROWS[0]
    assert [cells for _n, cells in rows] == ROWS[1:]


def test_tcvn3_bytes_read_back_equal(tmp_path):
    path = write(tmp_path, "ds.csv", to_tcvn3(csv_text(LOWER_ROWS)))
    table, rows = read_all(path)
    assert table.encoding == "tcvn3"
    assert table.headers == LOWER_ROWS[0]
    assert [cells for _n, cells in rows] == LOWER_ROWS[1:]


def test_utf8_file_with_tcvn3_mojibake_is_detected_and_converted(tmp_path):
    """Typed with a .VnTime font, saved as UTF-8: valid bytes, wrong letters."""
    text = to_tcvn3_surface(csv_text(LOWER_ROWS))
    assert "hîp t¸c x· chÌ t©n c\xad¬ng" in text
    path = write(tmp_path, "ds.csv", text.encode("utf-8"))
    table, rows = read_all(path)
    assert table.encoding == "utf-8+tcvn3"
    assert table.headers == LOWER_ROWS[0]
    assert [cells for _n, cells in rows] == LOWER_ROWS[1:]


def test_capitalised_tcvn3_mojibake_is_converted(tmp_path):
    """Capitals without tones exist in TCVN3 (Â Ê Ô Ă Ơ Ư Đ) and come back too."""
    rows = [["họ và tên", "ghi chú"], ["Hợp tác xã Chè Tân Cương", "Đồng Hỷ, Thái Nguyên"]] * 1
    rows += [["Nguyễn Văn Hùng", "xóm Đồng Chằm, xã Tân Cương"]]
    path = write(tmp_path, "ds.csv", to_tcvn3_surface(csv_text(rows)).encode("utf-8"))
    table, read = read_all(path)
    assert table.encoding == "utf-8+tcvn3"
    assert [cells for _n, cells in read] == rows[1:]


# The template's headers and drop-down values are Unicode; what a .VnTime user typed is not.
TYPED = [
    ["4600123456", "", "019185000123", "trần thị bình", "Nữ", "02/09/1985", "0912345678", ""],
    ["4600123456", "", "019085000124", "nguyễn văn hùng", "Nam", "", "", ""],
    ["4600123456", "", "019085000125", "đặng văn cường", "Nam", "", "0987654321", ""],
]
TYPED_PLACES = ["thái nguyên", "", "xã tân cương", "xóm nam đồng, tổ 5"]


def template_rows_typed_with_vntime() -> tuple[list[list], list[list]]:
    """(what the file holds, what it means): Unicode headers and drop-down choices, typed cells
    in TCVN3."""
    dropdown = "Thành viên chính thức"
    meant = [row + TYPED_PLACES + [dropdown, "01/06/2015", "", ""] for row in TYPED]
    held = [
        [to_tcvn3_surface(c) for c in row[:4]]
        + row[4:8]
        + [to_tcvn3_surface(c) for c in places]
        + [dropdown, "01/06/2015", "", ""]
        for row, places in zip(TYPED, [TYPED_PLACES] * len(TYPED), strict=True)
    ]
    return held, meant


def test_csv_template_typed_with_vntime_converts_only_the_typed_cells(tmp_path):
    held, meant = template_rows_typed_with_vntime()
    path = write(tmp_path, "ds.csv", csv_text([HEADERS, *held]).encode("utf-8-sig"))
    table, rows = read_all(path)
    assert table.encoding == "utf-8-sig+tcvn3"
    assert table.headers == HEADERS
    assert [cells for _n, cells in rows] == meant


def test_xlsx_template_typed_with_vntime_converts_only_the_typed_cells(tmp_path):
    held, meant = template_rows_typed_with_vntime()
    table, rows = read_all(write(tmp_path, "ds.xlsx", xlsx_bytes([HEADERS, *held])))
    assert table.encoding == "xlsx+tcvn3"
    assert table.headers == HEADERS
    assert [[c or "" for c in cells] for _n, cells in rows] == meant


def test_unicode_names_with_only_latin1_letters_are_not_taken_for_tcvn3(tmp_path):
    """ "Lê Thái Hà" is all Latin-1 letters, as TCVN3 text is; it must stay as it is."""
    rows = [["Họ và tên", "Tỉnh/thành phố"]]
    rows += [[name, "Thái Bình"] for name in ("Lê Thái Hà", "Hà Lê", "Tâm Châu", "Bùi Tài")]
    for name, data in [("ds.csv", csv_text(rows).encode()), ("ds.xlsx", xlsx_bytes(rows))]:
        table, read = read_all(write(tmp_path, name, data))
        assert "tcvn3" not in table.encoding
        assert [cells for _n, cells in read] == rows[1:]


def test_plain_utf8_vietnamese_is_never_converted(tmp_path):
    path = write(tmp_path, "ds.csv", csv_text(ROWS).encode())
    table, rows = read_all(path)
    assert table.encoding == "utf-8"
    assert rows[0][1][1] == "Trần Thị Bình"


def test_ascii_only_file(tmp_path):
    path = write(tmp_path, "ds.csv", b"cccd,full_name\n019085000123,Tran Thi Binh\n")
    table, rows = read_all(path)
    assert table.encoding == "utf-8"
    assert rows == [(2, ["019085000123", "Tran Thi Binh"])]


# --- CSV shape ------------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_delimiter_is_sniffed(tmp_path, delimiter):
    rows = [HEADERS[:4], ["4600123456", "", "019085000123", "Trần Văn An, con"]]
    path = write(tmp_path, "ds.csv", csv_text(rows, delimiter).encode("utf-8-sig"))
    table, read = read_all(path)
    assert table.headers == HEADERS[:4]
    assert read == [(2, rows[1])]  # the comma inside a quoted cell stays in the cell


def test_semicolon_csv_with_commas_in_amounts(tmp_path):
    """Excel in a Vietnamese locale writes ';' between cells and ',' inside numbers."""
    data = "Số CCCD;Họ và tên;Vốn góp (đồng)\r\n019085000123;Trần Văn An;1,500,000\r\n"
    table, rows = read_all(write(tmp_path, "ds.csv", data.encode("utf-8")))
    assert table.headers == ["Số CCCD", "Họ và tên", "Vốn góp (đồng)"]
    assert rows == [(2, ["019085000123", "Trần Văn An", "1,500,000"])]


def test_csv_blank_rows_are_skipped_and_numbers_are_the_files(tmp_path):
    data = (
        "Số CCCD,Họ và tên\r\n"
        "019085000123,Trần Văn An\r\n"
        ",\r\n"  # a row of empty cells
        "\r\n"  # an empty line
        "  ,   \r\n"  # spaces only
        "019185000124,Lê Thị Bình\r\n"
    )
    table, rows = read_all(write(tmp_path, "ds.csv", data.encode()))
    assert rows == [(2, ["019085000123", "Trần Văn An"]), (6, ["019185000124", "Lê Thị Bình"])]
    assert table.position() == 1.0


def test_csv_with_only_a_header_has_no_rows(tmp_path):
    table, rows = read_all(write(tmp_path, "ds.csv", "Số CCCD,Họ và tên\r\n".encode()))
    assert table.headers == ["Số CCCD", "Họ và tên"]
    assert rows == []


def test_csv_undecodable_bytes_after_the_sample_give_a_file_error(tmp_path, monkeypatch):
    """The encoding is decided on the first bytes; a later byte that does not fit is an error
    naming the encoding and the row, not a crash or silently dropped text."""
    monkeypatch.setattr(sources, "SAMPLE", 64)
    head = "Số CCCD,Họ và tên\r\n" + "019085000123,Trần Văn An\r\n" * 2000
    data = head.encode() + b"019085000124,Tr\xe2n V\xe3n\r\n"
    table = open_table(write(tmp_path, "ds.csv", data))
    assert table.encoding == "utf-8"
    read = []
    with pytest.raises(FileError, match="không đọc được theo bảng mã utf-8 gần dòng"):
        read.extend(table.rows)
    assert len(read) > 100  # the rows before the bad bytes were read


def test_csv_undecodable_bytes_at_the_start_give_a_file_error(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "SAMPLE", 16)
    data = "Số CCCD,Họ và tên\r\n".encode() + b"019085000124,Tr\xe2n V\xe3n\r\n"
    with pytest.raises(FileError, match=r"^Không đọc được tệp CSV"):
        open_table(write(tmp_path, "ds.csv", data))


def test_csv_with_an_unterminated_quote_is_read_to_the_end(tmp_path):
    data = 'Số CCCD,Họ và tên\r\n019085000123,"Trần Văn An\r\n'.encode()
    _table, rows = read_all(write(tmp_path, "ds.csv", data))
    assert rows == [(2, ["019085000123", "Trần Văn An\r\n"])]


# --- XLSX -----------------------------------------------------------------------------------------


def test_xlsx_cells_keep_their_types(tmp_path):
    rows = [
        HEADERS[:6],
        ["4600123456", None, 19085000123, "Trần Văn An", "Nam", dt.datetime(1985, 9, 2)],
    ]
    table, read = read_all(write(tmp_path, "ds.xlsx", xlsx_bytes(rows)))
    assert table.encoding == "xlsx"
    assert table.headers == HEADERS[:6]
    number, cells = read[0]
    assert number == 2
    # A CCCD typed into a number cell lost its leading zero; the importer puts it back.
    assert cells[2] == 19085000123 and isinstance(cells[2], int)
    assert cells[5] == dt.datetime(1985, 9, 2)
    assert cells[1] is None


def test_xlsx_text_is_stripped_and_nfc(tmp_path):
    rows = [["Họ và tên"], [unicodedata.normalize("NFD", "  Trần Thị Bình ")]]
    _table, read = read_all(write(tmp_path, "ds.xlsx", xlsx_bytes(rows)))
    assert read == [(2, ["Trần Thị Bình"])]


def test_xlsx_blank_rows_are_skipped_and_numbers_are_the_sheets(tmp_path):
    rows = [["Số CCCD", "Họ và tên"], ["019085000123", "Trần Văn An"], [None, "   "]]
    at = {5: ["019185000124", "Lê Thị Bình"], 9: ["", "  "]}
    _table, read = read_all(write(tmp_path, "ds.xlsx", xlsx_bytes(rows, at)))
    assert read == [(2, ["019085000123", "Trần Văn An"]), (5, ["019185000124", "Lê Thị Bình"])]


def test_xlsx_header_below_blank_rows(tmp_path):
    at = {3: ["Số CCCD", "Họ và tên"], 4: ["019085000123", "Trần Văn An"]}
    table, read = read_all(write(tmp_path, "ds.xlsx", xlsx_bytes([], at)))
    assert table.headers == ["Số CCCD", "Họ và tên"]
    assert read == [(4, ["019085000123", "Trần Văn An"])]


def test_xlsx_row_numbers_run_on_past_the_detection_buffer(tmp_path):
    """The first 200 data rows are read ahead to detect the text's encoding; numbering must
    run on without a gap or a repeat after them."""
    blank = (150, 230)
    rows = [["Số thứ tự", "Họ và tên"]]
    rows += [[None, None] if i in blank else [i, f"Người thứ {i}"] for i in range(2, 252)]
    table, read = read_all(write(tmp_path, "ds.xlsx", xlsx_bytes(rows)))
    numbers = [n for n, _c in read]
    expected = [n for n in range(2, 252) if n not in blank]
    assert numbers == expected
    assert all(cells[0] == n for n, cells in read)
    assert table.position() == 1.0


def test_xlsx_with_tcvn3_text_is_converted(tmp_path):
    rows = [[to_tcvn3_surface(c) for c in row] for row in LOWER_ROWS]
    table, read = read_all(write(tmp_path, "ds.xlsx", xlsx_bytes(rows)))
    assert table.encoding == "xlsx+tcvn3"
    assert table.headers == LOWER_ROWS[0]
    assert [cells for _n, cells in read] == LOWER_ROWS[1:]


# --- files that cannot be read --------------------------------------------------------------------


def test_xls_is_refused_with_advice(tmp_path):
    path = write(tmp_path, "ds.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    with pytest.raises(FileError, match=r"\.xls \(Excel 97-2003\) chưa được hỗ trợ"):
        open_table(path)


@pytest.mark.parametrize("name", ["ds.csv", "ds.xlsx"])
def test_empty_file(tmp_path, name):
    with pytest.raises(FileError, match=r"^Tệp trống"):
        open_table(write(tmp_path, name, b""))


def test_corrupt_xlsx(tmp_path):
    with pytest.raises(FileError, match=r"Không mở được tệp Excel \(\.xlsx\)"):
        open_table(write(tmp_path, "ds.xlsx", b"PK\x03\x04 day khong phai tep excel"))


def test_zip_that_is_not_a_workbook(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "không phải bảng tính")
    with pytest.raises(FileError, match="Không mở được tệp Excel"):
        open_table(write(tmp_path, "ds.xlsx", buffer.getvalue()))


def test_xlsx_without_any_row(tmp_path):
    with pytest.raises(FileError, match="Tệp trống: không có dòng tiêu đề"):
        open_table(write(tmp_path, "ds.xlsx", xlsx_bytes([])))


def test_other_extension_is_refused(tmp_path):
    with pytest.raises(FileError, match=r"Chỉ nhận tệp \.xlsx hoặc \.csv"):
        open_table(write(tmp_path, "ds.pdf", b"%PDF-1.4"))


def test_the_uploaded_name_decides_the_format(tmp_path):
    """Stored files may have another name; the uploaded name's extension is what counts."""
    path = write(tmp_path, "upload-1234", "Số CCCD\r\n019085000123\r\n".encode())
    _table, rows = read_all(path, "danh sách.CSV")
    assert rows == [(2, ["019085000123"])]


@pytest.mark.parametrize("line", [2, 1500, 40_000])
def test_csv_with_a_nul_byte_is_refused_naming_its_line(tmp_path, line):
    """Whatever the encoding, a NUL byte is not text (PostgreSQL cannot store it): refused
    before any row is read, with the file's line, across the scan's 1 MiB chunks too."""
    rows = ["Số CCCD,Họ và tên"] + [f"0190850{n:05d},Trần Văn An" for n in range(50_000)]
    rows[line - 1] = rows[line - 1].replace("Trần", "Tr\x00ần")
    path = write(tmp_path, "ds.csv", "\r\n".join(rows).encode())
    assert path.stat().st_size > 1 << 20
    with pytest.raises(FileError, match=rf"^Tệp có ký tự rỗng \(NUL, mã 0\) ở dòng {line}:"):
        open_table(path)
