"""The indicator catalogue speaks to readers (#16): it showed the dimension codes
`province, kind, sector, status` and formulas such as "Tổng trường workers"."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _restore_language():
    """The English page activates English in the test's thread: don't leak it."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def rows(client, language: str = "vi") -> dict[str, tuple[str, str]]:
    client.cookies["django_language"] = language
    html = client.get(reverse("statistics:indicators")).content.decode()
    found = re.findall(
        r"<code>([\w-]+)</code>.*?class=\"small formula\">(.*?)</td>"
        r".*?class=\"small dimensions\">(.*?)</td>",
        html,
        re.S,
    )
    return {code: (formula, dims) for code, formula, dims in found}


def test_formulas_and_breakdowns_are_in_words(client, reference):
    catalogue = rows(client)
    assert catalogue["workers"] == (
        "Tổng “Số lao động thường xuyên” của các báo cáo đã duyệt",
        "Tỉnh/thành phố, loại hình tổ chức, ngành kinh tế, tình trạng hoạt động",
    )
    assert catalogue["agricultural_share"][0] == (
        "“Số tổ chức nông nghiệp” / “Số tổ chức trong sổ đăng ký” × 100"
    )
    assert catalogue["province_trained"][1] == "Tỉnh/thành phố"
    assert "tổ chức chưa giải thể, phá sản" in catalogue["members"][0]
    for formula, dims in catalogue.values():
        assert "trường" not in formula and "_" not in formula
        assert not re.search(r"\b(province|kind|sector|status)\b", dims)


def test_the_english_page_uses_the_english_labels(client, reference):
    catalogue = rows(client, "en")
    assert "“Regular workers”" in catalogue["workers"][0]
    assert catalogue["workers"][1].startswith("Province/city")
