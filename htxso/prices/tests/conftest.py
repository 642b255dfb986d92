"""Fixtures of the price tests: the catalogue (commodities, rates, calendars) and users."""

import pytest

from htxso.core.models import User
from htxso.core.roles import Role
from htxso.prices import ingest
from htxso.registry.tests.conftest import make_user


@pytest.fixture
def catalogue(db) -> None:
    ingest.load_catalogue()


@pytest.fixture
def member(db) -> User:
    return make_user("thanh-vien-66", Role.MEMBER, "66", email="nongdan@example.vn")


@pytest.fixture
def officer_19(db) -> User:
    return make_user("can-bo-gia-19", Role.PROVINCIAL_OFFICER, "19")


@pytest.fixture
def public(db) -> User:
    return make_user("cong-chung", Role.PUBLIC)


@pytest.fixture
def officer_66(db) -> User:
    return make_user("can-bo-gia-66", Role.PROVINCIAL_OFFICER, "66")
