"""Fixtures of the follow-up's tests: the agencies, the secretariat (a central officer
designated to it), a ministry's focal point (a central officer designated for Bộ Tài chính),
a committee member, a central officer with no designation, the focal points of Thái Nguyên
(19) and Hà Nội (01), a directive; `one_off` and `recurring` make tasks."""

import datetime as dt
from typing import Any

import pytest

from htxso.core.models import User
from htxso.core.roles import Role
from htxso.registry.tests.conftest import make_user
from htxso.tasks import services
from htxso.tasks.designations.models import Function
from htxso.tasks.designations.services import designate
from htxso.tasks.models import Agency, Directive, Task
from htxso.tasks.reference import ensure_agencies

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS_WARN_WORKING_DAYS = 5


@pytest.fixture
def agencies(db: Any) -> dict[str, Agency]:
    ensure_agencies()
    return {a.code: a for a in Agency.objects.all()}


@pytest.fixture
def secretariat(db: Any) -> User:
    user = make_user("van-phong", Role.CENTRAL_OFFICER, email="vanphong@example.vn")
    designate(None, user.pk, Function.SECRETARIAT)
    return user


@pytest.fixture
def ministry(agencies: dict[str, Agency]) -> User:
    user = make_user("dau-moi-bo-tc", Role.CENTRAL_OFFICER, email="botc@example.vn")
    designate(None, user.pk, Function.FOCAL_POINT, agencies["bo-tc"].pk)
    return user


@pytest.fixture
def committee(db: Any) -> User:
    user = make_user("ban-chi-dao", Role.CENTRAL_OFFICER, email="bcd@example.vn")
    designate(None, user.pk, Function.COMMITTEE)
    return user


@pytest.fixture
def central(db: Any) -> User:
    """A central officer with no designation."""
    return make_user("trung-uong", Role.CENTRAL_OFFICER)


@pytest.fixture
def province_19(db: Any) -> User:
    return make_user("dau-moi-19", Role.PROVINCIAL_OFFICER, "19", email="tn@example.vn")


@pytest.fixture
def province_01(db: Any) -> User:
    return make_user("dau-moi-01", Role.PROVINCIAL_OFFICER, "01", email="hn@example.vn")


@pytest.fixture
def directive(db: Any) -> Directive:
    return services.create_directive(
        None, "7470/VPCP-NN", dt.date(2022, 12, 30), "Văn phòng Chính phủ", "Kết luận Diễn đàn"
    )


def one_off(directive: Directive, agency: Agency, due_on: dt.date, **extra: Any) -> Task:
    return services.create_task(
        None, directive.pk, extra.pop("title", "Nhiệm vụ thử"), agency.pk, due_on=due_on, **extra
    )


def recurring(
    directive: Directive, agency: Agency, recurrence: str, starts: dt.date, ends: dt.date
) -> Task:
    return services.create_task(
        None,
        directive.pk,
        f"Báo cáo {recurrence}",
        agency.pk,
        recurrence=recurrence,
        starts_on=starts,
        ends_on=ends,
        report_day=5,
    )
