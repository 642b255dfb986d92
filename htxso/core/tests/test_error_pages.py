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


@pytest.fixture
def production(settings):
    """What a visitor of the production site gets: DEBUG off, Django's own handlers."""
    settings.DEBUG = False
    settings.ROOT_URLCONF = "htxso.core.tests.error_urls"
    return settings


def test_a_crash_answers_the_vietnamese_server_error_page_without_the_database(
    client, production, django_assert_num_queries
):
    client.raise_request_exception = False
    with django_assert_num_queries(0):  # the page needs neither the database nor a session
        response = client.get("/test-broken/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Lỗi hệ thống" in page and 'data-status="500"' in page
    assert "a bug in a view" not in page and "Traceback" not in page
    assert "favicon.svg" in page


def test_with_debug_off_refusal_and_missing_pages_are_branded(client, production):
    assert not production.DEBUG
    client.force_login(make_user("cong-chung", Role.PUBLIC))
    refused = client.get(reverse("registry:create"))
    assert refused.status_code == 403
    assert "Bạn không có quyền tạo tổ chức." in refused.content.decode()
    missing = client.get("/khong-co-trang-nay/")
    assert missing.status_code == 404
    assert "Không tìm thấy trang" in missing.content.decode()
    for response in (refused, missing):
        assert 'rel="icon"' in response.content.decode()  # the layout's favicon


def test_every_page_links_the_favicon_and_the_file_is_served(client, production):
    page = client.get(reverse("registry:list")).content.decode()
    assert 'rel="icon" href="/static/htxso/favicon.svg"' in page
    assert 'rel="apple-touch-icon"' in page
    production.DEBUG = True  # static files are served by the finders in development
    served = client.get("/static/htxso/favicon.svg")
    assert served.status_code == 200 and b"<svg" in b"".join(served.streaming_content)


def test_the_admin_is_titled_htx_so(client):
    client.force_login(make_user("quan-tri", Role.SYSTEM_ADMIN, is_staff=True))
    page = client.get(reverse("admin:index")).content.decode()
    assert "<title>Quản trị hệ thống | HTX Số — quản trị</title>" in page
    assert ">HTX Số — quản trị hệ thống</a>" in page
    assert "Django" not in page and "favicon.svg" in page
