"""The registry list's layout kept per language for anonymous visitors (`core.shell`, issue #24
item 1): the page is the one the templates render in full, only the request's values change,
and what a request sends does not grow what is kept."""

import re

import pytest
from django.contrib.messages import INFO, add_message
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from htxso.core import shell
from htxso.registry import views
from htxso.registry.filters import OrganisationFilter

from .conftest import make_user
from .factories import OrganisationFactory

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
QUERIES = [
    {},
    {"q": "che tan"},
    {"q": "xyzzyqu"},
    {"q": '<b>"tân"</b> & '},  # escaped in the search box as the template escapes it
    {"q": "1911"},
    {"province": "19", "kind": "cooperative"},
    {"province": "19", "commune": "bogus", "sort": "-members"},  # an error, an option kept
    {"sort": "nonsense", "cursor": "bad"},  # a note and a 400
]


def _tokens_out(html: str) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value="T"', html)


@pytest.fixture
def organisations(db):
    OrganisationFactory(name="HTX Chè Tân Cương", province_id="19")
    OrganisationFactory(name="HTX Dịch Vụ Tân Phú", province_id="19")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_kept_layout_gives_the_page_the_templates_render_in_full(
    client, organisations, monkeypatch, language
):
    kept = []
    for params in QUERIES:
        response = client.get("/registry/", params, HTTP_ACCEPT_LANGUAGE=language)
        kept.append((response.status_code, _tokens_out(response.content.decode())))
    assert shell._kept  # the anonymous pages came from the kept layout
    monkeypatch.setattr(shell, "usable", lambda request: False)  # the reference: in full
    for params, (status, html) in zip(QUERIES, kept, strict=True):
        response = client.get("/registry/", params, HTTP_ACCEPT_LANGUAGE=language)
        assert (status, html) == (response.status_code, _tokens_out(response.content.decode()))
    assert 'value="&lt;b&gt;&quot;tân&quot;&lt;/b&gt; &amp; "' in kept[3][1]
    assert '<option value="-members" selected>' in kept[6][1]
    assert kept[7][0] == 400


def test_each_request_gets_its_own_csrf_token_and_path(client, organisations):
    first = client.get("/registry/", {"q": "che"}).content.decode()
    client.cookies.clear()
    second = client.get("/registry/", {"q": "tan"}).content.decode()
    assert set(TOKEN.findall(first)).isdisjoint(TOKEN.findall(second))
    assert len(TOKEN.findall(first)) == 2  # the language form and the column chooser
    assert 'name="next" type="hidden" value="/registry/?q=tan"' in second


def test_what_a_request_sends_does_not_grow_the_kept_layouts(client, organisations):
    shell._kept.clear()
    for n in range(30):
        client.get("/registry/", {"q": f"word{n}", "sort": f"s{n}", "province": str(n)})
    client.get("/registry/", {"q": "che"}, HTTP_ACCEPT_LANGUAGE="en")
    assert len(shell._kept) == 2  # one per language


def test_a_signed_in_user_gets_their_own_layout_not_the_kept_one(client, organisations):
    client.get("/registry/")  # the anonymous layout is kept
    client.force_login(make_user("officer", "provincial_officer", "19"))
    html = client.get("/registry/").content.decode()
    assert "Đăng xuất" in html and 'href="/accounts/login/"' not in html


@pytest.mark.django_db
def test_an_anonymous_visitor_with_a_message_sees_it():
    request = RequestFactory(HTTP_ACCEPT_LANGUAGE="vi").get("/registry/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    views.organisation_list(request)  # the layout is kept
    add_message(request, INFO, "Đã lưu các cột.")
    assert not shell.usable(request)
    html = views.organisation_list(request).content.decode()
    assert '<div class="alert alert-info">Đã lưu các cột.</div>' in html


@pytest.mark.django_db
def test_forms_share_their_fields_but_not_the_communes_of_a_province():
    with_province = OrganisationFilter({"province": "19"})
    without = OrganisationFilter({})
    communes = with_province.fields["commune"].choices  # type: ignore[attr-defined]
    assert len(communes) > 1
    assert len(without.fields["commune"].choices) == 1  # type: ignore[attr-defined]
    assert OrganisationFilter.base_fields["commune"].choices == []  # type: ignore[attr-defined]
    assert with_province.fields["kind"] is without.fields["kind"]
    assert with_province.is_valid() and not OrganisationFilter({"commune": "x"}).is_valid()


@pytest.mark.django_db
def test_a_provinces_commune_choices_are_kept_and_follow_reloaded_units():
    from htxso.core import units
    from htxso.core.models import Commune

    first = OrganisationFilter({"province": "19"}).fields["commune"]
    second = OrganisationFilter({"province": "19"}).fields["commune"]
    names = units.commune_names("19")
    expected = [("", "Tất cả"), *names]
    assert [(v, str(label)) for v, label in first.choices] == expected  # type: ignore[attr-defined]
    assert first.choices is second.choices  # type: ignore[attr-defined]
    assert first.widget.choices is first.choices  # type: ignore[attr-defined]
    code = names[0][0]
    assert OrganisationFilter({"province": "19", "commune": code}).is_valid()
    assert not OrganisationFilter({"province": "01", "commune": code}).is_valid()
    Commune.objects.create(code="99995", province_id="19", name="Xã Mới Nhất", search_key="x")
    units._forget_cached_units()  # what load_units does after a reload
    again = OrganisationFilter({"province": "19", "commune": "99995"})
    assert again.is_valid()
    assert ("99995", "Xã Mới Nhất") in list(again.fields["commune"].choices)  # type: ignore[attr-defined]
