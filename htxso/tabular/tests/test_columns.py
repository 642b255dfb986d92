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
