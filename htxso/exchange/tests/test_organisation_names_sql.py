"""The organisation import keys most names in SQL (#17, `core.text.quick_search_key_sql`): for
every name SQL takes as quick (`QUICK_WORDS`), its key there is `quick_search_key`'s — and so
`Organisation.keys_for`'s — and the row lane's way of comparing names (`same_name`) never
tells apart two names SQL keys the same way it would not."""

import string

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from htxso.core.text import (
    _LETTERS,
    QUICK_WORDS,
    UNACCENTED,
    quick_search_key,
    quick_search_key_sql,
)
from htxso.exchange.organisations import same_name
from htxso.tabular.columns import parse_text

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL lane is PostgreSQL's"),
    pytest.mark.django_db,
]

_ALNUM = string.ascii_letters + string.digits + _LETTERS
_PHRASES = [
    "hợp tác xã",
    "HỢP TÁC XÃ",
    "Liên hiệp hợp tác xã",
    "liên hiệp HTX",
    "Tổ hợp tác",
    "tổ Hợp tác",
    "hộ kinh doanh",
    "HỘ KINH DOANH",
    "xã",
    "Đ",
    "lien",
]
_words = st.one_of(st.text(_ALNUM, min_size=1, max_size=8), st.sampled_from(_PHRASES))
# Single-spaced words of the quick alphabet: what SQL takes.
quick_names = st.lists(_words, min_size=1, max_size=8).map(" ".join)
# Near misses: stray spaces, punctuation, other letters, decomposed accents.
other_names = st.one_of(
    st.text(_ALNUM + " -_.,()&'\t\u00a0ßǅ\u0301", max_size=30),
    st.text(st.characters(blacklist_characters="\x00"), max_size=20),  # no cell holds NUL
    st.lists(_words, min_size=1, max_size=5).map("  ".join),
)


def sql_keys(names: list[str]) -> list[tuple[bool, str | None]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v ~ '{QUICK_WORDS}', CASE WHEN v ~ '{QUICK_WORDS}' "
            f"THEN {quick_search_key_sql('v')} END "
            f"FROM unnest(%s::text[]) WITH ORDINALITY AS x(v, n) ORDER BY n",
            [names],
        )
        return cursor.fetchall()


def assert_agree(name: str, quick: bool, key: str | None) -> None:
    if not quick:
        return  # keyed in Python
    assert parse_text(name) == name, "a quick name is already in its parsed form"
    assert key == quick_search_key(name), name
    assert key == quick_search_key(same_name(name)), name


def test_unaccent_strips_the_letters_as_python_does():
    with connection.cursor() as cursor:
        cursor.execute("SELECT unaccent('unaccent', %s) = %s", UNACCENTED)
        assert cursor.fetchone()[0]


def test_known_names():
    names = [
        "Hợp tác xã Chè Tân Cương",
        "LIÊN HIỆP HỢP TÁC XÃ Dịch vụ Ẩm thực Đà Nẵng",
        "HTX hop tac xa hop tac xa",
        "Tổ hợp tác Lúa Số 12",
        "hộ kinh doanh Bánh Chưng Ước Lễ",
        "ỐỒỔỖỘ ớờởỡợ ỨỪỬỮỰ ýỳỷỹỵ Đđ",
    ]
    found = sql_keys(names)
    assert all(quick for quick, _key in found)
    for name, (quick, key) in zip(names, found, strict=True):
        assert_agree(name, quick, key)
    assert found[2][1] == "htx htx htx"
    # Not quick: punctuation, stray spaces, decomposed accents, other letters.
    others = ["HTX Nông nghiệp - Dịch vụ", " HTX", "HTX  Lúa", "Cafe\u0301", "Straße", ""]
    assert not any(quick for quick, _key in sql_keys(others))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.one_of(quick_names, other_names), min_size=1, max_size=20))
def test_sql_keys_agree_with_python(names):
    for name, (quick, key) in zip(names, sql_keys(names), strict=True):
        assert_agree(name, quick, key)
        if all(c in _ALNUM for c in name.replace(" ", "")) and parse_text(name) == name and name:
            assert quick, f"a single-spaced name of the alphabet is quick: {name!r}"
