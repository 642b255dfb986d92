"""Generic columns and findings (`htxso.tabular`): a column's choices are shown by its own
label function (no app is special-cased), and findings are capped but counted."""

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from htxso.tabular.columns import Column, Layout, choice_parser, code_digits, header_key
from htxso.tabular.findings import ROW_LEVEL, Findings, Severity, error_messages


class Colour(models.TextChoices):
    RED = "R", "Đỏ"
    BLUE = "B", "Xanh dương"


def coded(value: str, label: object) -> str:
    return f"{value} - {label}"


def test_a_column_shows_its_choices_with_its_label_function():
    plain = Column("colour", "Màu", choices=Colour)
    assert plain.dropdown_values() == ["Đỏ", "Xanh dương"]
    shown = Column("colour", "Màu", choices=Colour, label=coded)
    assert shown.dropdown_values() == ["R - Đỏ", "B - Xanh dương"]
    assert shown.choice_labels() == {"R": "R - Đỏ", "B": "B - Xanh dương"}


@pytest.mark.parametrize("cell", ["Đỏ", "do", "R", "r - đỏ", "R - Đỏ"])
def test_choices_parse_by_code_label_or_shown_form(cell):
    assert choice_parser(Colour, coded)(cell) == "R"


def test_an_unknown_choice_suggests_the_nearest_in_vietnamese():
    with pytest.raises(ValidationError, match="Có phải “Xanh dương”"):
        choice_parser(Colour)("xanh duong nhat")
    with pytest.raises(ValidationError, match="không có trong danh mục"):
        choice_parser(Colour)("tím")


def test_headers_match_without_accents_notes_or_asterisks():
    layout = Layout("t", "T", [Column("colour", "Màu sắc", aliases=("mau",))], keys=("colour",))
    mapping, unknown = layout.match_headers(["MÀU SẮC *", "Ghi chú"])
    assert mapping[0].key == "colour" and unknown == ["Ghi chú"]
    assert header_key("Vốn góp (đồng) *") == "von gop"
    assert code_digits(19085000123, 12) == "019085000123" and code_digits(" 0a ", 3) == "0a"


def test_findings_are_capped_but_counted_and_rows_counted_once():
    findings = Findings(cap=2)
    column = Column("colour", "Màu")
    findings.add(2, column, "x", "sai")
    findings.add(2, column, "y", "sai nữa")
    findings.add(3, ROW_LEVEL, None, "lưu ý", Severity.WARNING)
    findings.add(4, "Màu", "z", "sai")
    assert findings.total == 4 and len(findings.findings) == 2
    assert findings.error_rows == 2 and findings.has_errors
    assert findings.findings[0].column == "Màu" and findings.findings[0].value == "x"


def test_error_messages_of_a_validation_error():
    assert error_messages(ValidationError({"a": ["x"], "__all__": ["y"]})) == [
        ("a", "x"),
        ("", "y"),
    ]
    assert error_messages(ValidationError("z")) == [("", "z")]


SHOP = Layout(
    name="shop",
    title="Cửa hàng",
    keys=("code",),
    columns=[
        Column("code", "Mã cửa hàng", required=True),
        Column("name", "Tên cửa hàng", aliases=("ten",)),
        Column("opened_on", "Ngày khai trương"),
    ],
    extra=[Column("address", "Địa chỉ (một ô)")],
)


def test_headers_are_matched_by_template_synonym_and_spelling_each_said():
    headers = ["STT", "Mã cửa hàng", "Tên CH", "Ngày khai trươn", "Trụ sở", ""]
    detail = SHOP.match_detail(headers, {"ten ch": "name", "tru so": "address"})
    assert [(m.header, m.column.key if m.column else None, m.how) for m in detail] == [
        ("STT", None, ""),
        ("Mã cửa hàng", "code", "template"),
        ("Tên CH", "name", "synonym"),
        ("Ngày khai trươn", "opened_on", "similar"),  # a typo of the template's header
        ("Trụ sở", "address", "synonym"),  # an extra column: read, not in templates
    ]
    _mapping, unknown = SHOP.match_headers(headers)  # without the synonyms
    assert unknown == ["STT", "Tên CH", "Trụ sở"]


def test_a_column_is_matched_once_the_exact_name_first():
    detail = SHOP.match_detail(["Ngày khai trươn", "Ngày khai trương"])
    assert [(m.column.key if m.column else None, m.how) for m in detail] == [
        (None, ""),
        ("opened_on", "template"),
    ]


def test_the_header_is_the_row_naming_most_columns():
    rows = [
        ["DANH SÁCH CỬA HÀNG", None, None],  # a merged title cell
        ["Ngày 1/1/2025", None, None],
        ["Mã cửa hàng", "Tên cửa hàng", "Ngày khai trương"],
        ["CH01", "Tên cửa hàng số 1", "01/01/2020"],
    ]
    assert SHOP.find_header(rows) == 2
    assert SHOP.find_header([["a"], ["b"]]) == 0  # none names any: the first row


def test_a_choice_in_other_words_is_read_and_a_near_miss_of_one_suggested():
    parse = choice_parser(Colour, words=lambda: {"mau do": "R", "xanh nuoc bien": "B"})
    assert parse("Màu đỏ") == "R"
    with pytest.raises(ValidationError, match="Có phải “Xanh dương”"):
        parse("xanh nuoc bie")  # near the synonym: the label it stands for
