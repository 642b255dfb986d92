"""`core.api_rows.Values`: a read's `values()` set up once per process, cloned per request —
the same SQL as `queryset.values(…)` built on every request, for every role and filter."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import F

from htxso.core.api_rows import Values
from htxso.core.roles import Role
from htxso.marketplace.api import PRODUCT_COLUMNS, PRODUCT_ROWS
from htxso.marketplace.models import Product
from htxso.prices.api import SERIES_COLUMNS, SERIES_ROWS
from htxso.prices.models import Series
from htxso.registry.models import Organisation
from htxso.registry.tests.conftest import make_user
from htxso.registry.tests.factories import OrganisationFactory
from htxso.tasks.forum.api import (
    RECOMMENDATION_COLUMNS,
    RECOMMENDATION_ROWS,
    TASK_COLUMNS,
)
from htxso.tasks.forum.models import Recommendation

JOIN = re.compile(r" (?=(?:INNER|LEFT OUTER) JOIN )")


def sql(queryset) -> tuple[str, list[str], str, tuple]:
    """The query's SQL, its joins as a set: the clone adds the scope's joins after the
    columns' (the order of joins that each hang on the main table does not change rows)."""
    text, params = queryset.query.sql_with_params()
    head, rest = text.split(" FROM ", 1)
    tables, _, tail = rest.partition(" WHERE ")
    first, *joins = JOIN.split(tables)
    return head + first, sorted(joins), tail, params


@pytest.fixture
def users(db):
    org = OrganisationFactory(province_id="19")
    return [
        AnonymousUser(),
        make_user("cong-chung", Role.PUBLIC),
        make_user("can-bo-19", Role.PROVINCIAL_OFFICER, "19"),
        make_user("can-bo-tw", Role.CENTRAL_OFFICER),
        make_user("quan-ly", Role.COOPERATIVE_MANAGER, "19", organisation=org),
    ]


def test_recommendations_same_sql_as_values_built_per_request(users):
    expressions = {
        "year": F("edition__year"),
        "agency_name": F("agency__name"),
        "task_percent": F("task__percent_done"),
        **{f"task_{c}": F(f"task__{c}") for c in TASK_COLUMNS},
    }
    for user in users:
        for extra in ({}, {"edition__year": 2025, "topic": "credit"}, {"province_id": "19"}):
            built = (
                Recommendation.objects.visible_to(user)
                .filter(**extra)
                .values(*RECOMMENDATION_COLUMNS, **expressions)
                .order_by("-raised_on", "-pk")[:21]
            )
            cloned = RECOMMENDATION_ROWS().visible_to(user).filter(**extra)
            assert sql(cloned.order_by("-raised_on", "-pk")[:21]) == sql(built), (user, extra)


def test_series_and_products_same_sql(users):
    for user in users:
        built = Series.objects.visible_to(user).values(
            *SERIES_COLUMNS, commodity_code=F("commodity__code")
        )
        assert sql(SERIES_ROWS().visible_to(user).order_by("id")) == sql(built.order_by("id"))
        built = Product.objects.visible_to(user).values(
            *PRODUCT_COLUMNS, seller_name=F("seller__name")
        )
        assert sql(PRODUCT_ROWS().visible_to(user).order_by("-id")) == sql(built.order_by("-id"))


def test_clones_are_independent_and_the_template_is_never_evaluated(db):
    OrganisationFactory(province_id="19", name="Hợp tác xã Một")
    OrganisationFactory(province_id="01", name="Hợp tác xã Hai")
    rows = Values(Organisation, "id", "name", province_name=F("province__name"))
    in_19 = list(rows().filter(province_id="19"))
    everyone = list(rows().order_by("name"))
    assert [r["name"] for r in in_19] == ["Hợp tác xã Một"]
    assert [r["name"] for r in everyone] == ["Hợp tác xã Hai", "Hợp tác xã Một"]
    assert set(everyone[0]) == {"id", "name", "province_name"}
    assert rows._template is not None and rows._template._result_cache is None
    # A row written after the first use is seen: nothing is cached but the query's set-up.
    OrganisationFactory(province_id="19", name="Hợp tác xã Ba")
    assert rows().filter(province_id="19").count() == 2
