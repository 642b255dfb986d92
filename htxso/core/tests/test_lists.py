"""The UI kit's list (`core/lists.py`) on a list of users: whitelisted sorts with the id as
tiebreaker, keyset pages forward and back, chosen columns kept per user (audited) or per
session, the column chooser's refusals, bounded counts."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.urls import reverse

from htxso.core.lists import (
    Column,
    Export,
    ListSpec,
    bounded_count,
    build,
    chosen_columns,
    counted,
    register,
)
from htxso.core.models import AuditEntry, ListPreference, User
from htxso.core.roles import Role

SORTS = {
    "first": ("first_name", False, "A→Z"),
    "-first": ("first_name", True, "Z→A"),
    "user": ("username", False, "A→Z"),
    "-user": ("username", True, "Z→A"),
}
USERS = register(
    ListSpec(
        name="test.users",
        columns=(
            Column("username", "Tên đăng nhập", lambda u: u.username, sort="user", fixed=True),
            Column("first", "Tên", lambda u: u.first_name, sort="first"),
            Column("role", "Vai trò", lambda u: u.role),
            Column("email", "Thư điện tử", lambda u: u.email or None, default=False),
        ),
        sorts=SORTS,
        default_sort="user",
        counted=counted(lambda n: "%(n)s người dùng", "Hơn %(n)s người dùng"),
        page_size=3,
        exports=(Export("Tải CSV", "tokens"),),
    )
)


@pytest.fixture
def users(db):
    # Three share a first name: only the id orders them (the tiebreaker).
    names = ["Lan", "An", "Lan", "Bình", "Lan", "Chi", "An"]
    return [
        User.objects.create_user(username=f"nguoi-dung-{i}", first_name=name, role=Role.PUBLIC)
        for i, name in enumerate(names)
    ]


def request_for(query: str = "", user=None):
    request = RequestFactory().get(f"/list/{query}")
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    return request


def page_ids(request_query: str, user=None, queryset=None) -> tuple[list[int], object]:
    listing = build(request_for(request_query, user), USERS, queryset or User.objects.all())
    return [row.pk for row in listing.rows], listing


def test_a_spec_whose_columns_sort_outside_the_whitelist_is_refused_at_import():
    column = Column("x", "X", str, sort="price")
    with pytest.raises(ValueError, match="not in sorts"):
        register(ListSpec("bad", (column,), SORTS, "user", counted(str, "")))
    with pytest.raises(ValueError, match="default sort"):
        register(ListSpec("bad", (), SORTS, "price", counted(str, "")))


@pytest.mark.parametrize("sort", ["first", "-first"])
def test_pages_forward_and_back_in_the_sort_order_with_the_id_as_tiebreaker(users, sort):
    field, descending, _label = SORTS[sort]
    expected = list(
        User.objects.order_by(
            f"{'-' if descending else ''}{field}", "-id" if descending else "id"
        ).values_list("id", flat=True)
    )
    seen, pages, query = [], [], f"?sort={sort}"
    while True:
        ids, listing = page_ids(query)
        seen += ids
        pages.append(query)
        if not listing.next_link:
            break
        query = listing.next_link
    assert seen == expected and len(pages) == 3
    _back, listing = page_ids(pages[2])
    ids, _ = page_ids(listing.previous_link)
    assert ids == expected[3:6]


@pytest.mark.parametrize("sort", ["password", "-is_superuser", "first_name", "", "user;--"])
def test_an_unknown_sort_key_falls_back_to_the_default_with_a_note(users, sort):
    ids, listing = page_ids(f"?sort={sort}")
    assert listing.sort == "user"
    assert ids == list(User.objects.order_by("username", "id").values_list("id", flat=True)[:3])
    assert bool(listing.messages) == bool(sort)  # an empty key is simply no sort


def test_headers_link_to_the_other_direction_and_say_so(users):
    _ids, listing = page_ids("?sort=first&role=public")
    first = next(h for h in listing.headers if h.column.key == "first")
    assert first.aria_sort == "ascending"
    assert "sort=-first" in first.href and "role=public" in first.href
    assert first.action == "Sắp xếp theo Tên, giảm dần"
    username = next(h for h in listing.headers if h.column.key == "username")
    assert username.aria_sort == "" and "sort=user" in username.href
    assert next(h for h in listing.headers if h.column.key == "role").href == ""


def test_exports_carry_the_filters_but_not_the_cursor(users):
    _ids, first = page_ids("?sort=first&role=public")
    _ids, second = page_ids(first.next_link)
    [(_label, href)] = second.exports
    assert href == f"{reverse('tokens')}?sort=first&role=public"


def test_a_tampered_cursor_shows_the_first_page_with_status_400(users):
    ids, listing = page_ids("?cursor=not-a-cursor")
    assert listing.status == 400 and len(ids) == 3
    assert "Liên kết trang không hợp lệ" in listing.messages[0]


def test_a_signed_in_users_columns_are_remembered_and_audited(client, users):
    user = users[0]
    client.force_login(user)
    response = client.post(
        reverse("list-columns"),
        {"list": "test.users", "columns": ["email", "first"], "next": "/registry/?kind=x"},
    )
    assert response.status_code == 302 and response["Location"] == "/registry/?kind=x"
    assert ListPreference.objects.get(user=user).columns == ["first", "email"]
    entry = AuditEntry.objects.get(object_type="core.listpreference")
    assert entry.actor == user and entry.after == {"columns": ["first", "email"]}
    # The next page shows the fixed column and the chosen ones, in the spec's order.
    _ids, listing = page_ids("", user)
    assert [h.column.key for h in listing.headers] == ["username", "first", "email"]
    # Another user still sees the defaults.
    assert chosen_columns(request_for("", users[1]), USERS) == ["username", "first", "role"]
    # Back to the defaults: the preference is gone (and that is audited too).
    client.post(reverse("list-columns"), {"list": "test.users", "reset": "1", "next": "/"})
    assert not ListPreference.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(object_type="core.listpreference").count() == 2


def test_an_anonymous_visitors_columns_live_in_the_session(client, db):
    response = client.post(
        reverse("list-columns"), {"list": "test.users", "columns": ["role"], "next": "/"}
    )
    assert response.status_code == 302
    assert client.session["list_columns"] == {"test.users": ["role"]}
    assert not ListPreference.objects.exists()
    assert not AuditEntry.objects.filter(object_type="core.listpreference").exists()


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"list": "test.users", "columns": ["password"]}, 400),  # not a column of the list
        ({"list": "test.users", "columns": ["username", "role"]}, 400),  # fixed: not chosen
        ({"list": "no.such.list", "columns": ["role"]}, 404),
        ({"columns": ["role"]}, 404),
    ],
)
def test_the_column_chooser_refuses_what_the_list_does_not_have(client, users, data, status):
    client.force_login(users[0])
    response = client.post(reverse("list-columns"), data)
    assert response.status_code == status
    assert not ListPreference.objects.exists()
    assert not AuditEntry.objects.filter(object_type="core.listpreference").exists()


def test_the_column_chooser_goes_back_only_to_this_site(client, users):
    response = client.post(
        reverse("list-columns"),
        {"list": "test.users", "columns": ["role"], "next": "https://lua-dao.example/"},
    )
    assert response["Location"] == "/"
    assert client.get(reverse("list-columns")).status_code == 405


def test_counts_stop_at_the_bound(users):
    assert bounded_count(User.objects.all(), limit=100) == (7, True)
    assert bounded_count(User.objects.all(), limit=5) == (5, False)
    _ids, listing = page_ids("")
    assert listing.count_text == "7 người dùng"


def test_a_result_on_one_page_is_counted_by_its_rows_and_a_longer_one_by_the_count(users):
    calls = []

    def count(queryset):
        calls.append(queryset)
        return 99, True

    # Two users: one page, no count asked for (the page's rows are the count).
    request = request_for("?sort=user")
    two = User.objects.filter(first_name="An")
    listing = build(request, USERS, two, count=count)
    assert (len(listing.rows), listing.count_text, calls) == (2, "2 người dùng", [])
    # Seven users on pages of three: the count is asked for, on every page.
    listing = build(request, USERS, User.objects.all(), count=count)
    assert (listing.count_text, len(calls)) == ("99 người dùng", 1)
    last = build(request_for(listing.next_link), USERS, User.objects.all(), count=count)
    last = build(request_for(last.next_link), USERS, User.objects.all(), count=count)
    assert (len(last.rows), last.next_link, last.count_text) == (1, "", "99 người dùng")
    assert len(calls) == 3


def test_bulk_actions_render_a_labelled_checkbox_per_row_for_whom_they_are_allowed(users):
    from dataclasses import replace

    from django.template.loader import render_to_string

    from htxso.core.lists import BulkAction

    staff_only = BulkAction("lock", "Khóa", "tokens", allowed=lambda u: u.is_staff)
    spec = replace(USERS, bulk_actions=(BulkAction("revoke", "Thu hồi", "tokens"), staff_only))
    request = request_for("", users[0])
    listing = build(request, spec, User.objects.all())
    text = render_to_string("core/_list.html", {"listing": listing}, request)
    assert [a.name for a in listing.bulk_actions] == ["revoke"]
    assert text.count('form="bulk-test.users"') == 3 and 'aria-label="Chọn dòng 1"' in text
    assert f'formaction="{reverse("tokens")}">Thu hồi</button>' in text
    assert "Khóa</button>" not in text
    plain = render_to_string(
        "core/_list.html", {"listing": build(request, USERS, User.objects.all())}, request
    )
    assert 'name="ids"' not in plain
