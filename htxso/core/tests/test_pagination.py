"""Keyset pagination: walking forward and back visits every row once, cursors are opaque and
checked.

Provinces have a string primary key (the 2-digit code); users have an integer one, and are
used to exercise ties on the ordering column.
"""

import base64
import json

import pytest

from htxso.core.models import Province, User
from htxso.core.pagination import InvalidCursor, KeysetPage, keyset_paginate

ORDERINGS = [("name", False), ("name", True), ("code", False), ("code", True)]
ORDERING_IDS = ["name", "-name", "code", "-code"]


def _token(payload) -> str:
    """A cursor built by hand, the way a client could tamper with one."""
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def _expected(queryset, field, descending) -> list:
    order = [f"-{field}", "-pk"] if descending else [field, "pk"]
    return list(queryset.order_by(*order))


def _walk_forward(queryset, field, descending, size) -> list[KeysetPage]:
    pages = [keyset_paginate(queryset, field, descending, None, size)]
    while pages[-1].next_cursor:
        assert len(pages) <= queryset.count(), "the walk does not end"
        pages.append(keyset_paginate(queryset, field, descending, pages[-1].next_cursor, size))
    return pages


def _walk_back(queryset, field, descending, size, start: KeysetPage) -> list[KeysetPage]:
    pages = [start]
    while pages[-1].previous_cursor:
        assert len(pages) <= queryset.count(), "the walk does not end"
        pages.append(keyset_paginate(queryset, field, descending, pages[-1].previous_cursor, size))
    return pages


def _check_walks(queryset, field, descending, size):
    """Forward then back: every row once, in order; cursors only where there is more."""
    expected = _expected(queryset, field, descending)
    forward = _walk_forward(queryset, field, descending, size)

    assert [row for page in forward for row in page.items] == expected
    assert [len(page.items) for page in forward[:-1]] == [size] * (len(forward) - 1)
    assert 1 <= len(forward[-1].items) <= size
    assert len(forward) == -(-len(expected) // size)
    assert forward[0].previous_cursor is None
    assert forward[-1].next_cursor is None
    assert all(page.previous_cursor for page in forward[1:])
    assert all(page.next_cursor for page in forward[:-1])

    back = _walk_back(queryset, field, descending, size, forward[-1])
    assert [page.items for page in reversed(back)] == [page.items for page in forward]
    assert back[-1].previous_cursor is None  # arrived at the first page
    assert all(page.next_cursor for page in back[1:])

    # A page reached backwards leads forward to the page that followed it.
    for before, after in zip(reversed(back), forward[1:], strict=False):
        following = keyset_paginate(queryset, field, descending, before.next_cursor, size)
        assert following.items == after.items


# --- provinces (string primary key) ---------------------------------------------------------


@pytest.mark.parametrize(("field", "descending"), ORDERINGS, ids=ORDERING_IDS)
def test_first_page_of_provinces(db, field, descending):
    page = keyset_paginate(Province.objects.all(), field, descending, None, 5)
    assert page.items == _expected(Province.objects.all(), field, descending)[:5]
    assert page.previous_cursor is None
    assert page.next_cursor is not None


def test_first_page_by_code_in_both_directions(db):
    ascending = keyset_paginate(Province.objects.all(), "code", False, None, 5)
    descending = keyset_paginate(Province.objects.all(), "code", True, None, 5)
    assert [p.code for p in ascending.items] == ["01", "04", "08", "11", "12"]
    assert [p.code for p in descending.items] == ["96", "92", "91", "86", "82"]


@pytest.mark.parametrize(("field", "descending"), ORDERINGS, ids=ORDERING_IDS)
def test_walking_provinces_forward_and_back(db, field, descending):
    queryset = Province.objects.all()
    assert queryset.count() == 34
    _check_walks(queryset, field, descending, 5)


def test_walking_provinces_by_code_visits_the_34_codes_in_order(db):
    pages = _walk_forward(Province.objects.all(), "code", False, 5)
    codes = [p.code for page in pages for p in page.items]
    assert len(pages) == 7
    assert len(codes) == len(set(codes)) == 34
    assert codes == sorted(codes)


@pytest.mark.parametrize("size", [34, 100])
def test_one_page_when_size_covers_everything(db, size):
    page = keyset_paginate(Province.objects.all(), "name", False, None, size)
    assert len(page.items) == 34
    assert page.next_cursor is None
    assert page.previous_cursor is None


@pytest.mark.parametrize(
    "queryset",
    [lambda: Province.objects.none(), lambda: Province.objects.filter(code="00")],
    ids=["none", "filtered-out"],
)
@pytest.mark.parametrize(("field", "descending"), ORDERINGS, ids=ORDERING_IDS)
def test_empty_queryset_gives_no_cursors(db, queryset, field, descending):
    page = keyset_paginate(queryset(), field, descending, None, 5)
    assert page == KeysetPage([], None, None)


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!!",
        "é",
        "eyJ",  # the start of a JSON object, cut off
        _token(5),  # not a list
        _token([1, 2]),  # too short
        _token(["a", 1, "next", "extra"]),  # too long
        _token(["a", 1, "sideways"]),  # unknown direction
        _token(["a", None, "next"]),  # no primary key
        base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),  # not UTF-8
    ],
)
def test_garbage_cursor_is_invalid(db, cursor):
    with pytest.raises(InvalidCursor):
        keyset_paginate(Province.objects.all(), "name", False, cursor, 5)


def test_tampered_cursor_is_invalid(db):
    users = [User.objects.create(username=f"user{i:02d}") for i in range(8)]
    cursor = keyset_paginate(User.objects.all(), "username", False, None, 5).next_cursor
    assert cursor
    value, pk, direction = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert (value, pk, direction) == ("user04", users[4].pk, "next")
    for tampered in (
        cursor[:-3],
        cursor + "!!",
        "x" + cursor,
        _token([value, pk, "backwards"]),
        _token([value, "abc", "next"]),  # not an integer primary key
        _token([value, [pk], "next"]),
    ):
        with pytest.raises(InvalidCursor):
            keyset_paginate(User.objects.all(), "username", False, tampered, 5)


def test_cursor_value_that_the_field_cannot_parse_is_invalid(db):
    User.objects.create(username="someone")
    with pytest.raises(InvalidCursor):
        keyset_paginate(
            User.objects.all(), "date_joined", False, _token(["not a date", 1, "next"]), 5
        )
    with pytest.raises(InvalidCursor):
        keyset_paginate(User.objects.all(), "id", False, _token(["abc", 1, "next"]), 5)


def test_cursor_with_a_null_value_is_invalid(db):
    User.objects.create(username="someone")
    with pytest.raises(InvalidCursor):
        keyset_paginate(User.objects.all(), "username", False, _token([None, 1, "next"]), 5)


# --- users (integer primary key, ties on the ordering column) -------------------------------

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm"]


@pytest.fixture
def users(db):
    # 23 users: not a multiple of the page size, and surnames repeat so the pk breaks ties.
    return [
        User.objects.create(username=f"u{(i * 7) % 23:02d}", last_name=SURNAMES[i % len(SURNAMES)])
        for i in range(23)
    ]


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("field", ["last_name", "username", "id"])
@pytest.mark.parametrize("size", [1, 5, 7, 23])
def test_walking_users_forward_and_back(users, field, descending, size):
    _check_walks(User.objects.all(), field, descending, size)


def test_walk_on_a_filtered_queryset(users):
    queryset = User.objects.filter(last_name="Nguyễn")
    assert queryset.count() == 6
    _check_walks(queryset, "last_name", False, 4)


def test_rows_added_before_the_cursor_do_not_shift_the_next_page(users):
    queryset = User.objects.all()
    first = keyset_paginate(queryset, "username", False, None, 5)
    expected_second = _expected(queryset, "username", False)[5:10]
    User.objects.create(username="a-first")  # sorts before every page seen so far
    second = keyset_paginate(queryset, "username", False, first.next_cursor, 5)
    assert second.items == expected_second
