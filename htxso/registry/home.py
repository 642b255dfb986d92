"""The registry's panels on the role homes (`core.home`): a manager's cooperative, a member's
memberships, a province's figures for its officer, the nation's for central officers, and what
an adviser can see today.

Figures come from the pre-aggregated `RegistryAggregate` (never a count over memberships);
one organisation's and one person's rows are read through `visible_to`.
"""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from htxso.core import home
from htxso.core.models import Province
from htxso.core.roles import Role
from htxso.core.scoping import Action, may

from . import aggregates
from .models import Membership, Organisation, RegistryAggregate

# The registry fields a complete profile has (beyond the required ones), as the manager reads
# them; the panel counts the filled ones and lists the others.
PROFILE_FIELDS = (
    ("tax_code", _("Mã số thuế / mã số HTX")),
    ("commune_id", _("Xã/phường")),
    ("street", _("Số nhà, đường, thôn")),
    ("registered_on", _("Ngày đăng ký")),
    ("charter_capital", _("Vốn điều lệ")),
    ("legal_representative", _("Người đại diện theo pháp luật")),
    ("phone", _("Điện thoại")),
    ("email", _("Thư điện tử")),
    ("vsic_code", _("Mã ngành chi tiết")),
)

MAX_MEMBERSHIPS = 50  # a person belongs to a few organisations; the panel shows at most this


def profile_completeness(organisation: Organisation) -> tuple[int, list[str]]:
    """(percent filled, labels of the empty fields) over `PROFILE_FIELDS`."""
    missing = [
        str(label) for name, label in PROFILE_FIELDS if getattr(organisation, name) in (None, "")
    ]
    filled = len(PROFILE_FIELDS) - len(missing)
    return round(100 * filled / len(PROFILE_FIELDS)), missing


def cooperative_panel(user: Any) -> home.Panel:
    organisation = (
        Organisation.objects.visible_to(user)
        .select_related("province", "commune")
        .filter(pk=getattr(user, "organisation_id", None))
        .first()
    )
    context: dict[str, Any] = {"organisation": organisation}
    if organisation is not None:
        percent, missing = profile_completeness(organisation)
        context.update(
            {
                "percent": percent,
                "missing": missing,
                "can_edit": may(user, Action.EDIT, organisation),
                "can_see_members": Membership.objects.visible_to(user)
                .filter(organisation=organisation)
                .exists(),
            }
        )
    return home.Panel("registry/_home_cooperative.html", context)


def memberships_panel(user: Any) -> home.Panel:
    person_id = getattr(user, "person_id", None)
    rows = list(
        Membership.objects.visible_to(user)
        .filter(person_id=person_id)
        .select_related("organisation", "organisation__province")
        .order_by("left_on", "-joined_on", "id")[:MAX_MEMBERSHIPS]
        if person_id
        else []
    )
    current = [m for m in rows if m.left_on is None]
    return home.Panel(
        "registry/_home_memberships.html",
        {
            "linked": bool(person_id),
            "memberships": rows,
            "current": len(current),
            "capital": sum(m.capital_contributed for m in current),
        },
        wide=True,
    )


def province_panel(user: Any) -> home.Panel | None:
    province = Province.objects.filter(code=getattr(user, "province_id", None) or "").first()
    if province is None:
        return None
    summary = aggregates.summarise(RegistryAggregate.objects.filter(province=province))
    return home.Panel(
        "registry/_home_figures.html",
        {
            "title": _("Số liệu của %(province)s") % {"province": province.name},
            "summary": summary,
            "links": [
                (_("Trang của tỉnh"), reverse("registry:province", args=[province.code])),
                (
                    _("Tổ chức của tỉnh"),
                    f"{reverse('registry:list')}?province={province.code}",
                ),
                (_("Thống kê của tỉnh"), reverse("statistics:province", args=[province.code])),
            ],
        },
        wide=True,
    )


def national_panel(user: Any) -> home.Panel:
    summary = aggregates.summarise(RegistryAggregate.objects.all())
    return home.Panel(
        "registry/_home_figures.html",
        {
            "title": _("Số liệu toàn quốc"),
            "summary": summary,
            "links": [
                (_("Tổng quan theo tỉnh"), reverse("overview")),
                (_("Sổ đăng ký"), reverse("registry:list")),
                (_("Thống kê"), reverse("statistics:dashboard")),
            ],
        },
        wide=True,
    )


def adviser_panel(user: Any) -> home.Panel:
    """What an adviser sees beyond the organisations assigned to them (the assessment app's
    panel lists those): the public registry and the released statistics."""
    return home.Panel("registry/_home_adviser.html", {}, wide=True)


def register() -> None:
    home.register(cooperative_panel, [Role.COOPERATIVE_MANAGER], order=10)
    home.register(memberships_panel, [Role.MEMBER], order=10)
    home.register(adviser_panel, [Role.ALLIANCE_ADVISER], order=10)
    home.register(province_panel, [Role.PROVINCIAL_OFFICER], order=30)
    home.register(
        national_panel,
        [Role.SYSTEM_ADMIN, Role.CENTRAL_OFFICER, Role.ALLIANCE_ADVISER],
        order=30,
    )
