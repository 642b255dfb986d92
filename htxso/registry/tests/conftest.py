"""Fixtures of the registry tests: users by role, and the demo registry for read-only modules."""

import datetime as dt

import pytest

from htxso.core.models import AuditEntry, User
from htxso.core.roles import Role


def make_user(username: str, role: str, province_id: str | None = None, **extra) -> User:
    for link in ("organisation", "person"):  # the user holds the id (core has no registry keys)
        if link in extra:
            extra[f"{link}_id"] = getattr(extra.pop(link), "pk", None)
    return User.objects.create_user(
        username=username,
        password="mat-khau-thu-nghiem-123",
        role=role,
        province_id=province_id,
        **extra,
    )


@pytest.fixture
def officer_19(db) -> User:
    """Provincial officer of Thái Nguyên (19)."""
    return make_user("can-bo-19", Role.PROVINCIAL_OFFICER, "19")


@pytest.fixture
def officer_01(db) -> User:
    """Provincial officer of Hà Nội (01)."""
    return make_user("can-bo-01", Role.PROVINCIAL_OFFICER, "01")


@pytest.fixture
def system_admin(db) -> User:
    return make_user("quan-tri", Role.SYSTEM_ADMIN)


@pytest.fixture
def public_user(db) -> User:
    return make_user("cong-chung", Role.PUBLIC)


@pytest.fixture
def stranger(db):
    """A registered person of Hà Nội with contact details, member of a Hà Nội cooperative
    (the identity tests: registry and import)."""
    from .factories import MembershipFactory, OrganisationFactory, PersonFactory

    person = PersonFactory(
        province_id="01",
        full_name="Đỗ Thị Hà Nội",
        birth_date=dt.date(1980, 7, 9),
        phone="0912345678",
        address="Số 1 phố Tràng Tiền",
    )
    MembershipFactory(organisation=OrganisationFactory(province_id="01"), person=person)
    return person


def generate_demo_once(django_db_blocker, **kwargs):
    """Generate the demo registry (seed 1) outside any test transaction; return a cleanup."""
    from htxso.registry.generator import generate

    with django_db_blocker.unblock():
        last_audit = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        result = generate("demo", 1, **kwargs)

    def cleanup() -> None:
        from htxso.registry.generator import clear_registry

        with django_db_blocker.unblock():
            clear_registry()
            AuditEntry.objects.filter(id__gt=last_audit).delete()

    return result, cleanup
