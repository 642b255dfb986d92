"""The history page reads as Vietnamese (#16): it showed the stored keys and values (`phone:`,
`status: suspended`, `is_high_tech: False`, 2024-03-01)."""

import re

import pytest
from django.urls import reverse

from htxso.core.models import AuditEntry

from .factories import OrganisationFactory
from .test_edit_pages import edit_data, field_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(officer_19, client):
    client.force_login(officer_19)
    return officer_19


def cells(html: str) -> list[str]:
    table = re.search(r'<table class="table table-sm" id="history-table">(.*?)</table>', html, re.S)
    assert table
    return [re.sub(r"<[^>]+>", " ", c) for c in re.findall(r"<td>(.*?)</td>", table.group(1), re.S)]


def test_a_change_reads_with_labels_and_the_pages_values(client, officer):
    organisation = OrganisationFactory(phone="0208 3855 000")
    data = edit_data(
        organisation,
        phone="0208 3855 123",
        email="htx@example.vn",
        charter_capital="1.500.000.000",
        is_high_tech="on",
    )
    response = client.post(reverse("registry:edit", args=[organisation.pk]), data)
    assert response.status_code == 302, field_errors(response)
    client.post(
        reverse("registry:status", args=[organisation.pk]),
        {"status": "suspended", "effective_on": "01/03/2024"},
    )
    html = client.get(reverse("registry:history", args=[organisation.pk])).content.decode()
    text = " ".join(" ".join(c.split()) for c in cells(html))
    assert "Cập nhật" in text and "Đổi tình trạng" in text
    # Phone and e-mail keys are masked on every history page (core.personal), labelled here.
    assert "Điện thoại: 02*********00" in text and "Điện thoại: 02*********23" in text
    assert "Thư điện tử: ***" in text
    assert "Vốn điều lệ (đồng): 1.500.000.000" in text
    assert "Ứng dụng công nghệ cao: Không" in text and "Ứng dụng công nghệ cao: Có" in text
    assert "Tình trạng: Tạm ngừng kinh doanh" in text  # the status by its label
    for raw in ("phone:", "email:", "status:", "is_high_tech", "charter_capital", "False", "True"):
        assert raw not in text, raw
    assert "update" not in text.split()
    assert AuditEntry.objects.filter(object_id=str(organisation.pk), action="update").exists()
