"""The navigation bar: one table of links, who sees each, and where it sits.

Three places, so the bar fits a desktop screen whatever the role (the apps each added a link and
an officer's bar had overflowed the screen, pushing the language and account menus off it):
- the bar itself: the pages everyone reads (overview, registry, statistics) and "my page";
- "Dịch vụ" (services): the public services of the platform;
- "Công việc" (work): the tools of the user's role; it appears only when the role has some.
A new app adds its rows here (URL names are strings: core imports no app). Whether a page may
be opened is still decided by the page (`core.scoping`); this table only chooses what to offer.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .roles import Role

Test = Callable[[Any], bool]


def anyone(user: Any) -> bool:
    return True


def signed_in(user: Any) -> bool:
    """A signed-in account with a role of its own (not the public's)."""
    return bool(user.is_authenticated and (user.is_superuser or user.role != Role.PUBLIC))


def anonymous_or(*roles: Role) -> Test:
    def test(user: Any) -> bool:
        return not user.is_authenticated or user.role in (Role.PUBLIC, *roles)

    return test


def roles(*names: Role, admin: bool = True) -> Test:
    """The named roles (and the system administrator, superusers included, unless admin=False)."""
    allowed = {*names, *((Role.SYSTEM_ADMIN,) if admin else ())}

    def test(user: Any) -> bool:
        if not user.is_authenticated:
            return False
        return (admin and user.is_superuser) or user.role in allowed

    return test


def all_but(*names: Role) -> Test:
    def test(user: Any) -> bool:
        return signed_in(user) and user.role not in names

    return test


def manager_of_an_organisation(user: Any) -> bool:
    return bool(
        user.is_authenticated and user.role == Role.COOPERATIVE_MANAGER and user.organisation_id
    )


def central_officer(user: Any) -> bool:
    return bool(
        user.is_authenticated and user.role == Role.CENTRAL_OFFICER and not user.is_superuser
    )


def staff_admin(user: Any) -> bool:
    return bool(user.is_staff and (user.is_superuser or user.role == Role.SYSTEM_ADMIN))


def not_following_tasks(user: Any) -> bool:
    return not roles(Role.CENTRAL_OFFICER, Role.PROVINCIAL_OFFICER)(user)


@dataclass(frozen=True)
class Entry:
    place: str  # "bar", "services" or "work"
    url_name: str
    label: str | Promise
    shown: Test = anyone


OFFICERS = (Role.CENTRAL_OFFICER, Role.PROVINCIAL_OFFICER)
TABLE: tuple[Entry, ...] = (
    Entry("bar", "home", _("Trang của tôi"), signed_in),
    Entry("bar", "overview", _("Tổng quan")),
    Entry("bar", "registry:list", _("Sổ đăng ký")),
    Entry("bar", "statistics:dashboard", _("Thống kê")),
    Entry("services", "marketplace:catalogue", _("Chợ HTX")),
    Entry("services", "prices:index", _("Giá nông sản")),
    Entry("services", "registration:lookup", _("Tra cứu đăng ký")),
    Entry("services", "tasks:public", _("Văn bản chỉ đạo"), not_following_tasks),
    Entry("services", "tasks:forum", _("Diễn đàn HTX")),
    Entry(
        "work", "registration:mine", _("Hồ sơ đăng ký của tôi"), roles(Role.APPLICANT, admin=False)
    ),
    Entry(
        "work",
        "registration:queue",
        _("Hồ sơ chờ giải quyết"),
        roles(Role.COMMUNE_OFFICER, admin=False),
    ),
    Entry("work", "marketplace:board", _("Bán hàng"), manager_of_an_organisation),
    Entry("work", "traceability:diary", _("Nhật ký sản xuất"), roles(Role.COOPERATIVE_MANAGER)),
    Entry(
        "work",
        "reporting:list",
        _("Báo cáo"),
        all_but(
            Role.MEMBER, Role.ALLIANCE_ADVISER, Role.APPLICANT, Role.COMMUNE_OFFICER, Role.BUYER
        ),
    ),
    Entry(
        "work",
        "exchange:index",
        _("Nhập dữ liệu"),
        roles(Role.PROVINCIAL_OFFICER, Role.COOPERATIVE_MANAGER),
    ),
    Entry(
        "work",
        "assessment:index",
        _("Phân loại, đánh giá"),
        roles(*OFFICERS, Role.ALLIANCE_ADVISER, Role.COOPERATIVE_MANAGER),
    ),
    Entry("work", "tasks:dashboard", _("Nhiệm vụ"), roles(*OFFICERS)),
    Entry("work", "traceability:recall", _("Truy xuất thu hồi"), roles(*OFFICERS)),
    Entry("work", "exchange:synonyms", _("Từ đồng nghĩa khi nhập"), central_officer),
    Entry("work", "admin:index", _("Quản trị"), staff_admin),
)


# The reversed URL of each entry, per URLconf, script prefix and language (the same for every
# user: nothing personal is kept; who is offered a link is still tested per request). Reversing
# the table's URLs was a tenth of a public page's time (the verification page, issue #18).
_urls: dict[tuple[str, str, str | None, str], str] = {}


def _url(url_name: str) -> str:
    key = (
        str(get_urlconf() or settings.ROOT_URLCONF),
        get_script_prefix(),
        get_language(),
        url_name,
    )
    url = _urls.get(key)
    if url is None:
        url = _urls[key] = reverse(url_name)
    return url


def _link(entry: Entry, path: str) -> dict[str, Any]:
    url = _url(entry.url_name)
    current = path == url or (url != "/" and path.startswith(url))
    return {"url": url, "label": entry.label, "current": current}


def _closest(places: dict[str, list[dict[str, Any]]]) -> None:
    """Only the longest matching link is current: on /tasks/forum/ the forum, not the tasks
    (/tasks/) as well."""
    links = [link for found in places.values() for link in found if link["current"]]
    longest = max((len(link["url"]) for link in links), default=0)
    for link in links:
        link["current"] = len(link["url"]) == longest


class Places(dict[str, list[dict[str, Any]]]):
    """The links by place ("bar", "services", "work"), and `.html`: each place's markup."""

    @property
    def html(self) -> dict[str, SafeString]:
        """The bar's `<li>`s for these links, built once per language and set of links: the
        template loops over ~10 links with lazy labels were a fifth of a page's rendering
        (issue #24). The key is which links are offered and which is current, so it is bounded
        by the table, whatever the requests."""
        key = (
            get_language(),
            tuple(
                (place, link["url"], link["current"])
                for place, links in self.items()
                for link in links
            ),
        )
        html = _html.get(key)
        if html is None:
            html = _html[key] = {place: _markup(place, links) for place, links in self.items()}
        return html


_html: dict[tuple[str | None, tuple[tuple[str, str, bool], ...]], dict[str, SafeString]] = {}


def _markup(place: str, links: list[dict[str, Any]]) -> SafeString:
    parts = []
    for link in links:
        url, label = conditional_escape(link["url"]), conditional_escape(link["label"])
        active = " active" if link["current"] else ""
        if place == "bar":
            current = ' aria-current="page"' if link["current"] else ""
            parts.append(
                f'<li class="nav-item"><a class="nav-link{active}" href="{url}"{current}>'
                f"{label}</a></li>"
            )
        else:
            parts.append(f'<li><a class="dropdown-item{active}" href="{url}">{label}</a></li>')
    return SafeString("".join(parts))


def nav(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `nav.bar`, `nav.services`, `nav.work` — the links this user is offered
    (and `nav.html.<place>`, their markup)."""
    user = getattr(request, "user", None)
    places = Places(bar=[], services=[], work=[])
    if user is None:
        return {"nav": places}
    for entry in TABLE:
        if not entry.shown(user):
            continue
        try:
            places[entry.place].append(_link(entry, request.path))
        except NoReverseMatch:  # an app not installed in this deployment
            continue
    _closest(places)
    return {"nav": places}
