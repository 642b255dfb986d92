"""Fixtures of the reporting tests: the reference forms and indicators, users by role, and an
HTX with its manager. Records are made through the services (registry factories, reporting
services), never by `.save()`."""

import datetime as dt
import json
from pathlib import Path

import pytest

from htxso.core.models import User
from htxso.core.roles import Role
from htxso.registry.tests.factories import OrganisationFactory
from htxso.reporting import services
from htxso.reporting.models import IndicatorCell, ReportForm
from htxso.reporting.periods import Period

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "reference.json"
TODAY = dt.date.today()
LAST_YEAR = str(TODAY.year - 1)  # an ended yearly period (the usual report being filled in)
THIS_YEAR = str(TODAY.year)  # started, not ended
NEXT_YEAR = str(TODAY.year + 1)  # not started


def reference_data() -> dict:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


def annual_definition() -> dict:
    """The definition of the reference htx-annual form, version 1."""
    form = next(f for f in reference_data()["forms"] if f["code"] == "htx-annual")
    return form["versions"][0]["definition"]


def good_values(**overrides) -> dict:
    """A complete htx-annual report that passes every rule (typed the Vietnamese way)."""
    values = {
        "members": "12",
        "workers": "8",
        "member_workers": "5",
        "revenue": "1.250",
        "costs": "1.100",
        "profit": "150",
        "member_service_revenue": "600",
        "charter_capital": "500",
        "assets": "2.000",
        "avg_income": "4.500",
        "high_tech": "có",
        "value_chain": "không",
    }
    values.update(overrides)
    return values


def cells(**filters) -> dict[tuple, int]:
    """The stored cube as {(indicator, period, area, kind, sector, status): value}."""
    rows = IndicatorCell.objects.filter(**filters).values_list(
        "indicator", "period", "area", "kind", "sector", "status", "value"
    )
    return {tuple(r[:6]): r[6] for r in rows}


def make_user(username: str, role: str, province_id: str | None = None, **extra) -> User:
    """A user without a password (hashing one costs half a second)."""
    for link in ("organisation", "person"):  # the user holds the id (core has no registry keys)
        if link in extra:
            extra[f"{link}_id"] = getattr(extra.pop(link), "pk", None)
    return User.objects.create_user(
        username=username, password=None, role=role, province_id=province_id, **extra
    )


@pytest.fixture(autouse=True)
def fresh_cache():
    """The dashboards' panels are cached under a stamp row that each test's rollback removes:
    no test reads a panel another test kept."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reference(db) -> dict:
    return services.load_reference(reference_data())


@pytest.fixture
def annual(reference) -> ReportForm:
    return ReportForm.objects.get(code="htx-annual")


@pytest.fixture
def semiannual(reference) -> ReportForm:
    return ReportForm.objects.get(code="province-semiannual")


@pytest.fixture
def htx(reference):
    """An HTX of Thái Nguyên (19), established 2015, with the prefilled figures the registry
    knows: its member count."""
    return OrganisationFactory(province_id="19", established_on=dt.date(2015, 3, 1))


@pytest.fixture
def manager(htx) -> User:
    return make_user("quan-ly-htx", Role.COOPERATIVE_MANAGER, "19", organisation=htx)


@pytest.fixture
def officer_19(db) -> User:
    return make_user("can-bo-19", Role.PROVINCIAL_OFFICER, "19")


@pytest.fixture
def officer_01(db) -> User:
    return make_user("can-bo-01", Role.PROVINCIAL_OFFICER, "01")


@pytest.fixture
def central(db) -> User:
    return make_user("can-bo-tw", Role.CENTRAL_OFFICER)


@pytest.fixture
def admin(db) -> User:
    return make_user("quan-tri", Role.SYSTEM_ADMIN)


@pytest.fixture
def public_user(db) -> User:
    return make_user("cong-chung", Role.PUBLIC)


@pytest.fixture
def last_year() -> Period:
    return Period.parse(LAST_YEAR)
