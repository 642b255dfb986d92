"""Fixtures of the registration tests: a founder (applicant) and the offices of Thái Nguyên (19)
and Hà Nội (01); `complete` fills an application in until it can be submitted."""

import datetime as dt
from typing import Any

import pytest
from django.core.files.base import ContentFile

from htxso.core.cccd import encode_cccd
from htxso.core.models import Commune, User
from htxso.core.roles import Role
from htxso.registration import rules, services
from htxso.registration.models import Application
from htxso.registry.tests.conftest import make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REGISTRATION_TAX_CODE_RANGE = ("970000000", "970000099")


@pytest.fixture
def founder(db) -> User:
    return make_user("sang-lap", Role.APPLICANT, email="sanglap@example.vn")


@pytest.fixture
def founder_2(db) -> User:
    return make_user("sang-lap-2", Role.APPLICANT)


@pytest.fixture
def office_19(db) -> User:
    return make_user("can-bo-19", Role.PROVINCIAL_OFFICER, "19")


@pytest.fixture
def office_01(db) -> User:
    return make_user("can-bo-01", Role.PROVINCIAL_OFFICER, "01")


def commune_19() -> Commune:
    return Commune.objects.get(province_id="19", name="Xã Tân Cương")


def member_facts(i: int) -> dict[str, Any]:
    return {
        "cccd": encode_cccd("19", "female" if i % 2 else "male", 1970 + i, 500 + i),
        "full_name": f"Nguyễn Thị Ánh {chr(65 + i)}",
        "birth_date": dt.date(1970 + i, 3, 1 + i),
    }


def upload(user: User, application: Application, document: str, data: bytes = PDF) -> None:
    application.refresh_from_db()
    services.upload(
        user, application.pk, application.version, document, ContentFile(data), f"{document}.pdf"
    )


def complete(
    user: User, kind: str = "cooperative", name: str = "Hợp tác xã Chè Tân Cương"
) -> Application:
    """A draft of `user`'s filled in until it can be submitted."""
    application = services.start(
        user,
        kind,
        "19",
        name=name,
        sector="A",
        commune_id=commune_19().pk,
        street="Xóm Đồng Kiệm",
        charter_capital=500_000_000,
        legal_representative="Nguyễn Thị Ánh A",
        email="sanglap@example.vn",
    )
    rule = rules.load().for_kind(kind)
    if rule.founding_members:
        for i in range(max(rule.min_members, 1)):
            application.refresh_from_db()
            services.add_member(user, application.pk, application.version, **member_facts(i))
    for document in rule.documents:
        if document.required:
            upload(user, application, document.code)
    application.refresh_from_db()
    return application
