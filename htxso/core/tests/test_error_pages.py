"""Errors answer in HTX Số's own Vietnamese pages, keeping the reason of a refusal (#16): they
were Django's bare English "Forbidden" and "Not Found"."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from htxso.core.roles import Role
from htxso.registry.tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_a_refusal_keeps_its_vietnamese_reason(client):
    client.force_login(make_user("cong-chung", Role.PUBLIC))
    response = client.get(reverse("registry:create"))
    assert response.status_code == 403
    page = response.content.decode()
    assert 'id="error-page"' in page and "Bạn không có quyền truy cập trang này" in page
    assert "Bạn không có quyền tạo tổ chức." in page  # the view's own reason
    assert "Forbidden" not in page


def test_a_missing_page_is_a_vietnamese_page_that_names_no_internals(client):
    response = client.get("/registry/999999999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Không tìm thấy trang" in page and 'href="/registry/"' in page
    assert "Not Found" not in page and "matches the given query" not in page


def test_the_server_error_page_stands_alone():
    # Django renders 500.html without a request: it must not need one.
    page = render_to_string("500.html")
    assert "Lỗi hệ thống" in page and "không có dữ liệu nào bị ghi dở" in page
