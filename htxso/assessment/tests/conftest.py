"""Fixtures of the assessment tests: an HTX of Thái Nguyên (19) with its manager, officers of
19 and 01, advisers, and helpers that fill a classification in through the services."""

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from htxso.assessment import services
from htxso.assessment.models import Classification
from htxso.core.models import User
from htxso.core.roles import Role
from htxso.registry.tests.factories import OrganisationFactory
from htxso.reporting.tests.conftest import make_user

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ROUND_DAY = dt.date(2025, 12, 10)  # within the 2025 round (self-scoring due 15/12)


def definition(name: str = "classification-tt01-2020.json") -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def full_scores(c: Classification, total: int) -> dict[str, int]:
    """Scores for every criterion of `c`'s rule set adding up to `total` (filled greedily)."""
    left, out = total, {}
    for k in c.rule_set.definition["criteria"]:
        out[k["code"]] = min(k["max"], left)
        left -= out[k["code"]]
    assert left == 0
    return out


def submitted(manager: User, organisation_id: int, total: int, year: int = 2025) -> Any:
    day = ROUND_DAY.replace(year=year)
    c = services.start(manager, organisation_id, year, today=day)
    c = services.save_scores(manager, c.pk, c.version, full_scores(c, total))
    return services.submit(manager, c.pk, c.version, today=day)


@pytest.fixture
def htx(db):
    return OrganisationFactory(province_id="19", established_on=dt.date(2015, 3, 1))


@pytest.fixture
def htx_01(db):
    return OrganisationFactory(province_id="01", established_on=dt.date(2016, 5, 1))


@pytest.fixture
def manager(htx) -> User:
    return make_user("quan-ly-htx", Role.COOPERATIVE_MANAGER, "19", organisation=htx)


@pytest.fixture
def manager_01(htx_01) -> User:
    return make_user("quan-ly-htx-01", Role.COOPERATIVE_MANAGER, "01", organisation=htx_01)


@pytest.fixture
def officer_19(db) -> User:
    return make_user("can-bo-19", Role.PROVINCIAL_OFFICER, "19")


@pytest.fixture
def officer_01(db) -> User:
    return make_user("can-bo-01", Role.PROVINCIAL_OFFICER, "01")


@pytest.fixture
def central(db) -> User:
    return make_user("trung-uong", Role.CENTRAL_OFFICER)


@pytest.fixture
def adviser(db) -> User:
    return make_user("tu-van-19", Role.ALLIANCE_ADVISER, "19", first_name="Lan", last_name="Trần")


@pytest.fixture
def adviser_2(db) -> User:
    return make_user("tu-van-khac", Role.ALLIANCE_ADVISER, "19")
