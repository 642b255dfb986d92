"""`membership_passes_sql` is `check_membership` restated for the set-wise member import: for
any membership the two must agree, or the import would take a row the page would refuse."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from htxso.registry import services
from htxso.registry.choices import MemberKind, OrganisationKind

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the set-wise lane runs on PostgreSQL"
)

TODAY = dt.date.today()
PREDICATE = services.membership_passes_sql(
    "%(org_kind)s::text",
    "%(established)s::date",
    "%(kind)s::text",
    "%(joined)s::date",
    "%(capital)s::bigint",
    "%(age)s::int",
)
near_today = st.dates(TODAY - dt.timedelta(days=400), TODAY + dt.timedelta(days=3))


def python_says(org_kind, established, kind, joined, capital, age) -> bool:
    try:
        services.check_membership(org_kind, established, kind, joined, capital, member_age=age)
    except ValidationError:
        return False
    return True


def sql_says(**values) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {PREDICATE}", {**values, "today": TODAY})
        return cursor.fetchone()[0]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    org_kind=st.sampled_from(OrganisationKind.values),
    established=near_today,
    kind=st.sampled_from([*MemberKind.values, "honorary"]),
    joined=near_today,
    capital=st.sampled_from([0, 1, 20_000_000]),
    age=st.integers(15, 20),
)
@pytest.mark.django_db
def test_sql_and_python_agree(org_kind, established, kind, joined, capital, age):
    values = dict(
        org_kind=org_kind,
        established=established,
        kind=kind,
        joined=joined,
        capital=capital,
        age=age,
    )
    assert sql_says(**values) == python_says(**values), values


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, passes",
    [
        ({}, True),
        ({"joined": TODAY + dt.timedelta(days=1)}, False),
        ({"joined": TODAY}, True),
        ({"established": dt.date(2020, 6, 2)}, False),
        ({"established": dt.date(2020, 6, 1)}, True),
        ({"org_kind": OrganisationKind.HOUSEHOLD_BUSINESS}, False),
        ({"age": 17}, False),
        ({"age": 18}, True),
        ({"kind": MemberKind.ASSOCIATE}, False),  # with capital
        ({"kind": MemberKind.ASSOCIATE, "capital": 0}, True),
    ],
)
def test_each_rule_at_its_edge(change, passes):
    values = {
        "org_kind": OrganisationKind.COOPERATIVE,
        "established": dt.date(2015, 3, 1),
        "kind": MemberKind.OFFICIAL,
        "joined": dt.date(2020, 6, 1),
        "capital": 20_000_000,
        "age": 30,
        **change,
    }
    assert python_says(**values) is passes
    assert sql_says(**values) is passes
