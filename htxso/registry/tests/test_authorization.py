"""Who may do what: an authorization matrix over every page and every API operation.

1. The matrix below is DATA: for each endpoint (page route name × method, or API method × path
   template) and each role, the expected outcome on a target in the user's own scope (province
   19, Thái Nguyên: the manager's cooperative, the member's own record) and on one in another
   province (01, Hà Nội). `test_every_endpoint_has_a_matrix_entry` walks EVERY route of the
   URL resolver (accounts/, i18n/ included) and every operation of the OpenAPI document, so a
   new endpoint without a row fails the suite by name. The admin site's routes (namespace
   `admin`) are checked by one generated rule instead: non-staff roles are refused on each.
   The rows of accounts/ and i18n/, the outcomes and how to add a row: authorization_matrix.py.
   CSRF, with a client that enforces it as the live server does: test_api_contract.py.
   Expectations follow DESIGN.md's roles table; where the code disagrees the cell is a
   `Design(expected, reason)` and the case is a strict xfail (fix the code, then drop it).
2. Two simultaneous edits of one organisation on PostgreSQL: exactly one wins (optimistic lock).
3. Every write reachable from the API leaves an audit entry tied to the response's X-Request-ID.

The users and the records they act on are made once per module (user creation hashes a
password); each test's transaction is rolled back on top of them.
"""

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from htxso.core.api import api as ninja_api
from htxso.core.models import AuditEntry, Commune, Tombstone, User
from htxso.core.roles import Role
from htxso.core.tokens import issue_token
from htxso.exchange.models import ImportJob
from htxso.registry import services
from htxso.registry.models import Membership, Organisation
from htxso.reporting import services as reporting_services
from htxso.reporting.models import (
    FormVersion,
    Indicator,
    IndicatorCell,
    Release,
    Report,
    ReportForm,
    ReportImportJob,
    Target,
)
from htxso.tasks.models import Designation

from .assessment_matrix import (
    ASSESSMENT_API_CALLS,
    ASSESSMENT_API_MATRIX,
    ASSESSMENT_PAGE_CALLS,
    ASSESSMENT_PAGE_MATRIX,
)
from .authorization_matrix import (
    ACCOUNT_CALLS,
    ACCOUNT_MATRIX,
    DESIGNATED,
    EVERYONE,
    HIDDEN,
    OK,
    ROLES,
    TARGETS,
    Builder,
    Call,
    Design,
    F,
    L,
    N,
    Row,
    U,
    columns,
    who,
)
from .conftest import make_user
from .exchange_matrix import EXCHANGE_API_CALLS, EXCHANGE_API_MATRIX
from .factories import (
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    valid_cccd,
    valid_tax_code,
)
from .marketplace_matrix import (
    MARKETPLACE_API_CALLS,
    MARKETPLACE_API_MATRIX,
    MARKETPLACE_PAGE_CALLS,
    MARKETPLACE_PAGE_MATRIX,
)
from .prices_matrix import (
    PRICES_API_CALLS,
    PRICES_API_MATRIX,
    PRICES_PAGE_CALLS,
    PRICES_PAGE_MATRIX,
)
from .registration_matrix import (
    REGISTRATION_API_CALLS,
    REGISTRATION_API_MATRIX,
    REGISTRATION_PAGE_CALLS,
    REGISTRATION_PAGE_MATRIX,
)
from .reporting_matrix import REPORTING_API_CALLS, REPORTING_API_MATRIX
from .tasks_matrix import (
    TASKS_API_CALLS,
    TASKS_API_MATRIX,
    TASKS_PAGE_CALLS,
    TASKS_PAGE_MATRIX,
    designated_users,
)
from .test_api import bearer, create_payload
from .traceability_matrix import (
    TRACEABILITY_API_CALLS,
    TRACEABILITY_API_MATRIX,
    TRACEABILITY_PAGE_CALLS,
    TRACEABILITY_PAGE_MATRIX,
)

# Reasons for cells where the code contradicts DESIGN.md go here, as Design(expected, reason)
# cells (strict xfail). None today.

# -- the matrix: API operations (method + path template) -----------------------------------------
# Each row lists, in ROLES order, (outcome on the own target, outcome on the other target):
#   anonymous, public, system_admin, central_officer, provincial_officer, alliance_adviser,
#   cooperative_manager, member[, applicant, commune_officer — the public's cell when left out]
# Personal-data lists (people / memberships of the target organisation).
SCOPED_LIST: Row = [
    (U, U),
    (HIDDEN, HIDDEN),
    (OK, OK),
    (OK, OK),
    (OK, HIDDEN),
    (HIDDEN, HIDDEN),
    (OK, HIDDEN),
    (OK, HIDDEN),
]
# Changes to an organisation (editable_by): admin all, officer own province, manager own.
ORGANISATION_WRITE: Row = [
    (U, U),
    (F, F),
    (OK, OK),
    (F, F),
    (OK, F),
    (F, F),
    (OK, F),
    (F, F),
]
# Ending / deleting a membership: scoped read first (404), then editable_by (403).
MEMBERSHIP_WRITE: Row = [
    (U, U),
    (N, N),
    (OK, OK),
    (F, F),
    (OK, N),
    (N, N),
    (OK, N),
    (F, N),
]

API_MATRIX: dict[str, Row] = {
    "GET /api/v1/provinces": EVERYONE,
    "GET /api/v1/communes": EVERYONE,
    "GET /api/v1/organisations": EVERYONE,
    "POST /api/v1/organisations": [
        (U, U),
        (F, F),
        (OK, OK),
        (F, F),
        (OK, F),  # only in the officer's own province
        (F, F),
        (F, F),  # a manager edits their cooperative, does not register new ones
        (F, F),
    ],
    "GET /api/v1/organisations/{pk}": EVERYONE,
    "PUT /api/v1/organisations/{pk}": ORGANISATION_WRITE,
    "PATCH /api/v1/organisations/{pk}": ORGANISATION_WRITE,
    "GET /api/v1/organisations/{pk}/status-history": EVERYONE,
    "POST /api/v1/organisations/{pk}/status-history": ORGANISATION_WRITE,
    "GET /api/v1/people": SCOPED_LIST,
    "GET /api/v1/people/{pk}": [
        (U, U),
        (N, N),
        (OK, OK),
        (OK, OK),
        (OK, N),
        (N, N),
        (OK, N),
        (OK, N),
    ],
    "GET /api/v1/memberships": SCOPED_LIST,
    # The person added is a registered adult of the target's province with no membership yet.
    # The organisation is public, so a user who may not change it gets 403 (not 404).
    "POST /api/v1/memberships": [
        (U, U),
        (F, F),
        (OK, OK),
        (F, F),
        (OK, F),
        (F, F),
        (OK, F),
        (F, F),
    ],
    "POST /api/v1/memberships/{pk}/end": MEMBERSHIP_WRITE,
    "DELETE /api/v1/memberships/{pk}": MEMBERSHIP_WRITE,
    # The target: the tombstone of the own / other province's membership, deleted just before.
    "GET /api/v1/tombstones": [
        (U, U),
        (HIDDEN, HIDDEN),
        (OK, OK),
        (OK, OK),
        (OK, HIDDEN),
        (HIDDEN, HIDDEN),
        (OK, HIDDEN),
        (OK, HIDDEN),
    ],
    **REPORTING_API_MATRIX,  # statistics and reports: reporting_matrix.py
    **EXCHANGE_API_MATRIX,  # import jobs: exchange_matrix.py
    **REGISTRATION_API_MATRIX,  # registration applications: registration_matrix.py
    **TASKS_API_MATRIX,  # the steering committee's follow-up: tasks_matrix.py
    **MARKETPLACE_API_MATRIX,  # the marketplace: marketplace_matrix.py
    **PRICES_API_MATRIX,  # prices: prices_matrix.py
    **TRACEABILITY_API_MATRIX,  # EPCIS capture/query, recall, Digital Link: traceability_matrix.py
    **ASSESSMENT_API_MATRIX,  # classifications, grades, DX assessments: assessment_matrix.py
}

# Variants of an enumerated operation whose rules differ (not endpoints of their own).
API_VARIANTS: dict[str, Row] = {
    # Unmasking personal data: the roles that need it, each reveal logged (core/personal.py).
    "GET /api/v1/people/{pk}?reveal=true": [
        (U, U),
        (N, N),
        (OK, OK),
        (F, F),  # sees masked data, does not need the full CCCD
        (OK, N),
        (N, N),
        (OK, N),
        (OK, N),
    ],
}

# -- the matrix: pages (route name → method → row) -----------------------------------------------

# Editing pages (edit_views.py): `_editable` = visible_to (404) then editable_by (403).
PAGE_EDIT: Row = [(L, L), *ORGANISATION_WRITE[1:]]

IMPORTERS: Row = [(L, L), (F, F), (OK, OK), (F, F), (OK, OK), (F, F), (OK, OK), (F, F)]
IMPORT_JOB: Row = [(L, L), (N, N), (OK, OK), (N, N), (OK, OK), (N, N), (N, N), (N, N)]

PAGE_MATRIX: dict[str, dict[str, Row]] = {
    "home": {"GET": EVERYONE},  # the role's own home; the national overview for the public
    "overview": {"GET": EVERYONE},
    "registry:list": {"GET": EVERYONE},
    "registry:organisation": {"GET": EVERYONE},  # registry fields are public
    "registry:province": {"GET": EVERYONE},
    "registry:commune-options": {"GET": EVERYONE},
    # GET: the empty form (no target); POST: an HTX in the own / other province.
    "registry:create": {
        "GET": [(L, L), (F, F), (OK, OK), (F, F), (OK, OK), (F, F), (F, F), (F, F)],
        "POST": [(L, L), (F, F), (OK, OK), (F, F), (OK, F), (F, F), (F, F), (F, F)],
    },
    "registry:edit": {"GET": PAGE_EDIT, "POST": PAGE_EDIT},
    "registry:status": {"GET": PAGE_EDIT, "POST": PAGE_EDIT},
    # GET: members in the user's scope (a member sees their own row); POST adds by CCCD.
    "registry:members": {
        "GET": [(L, L), (F, F), (OK, OK), (OK, OK), (OK, F), (F, F), (OK, F), (OK, F)],
        "POST": [(L, L), (F, F), (OK, OK), (F, F), (OK, F), (F, F), (OK, F), (F, F)],
    },
    "registry:membership-end": {"POST": [(L, L), *MEMBERSHIP_WRITE[1:]]},
    # A person (personal data, masked): GET in the user's scope; POST reveals it, logged.
    "registry:person": {
        "GET": [(L, L), (N, N), (OK, OK), (OK, OK), (OK, N), (N, N), (OK, N), (OK, N)],
        "POST": [(L, L), (N, N), (OK, OK), (F, F), (OK, N), (N, N), (OK, N), (OK, N)],
    },
    # The audit trail: national roles and the organisation's editors.
    "registry:history": {
        "GET": [(L, L), (F, F), (OK, OK), (OK, OK), (OK, F), (F, F), (OK, F), (F, F)],
    },
    # Imports: the roles that write the registry; a job is its uploader's (and the admin's).
    "exchange:index": {"GET": IMPORTERS},
    "exchange:job": {"GET": IMPORT_JOB},
    "exchange:job-progress": {"GET": IMPORT_JOB},
    "exchange:job-findings": {"GET": IMPORT_JOB},
    "exchange:job-mapping": {"GET": IMPORT_JOB},  # confirming (POST): the owner, test_mapping
    "exchange:job-file": {"GET": IMPORT_JOB},  # the uploaded file (core.uploads.attachment)
    # POST-only (their owner rules are in exchange/tests/test_views.py): GET is refused.
    "exchange:job-commit": {"GET": [(L, L), *[("405", "405")] * 7]},
    "exchange:job-rerun": {"GET": [(L, L), *[("405", "405")] * 7]},
    # The import synonyms: national; provinces read them, central officers keep them.
    "exchange:synonyms": {
        "GET": [(L, L), (F, F), (OK, OK), (OK, OK), (OK, OK), (F, F), (F, F), (F, F)],
        "POST": [(L, L), (F, F), (OK, OK), (OK, OK), (F, F), (F, F), (F, F), (F, F)],
    },
    "exchange:synonym-delete": {
        "GET": [(L, L), *[("405", "405")] * 7],
        "POST": [(L, L), (F, F), (OK, OK), (OK, OK), (F, F), (F, F), (F, F), (F, F)],
    },
    "exchange:template": {"GET": EVERYONE},
    "exchange:export-organisations": {"GET": EVERYONE},  # the public registry
    # Personal data: the roles with a personal scope (rows outside it are not exported).
    "exchange:export-members": {
        "GET": [(L, L), (F, F), (OK, OK), (OK, OK), (OK, OK), (F, F), (OK, OK), (OK, OK)]
    },
    # Statistics: public pages; what differs by role is live vs released figures
    # (reporting/tests/test_dashboards.py). Publishing a period: central officers.
    "statistics:dashboard": {"GET": EVERYONE},
    "statistics:province": {"GET": EVERYONE},
    "statistics:chart-xlsx": {"GET": EVERYONE},
    "statistics:indicators": {"GET": EVERYONE},
    "statistics:releases": {
        "GET": EVERYONE,
        "POST": [(F, F), (F, F), (OK, OK), (OK, OK), (F, F), (F, F), (F, F), (F, F)],
    },
    "statistics:export-xlsx": {"GET": EVERYONE},
    "statistics:sdmx-structure": {"GET": EVERYONE},
    "statistics:sdmx-data": {"GET": EVERYONE},
    "statistics:sdmx-csv": {"GET": EVERYONE},
    # Reports carry business figures: the organisation, its province and national roles.
    "reporting:list": {"GET": [(L, L), *[(OK, OK)] * 7]},  # each sees only their scope
    # The list's download: the same scope and filters (test_report_list.py holds the rows).
    "reporting:export": {"GET": [(L, L), *[(OK, OK)] * 7]},
    # Opening the 2024 report of the target HTX: who may fill it in.
    "reporting:open": {
        "POST": [(L, L), (F, F), (OK, OK), (F, F), (OK, F), (F, F), (OK, F), (F, F)]
    },
    "reporting:report": {
        "GET": [(L, L), (N, N), (OK, OK), (OK, OK), (OK, N), (N, N), (OK, N), (N, N)],
        # Saving values: visible_to (404), then editable_by (403).
        "POST": [(L, L), (N, N), (OK, OK), (F, F), (OK, N), (N, N), (OK, N), (N, N)],
    },
    # Importing reports: the roles that fill them in (the exchange's importers).
    "reporting:import": {"GET": IMPORTERS},
    "reporting:import-template": {"GET": IMPORTERS},
    # A report import job: its uploader's (and the admin's), as the registry's.
    "reporting:import-job": {"GET": IMPORT_JOB},
    "reporting:import-job-progress": {"GET": IMPORT_JOB},
    "reporting:import-job-findings": {"GET": IMPORT_JOB},
    "reporting:import-job-file": {"GET": IMPORT_JOB},
    "reporting:import-job-commit": {"GET": [(L, L), *[("405", "405")] * 7]},
    "reporting:import-job-rerun": {"GET": [(L, L), *[("405", "405")] * 7]},
    "reporting:completeness": {
        "GET": [(L, L), (F, F), (OK, OK), (OK, OK), (OK, OK), (F, F), (F, F), (F, F)]
    },
    **ACCOUNT_MATRIX,  # accounts/ and i18n/: authorization_matrix.py
    **REGISTRATION_PAGE_MATRIX,  # registration: registration_matrix.py
    **TASKS_PAGE_MATRIX,  # the steering committee's follow-up: tasks_matrix.py
    **MARKETPLACE_PAGE_MATRIX,  # the marketplace: marketplace_matrix.py
    **PRICES_PAGE_MATRIX,  # prices: prices_matrix.py
    **TRACEABILITY_PAGE_MATRIX,  # traceability: traceability_matrix.py
    **ASSESSMENT_PAGE_MATRIX,  # assessment: assessment_matrix.py
}

# -- enumeration ----------------------------------------------------------------------------------

API_NAMESPACE = ninja_api.urls_namespace
API_OWN_ROUTES = {"openapi-json", "openapi-view", "api-root"}  # tested as public below
ADMIN_NAMESPACE = "admin"  # the admin site's routes: one rule for all, see below


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern).lstrip("^")
        if isinstance(pattern, URLResolver):
            inner = ":".join(p for p in (namespace, pattern.namespace) if p)
            yield from _walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, namespace, pattern.name


def _template(route: str) -> str:
    """'api/v1/organisations/<int:pk>' → '/api/v1/organisations/{pk}' (OpenAPI's spelling)."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).rstrip("$")


def admin_routes() -> list[str]:
    """Every route of the admin site, from the resolver (models added later included)."""
    return [
        route
        for route, namespace, _name in _walk(get_resolver().url_patterns)
        if namespace == ADMIN_NAMESPACE
    ]


def enumerate_endpoints() -> tuple[set[str], set[str], set[str]]:
    """(page route names, API 'METHOD /path' keys, API routes the OpenAPI document lacks).
    Every route of the resolver is one of: a page (needs a PAGE_MATRIX row), an API route
    (its operations need API_MATRIX rows), or the admin site's (admin_routes())."""
    pages: set[str] = set()
    api_routes: set[str] = set()
    for route, namespace, name in _walk(get_resolver().url_patterns):
        if namespace == ADMIN_NAMESPACE:
            continue
        if namespace.split(":")[0] == API_NAMESPACE:
            if name not in API_OWN_ROUTES:
                api_routes.add(_template(route))
            continue
        pages.add(f"{namespace}:{name}" if namespace and name else (name or route))
    schema = ninja_api.get_openapi_schema()
    operations = {
        f"{method.upper()} {path}"
        for path, methods in schema["paths"].items()
        for method in methods
        if method in {"get", "post", "put", "patch", "delete", "head", "options"}
    }
    undocumented = api_routes - set(schema["paths"])
    return pages, operations, undocumented


def _difference_message(kind: str, found: set[str], matrix: set[str]) -> str:
    lines = []
    for key in sorted(found - matrix):
        lines.append(f"{kind} without a matrix entry (add one to {__name__}): {key}")
    for key in sorted(matrix - found):
        lines.append(f"{kind} in the matrix that no longer exists: {key}")
    return "\n".join(lines)


def test_every_endpoint_has_a_matrix_entry():
    pages, operations, undocumented = enumerate_endpoints()
    assert not undocumented, f"API routes missing from the OpenAPI document: {undocumented}"
    message = "\n".join(
        m
        for m in (
            _difference_message("page route", pages, set(PAGE_MATRIX)),
            _difference_message("API operation", operations, set(API_MATRIX)),
        )
        if m
    )
    assert pages == set(PAGE_MATRIX) and operations == set(API_MATRIX), message
    # Every matrix cell has a way to be exercised.
    assert set(API_MATRIX) | set(API_VARIANTS) == set(API_CALLS)
    assert {key.split("?")[0] for key in API_VARIANTS} <= set(API_MATRIX)
    assert {(name, method) for name, rows in PAGE_MATRIX.items() for method in rows} <= set(
        PAGE_CALLS
    )
    for rows in [*API_MATRIX.values(), *API_VARIANTS.values()] + [
        row for methods in PAGE_MATRIX.values() for row in methods.values()
    ]:
        assert len(columns(rows)) == len(who(rows))
    # Every page and operation of the follow-up and the forum is checked for the designated
    # users too (the secretariat, the committee, a focal point).
    follow_up = [
        *[row for key, row in API_MATRIX.items() if key in TASKS_API_MATRIX],
        *[row for name in TASKS_PAGE_MATRIX for row in PAGE_MATRIX[name].values()],
    ]
    assert all(who(row) == (*ROLES, *DESIGNATED) for row in follow_up)


def test_a_new_route_anywhere_needs_a_row():
    """Under accounts/ or admin/ too: only the admin site's own routes follow the admin rule."""
    from types import ModuleType

    from django.test import override_settings
    from django.urls import path

    from htxso import urls
    from htxso.registry import edit_views

    leaks = [
        path("accounts/people/<int:pk>/", edit_views.person, name="people-leak"),
        path("admin/people/<int:pk>/", edit_views.person, name="admin-people-leak"),
    ]
    urlconf = ModuleType("leaky_urls")
    urlconf.urlpatterns = [*leaks, *urls.urlpatterns]  # type: ignore[attr-defined]
    with override_settings(ROOT_URLCONF=urlconf):
        pages, _operations, _undocumented = enumerate_endpoints()
    assert pages - set(PAGE_MATRIX) == {"people-leak", "admin-people-leak"}


def _admin_sample_path(route: str) -> str:
    """A concrete URL for an admin route: '1' for each parameter, the first alternative of a
    regex group (app_list's `(?P<app_label>auth|core|…)`), 'x' for a catch-all."""
    path = re.sub(r"<(?:\w+:)?\w+>", "1", route)
    path = re.sub(
        r"\(\?P<\w+>([^)]*)\)",
        lambda m: (
            m.group(1).split("|")[0] if m.group(1).isidentifier() or "|" in m.group(1) else "x"
        ),
        path,
    )
    return "/" + path.rstrip("$")


def test_every_admin_route_refuses_non_staff(client, db, world):
    """The admin site is the system admins' (core/admin_site.py). Generated from the resolver,
    so a model registered later is covered; a route outside the admin namespace needs a row."""
    routes = admin_routes()
    assert len(routes) > 20 and "admin/" in routes
    login = reverse("admin:login")
    for role in ROLES:  # one sign-in per role: sessions are the cost here
        user = world.users[role]
        client.logout()
        if user is not None:
            client.force_login(user)
        for route in routes:
            path = _admin_sample_path(route)
            response = client.get(path)
            where = f"{role} GET {path} ({route}): {response.status_code}"
            location = response.get("Location", "")
            to_login = location.startswith((login, reverse("login")))
            if role == "system_admin":
                assert response.status_code < 500 and not to_login, where
            elif route == "admin/logout/":
                assert response.status_code in (302, 403, 405), where  # nothing to sign out of
            elif user is None and route == "admin/login/":  # the application's sign-in form
                assert response.status_code in (200, 302), where
            elif user is None:  # the way in is the application's sign-in (throttled, 2FA)
                assert response.status_code == 302 and to_login, where
            else:  # signed in without admin rights: refused (the admin's login answers 403)
                assert response.status_code == 403 or (response.status_code == 302 and to_login), (
                    where
                )


def test_the_api_documents_itself_publicly(client, db):
    assert client.get(reverse("api:openapi-json")).status_code == 200
    assert client.get(reverse("api:openapi-view")).status_code == 200
    # ninja's root view only exists to compute the prefix; it answers 404 to everyone.
    assert client.get(reverse("api:api-root")).status_code == 404


# -- the world the requests act on ----------------------------------------------------------------


@dataclass
class World:
    province: dict[str, str]
    organisation: dict[str, Organisation]
    member_person: dict[str, Any]  # an active member of `organisation[target]`
    fresh_person: dict[str, Any]  # a registered adult of the province, member of nothing
    membership: dict[str, Membership]
    users: dict[str, User | None]
    tokens: dict[str, str] = field(default_factory=dict)
    job: Any = None  # an import job uploaded by the provincial officer
    report: dict[str, Any] = field(default_factory=dict)  # a 2025 draft of `organisation[t]`
    report_job: Any = None  # a report import job uploaded by the provincial officer


@pytest.fixture(scope="module")
def _jobs_inline(tmp_path_factory):
    """Import jobs run in the request (the import API's uploads, commits and re-runs), their
    files under a temporary MEDIA_ROOT that goes away with the module."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), JOBS_BACKEND="inline"):
        yield


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _jobs_inline):
    with django_db_blocker.unblock():
        last_audit = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        province = {"own": "19", "other": "01"}
        organisation = {t: OrganisationFactory(province_id=p) for t, p in province.items()}
        member_person = {t: PersonFactory(province_id=p) for t, p in province.items()}
        fresh_person = {
            t: PersonFactory(province_id=p, birth_date=dt.date(1980, 3, 15))
            for t, p in province.items()
        }
        membership = {
            t: MembershipFactory(organisation=organisation[t], person=member_person[t])
            for t in TARGETS
        }
        users: dict[str, User | None] = {
            "anonymous": None,
            "public": make_user("mx-cong-chung", Role.PUBLIC),
            # Staff and superuser, as the demo's administrator: the only role on the admin site.
            "system_admin": make_user(
                "mx-quan-tri", Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True
            ),
            "central_officer": make_user("mx-trung-uong", Role.CENTRAL_OFFICER),
            "provincial_officer": make_user("mx-can-bo-19", Role.PROVINCIAL_OFFICER, "19"),
            "alliance_adviser": make_user("mx-tu-van-19", Role.ALLIANCE_ADVISER, "19"),
            "cooperative_manager": make_user(
                "mx-quan-ly-19", Role.COOPERATIVE_MANAGER, "19", organisation=organisation["own"]
            ),
            "member": make_user("mx-thanh-vien-19", Role.MEMBER, "19", person=member_person["own"]),
            "applicant": make_user("mx-nop-ho-so", Role.APPLICANT),
            "commune_officer": make_user(
                "mx-can-bo-xa-19",
                Role.COMMUNE_OFFICER,
                "19",
                commune=Commune.objects.filter(province_id="19").order_by("code")[0],
            ),
            **designated_users(),  # the follow-up's secretariat, committee, focal point
        }
        tokens = {role: issue_token(None, u, "t") for role, u in users.items() if u is not None}
        made = World(province, organisation, member_person, fresh_person, membership, users, tokens)
        made.job = ImportJob(
            kind="members",
            strategy="upsert",
            filename="mx.csv",
            sha256="-",
            created_by=users["provincial_officer"],
            status="invalid",
        )
        made.job.file.save("mx.csv", ContentFile(b"a,b\n1,2\n"))
        call_command("load_reporting", verbosity=0)
        annual = ReportForm.objects.get(code="htx-annual")
        made.report = {
            t: reporting_services.open_report(None, annual, "2025", organisation[t])
            for t in TARGETS
        }
        made.report_job = ReportImportJob(
            form=annual,
            period="2025",
            filename="bc.csv",
            sha256="-",
            created_by=users["provincial_officer"],
            status="invalid",
        )
        made.report_job.file.save("bc.csv", ContentFile(b"a,b\n1,2\n"))
    yield made
    with django_db_blocker.unblock():
        from htxso.registry.generator import clear_registry

        AuditEntry.objects.filter(id__gt=last_audit).delete()
        # Leave no reporting data behind for later modules (the module committed it).
        Report.objects.all().delete()
        made.report_job.file.delete(save=False)
        made.report_job.delete()
        for model in (IndicatorCell, Release, Target, Indicator, FormVersion, ReportForm):
            model.objects.all().delete()
        made.job.file.delete(save=False)
        made.job.delete()
        clear_registry()
        Designation.objects.filter(user__username__startswith="mx-").delete()
        User.objects.filter(username__startswith="mx-").delete()


@pytest.fixture(autouse=True)
def _fresh_throttle_buckets():
    """Hundreds of requests from one address: every test starts with empty throttle buckets."""
    cache.clear()
    yield
    cache.clear()


# -- how each endpoint is exercised ---------------------------------------------------------------


def _today() -> str:
    return dt.date.today().isoformat()


def _put_body(organisation: Organisation) -> dict:
    current = Organisation.objects.get(pk=organisation.pk)
    return {
        "version": current.version,
        "kind": current.kind,
        "name": f"{current.name} (sửa)",
        "tax_code": current.tax_code,
        "sector": current.sector,
        "province_code": current.province_id,
        "established_on": current.established_on.isoformat(),
    }


def _org_form(organisation: Organisation | None = None, province: str = "19") -> dict:
    """The organisation form of the editing pages, filled in validly."""
    if organisation is None:
        return {
            "kind": "cooperative",
            "name": "HTX Trang Phân Quyền",
            "tax_code": valid_tax_code(),
            "sector": "A",
            "province": province,
            "established_on": "2016-05-01",
            "is_agricultural": "on",
        }
    current = Organisation.objects.get(pk=organisation.pk)
    return {
        "kind": current.kind,
        "name": f"{current.name} (sửa trên trang)",
        "tax_code": current.tax_code,
        "sector": current.sector,
        "province": current.province_id,
        "established_on": current.established_on.isoformat(),
        "is_agricultural": "on" if current.is_agricultural else "",
        "version": current.version,
    }


def _tombstones(w: World, t: str) -> Call:
    membership = w.membership[t]
    since = (timezone.now() - dt.timedelta(minutes=5)).isoformat()
    services.delete_membership(None, membership.pk)
    return Call("/api/v1/tombstones", {"since": since}, listed=("object_id", str(membership.pk)))


API_CALLS: dict[str, Builder] = {
    "GET /api/v1/provinces": lambda w, t: Call("/api/v1/provinces"),
    "GET /api/v1/communes": lambda w, t: Call("/api/v1/communes", {"province": w.province[t]}),
    "GET /api/v1/organisations": lambda w, t: Call(
        "/api/v1/organisations",
        {"province": w.province[t]},
        listed=("id", str(w.organisation[t].pk)),
    ),
    "POST /api/v1/organisations": lambda w, t: Call(
        "/api/v1/organisations", body=create_payload(province_code=w.province[t])
    ),
    "GET /api/v1/organisations/{pk}": lambda w, t: Call(
        f"/api/v1/organisations/{w.organisation[t].pk}"
    ),
    "PUT /api/v1/organisations/{pk}": lambda w, t: Call(
        f"/api/v1/organisations/{w.organisation[t].pk}", body=_put_body(w.organisation[t])
    ),
    "PATCH /api/v1/organisations/{pk}": lambda w, t: Call(
        f"/api/v1/organisations/{w.organisation[t].pk}",
        body={
            "version": Organisation.objects.get(pk=w.organisation[t].pk).version,
            "name": "Tên đã sửa qua API",
        },
    ),
    "GET /api/v1/organisations/{pk}/status-history": lambda w, t: Call(
        f"/api/v1/organisations/{w.organisation[t].pk}/status-history"
    ),
    "POST /api/v1/organisations/{pk}/status-history": lambda w, t: Call(
        f"/api/v1/organisations/{w.organisation[t].pk}/status-history",
        body={"status": "suspended", "effective_on": _today(), "reason": "Thử phân quyền"},
    ),
    "GET /api/v1/people": lambda w, t: Call(
        "/api/v1/people",
        {"organisation": w.organisation[t].pk},
        listed=("id", str(w.member_person[t].pk)),
    ),
    "GET /api/v1/people/{pk}": lambda w, t: Call(f"/api/v1/people/{w.member_person[t].pk}"),
    "GET /api/v1/people/{pk}?reveal=true": lambda w, t: Call(
        f"/api/v1/people/{w.member_person[t].pk}", {"reveal": "true"}
    ),
    "GET /api/v1/memberships": lambda w, t: Call(
        "/api/v1/memberships",
        {"organisation": w.organisation[t].pk},
        listed=("id", str(w.membership[t].pk)),
    ),
    "POST /api/v1/memberships": lambda w, t: Call(
        "/api/v1/memberships",
        body={
            "organisation_id": w.organisation[t].pk,
            "person": {
                "cccd": w.fresh_person[t].cccd,
                "full_name": w.fresh_person[t].full_name,
                "birth_date": f"{w.fresh_person[t].birth_year}-03-15",
            },
            "kind": "official",
            "joined_on": "2021-01-04",
        },
    ),
    "POST /api/v1/memberships/{pk}/end": lambda w, t: Call(
        f"/api/v1/memberships/{w.membership[t].pk}/end", body={"left_on": _today()}
    ),
    "DELETE /api/v1/memberships/{pk}": lambda w, t: Call(
        f"/api/v1/memberships/{w.membership[t].pk}"
    ),
    "GET /api/v1/tombstones": _tombstones,
    **REPORTING_API_CALLS,
    **EXCHANGE_API_CALLS,
    **REGISTRATION_API_CALLS,
    **TASKS_API_CALLS,
    **MARKETPLACE_API_CALLS,
    **PRICES_API_CALLS,
    **TRACEABILITY_API_CALLS,
    **ASSESSMENT_API_CALLS,
}


def _a_synonym() -> int:
    from htxso.exchange.models import Synonym

    return Synonym.objects.order_by("pk").values_list("pk", flat=True).first() or 0


def _page(name: str, *args, body: dict | None = None) -> Call:
    return Call(reverse(name, args=args), body=body, form=body is not None)


PAGE_CALLS: dict[tuple[str, str], Builder] = {
    ("home", "GET"): lambda w, t: Call(reverse("home")),
    ("overview", "GET"): lambda w, t: Call(reverse("overview")),
    ("registry:list", "GET"): lambda w, t: Call(
        reverse("registry:list"), {"province": w.province[t]}
    ),
    ("registry:organisation", "GET"): lambda w, t: Call(
        reverse("registry:organisation", args=[w.organisation[t].pk])
    ),
    ("registry:province", "GET"): lambda w, t: Call(
        reverse("registry:province", args=[w.province[t]])
    ),
    ("registry:commune-options", "GET"): lambda w, t: Call(
        reverse("registry:commune-options"), {"province": w.province[t]}
    ),
    ("registry:create", "GET"): lambda w, t: _page("registry:create"),
    ("registry:create", "POST"): lambda w, t: _page(
        "registry:create", body=_org_form(province=w.province[t])
    ),
    ("registry:edit", "GET"): lambda w, t: _page("registry:edit", w.organisation[t].pk),
    ("registry:edit", "POST"): lambda w, t: _page(
        "registry:edit", w.organisation[t].pk, body=_org_form(w.organisation[t])
    ),
    ("registry:status", "GET"): lambda w, t: _page("registry:status", w.organisation[t].pk),
    ("registry:status", "POST"): lambda w, t: _page(
        "registry:status",
        w.organisation[t].pk,
        body={"status": "suspended", "effective_on": _today(), "reason": "Thử phân quyền"},
    ),
    ("registry:members", "GET"): lambda w, t: _page("registry:members", w.organisation[t].pk),
    ("registry:members", "POST"): lambda w, t: _page(
        "registry:members",
        w.organisation[t].pk,
        body={
            "cccd": w.fresh_person[t].cccd,
            "full_name": w.fresh_person[t].full_name,
            "birth_date": f"{w.fresh_person[t].birth_year}-03-15",
            "kind": "official",
            "joined_on": "2021-01-04",
        },
    ),
    ("registry:membership-end", "POST"): lambda w, t: _page(
        "registry:membership-end", w.membership[t].pk, body={"left_on": _today()}
    ),
    ("registry:history", "GET"): lambda w, t: _page("registry:history", w.organisation[t].pk),
    ("registry:person", "GET"): lambda w, t: _page("registry:person", w.member_person[t].pk),
    ("registry:person", "POST"): lambda w, t: _page(
        "registry:person", w.member_person[t].pk, body={"reveal": "1"}
    ),
    ("exchange:index", "GET"): lambda w, t: _page("exchange:index"),
    ("exchange:job", "GET"): lambda w, t: _page("exchange:job", w.job.pk),
    ("exchange:job-progress", "GET"): lambda w, t: _page("exchange:job-progress", w.job.pk),
    ("exchange:job-findings", "GET"): lambda w, t: _page("exchange:job-findings", w.job.pk),
    ("exchange:job-mapping", "GET"): lambda w, t: _page("exchange:job-mapping", w.job.pk),
    ("exchange:job-file", "GET"): lambda w, t: _page("exchange:job-file", w.job.pk),
    ("exchange:job-commit", "GET"): lambda w, t: _page("exchange:job-commit", w.job.pk),
    ("exchange:job-rerun", "GET"): lambda w, t: _page("exchange:job-rerun", w.job.pk),
    ("exchange:synonyms", "GET"): lambda w, t: _page("exchange:synonyms"),
    ("exchange:synonyms", "POST"): lambda w, t: _page(
        "exchange:synonyms",
        body={"kind": "value", "column": "status", "text": "Còn hoạt động tốt", "value": "active"},
    ),
    ("exchange:synonym-delete", "GET"): lambda w, t: _page("exchange:synonym-delete", _a_synonym()),
    ("exchange:synonym-delete", "POST"): lambda w, t: _page(
        "exchange:synonym-delete", _a_synonym(), body={}
    ),
    ("exchange:template", "GET"): lambda w, t: _page("exchange:template", "members"),
    ("exchange:export-organisations", "GET"): lambda w, t: Call(
        reverse("exchange:export-organisations", args=["csv"]), {"province": w.province[t]}
    ),
    ("exchange:export-members", "GET"): lambda w, t: Call(
        reverse("exchange:export-members", args=["csv"]), {"province": w.province[t]}
    ),
    ("statistics:dashboard", "GET"): lambda w, t: _page("statistics:dashboard"),
    ("statistics:province", "GET"): lambda w, t: _page("statistics:province", w.province[t]),
    ("statistics:chart-xlsx", "GET"): lambda w, t: Call(
        reverse("statistics:chart-xlsx", args=["trend-organisations"]), {"area": w.province[t]}
    ),
    ("statistics:indicators", "GET"): lambda w, t: _page("statistics:indicators"),
    ("statistics:releases", "GET"): lambda w, t: _page("statistics:releases"),
    ("statistics:releases", "POST"): lambda w, t: _page(
        "statistics:releases", body={"period": "2024" if t == "own" else "2023S1"}
    ),
    ("statistics:export-xlsx", "GET"): lambda w, t: _page("statistics:export-xlsx"),
    ("statistics:sdmx-structure", "GET"): lambda w, t: _page("statistics:sdmx-structure"),
    ("statistics:sdmx-data", "GET"): lambda w, t: _page("statistics:sdmx-data"),
    ("statistics:sdmx-csv", "GET"): lambda w, t: _page("statistics:sdmx-csv"),
    ("reporting:list", "GET"): lambda w, t: _page("reporting:list"),
    ("reporting:export", "GET"): lambda w, t: Call(
        reverse("reporting:export", args=["csv"]), {"province": w.province[t]}
    ),
    ("reporting:open", "POST"): lambda w, t: _page(
        "reporting:open",
        body={"form": "htx-annual", "period": "2024", "organisation": w.organisation[t].pk},
    ),
    ("reporting:report", "GET"): lambda w, t: _page("reporting:report", w.report[t].pk),
    ("reporting:report", "POST"): lambda w, t: _page(
        "reporting:report",
        w.report[t].pk,
        body={"action": "save", "version": w.report[t].version, "workers": "1.250"},
    ),
    ("reporting:import", "GET"): lambda w, t: _page("reporting:import"),
    ("reporting:import-job", "GET"): lambda w, t: _page("reporting:import-job", w.report_job.pk),
    ("reporting:import-job-progress", "GET"): lambda w, t: _page(
        "reporting:import-job-progress", w.report_job.pk
    ),
    ("reporting:import-job-findings", "GET"): lambda w, t: _page(
        "reporting:import-job-findings", w.report_job.pk
    ),
    ("reporting:import-job-file", "GET"): lambda w, t: _page(
        "reporting:import-job-file", w.report_job.pk
    ),
    ("reporting:import-job-commit", "GET"): lambda w, t: _page(
        "reporting:import-job-commit", w.report_job.pk
    ),
    ("reporting:import-job-rerun", "GET"): lambda w, t: _page(
        "reporting:import-job-rerun", w.report_job.pk
    ),
    ("reporting:import-template", "GET"): lambda w, t: Call(
        reverse("reporting:import-template"), {"form": "htx-annual", "period": "2025"}
    ),
    ("reporting:completeness", "GET"): lambda w, t: Call(
        reverse("reporting:completeness"),
        {"form": "htx-annual", "period": "2025", "province": w.province[t]},
    ),
    **ACCOUNT_CALLS,
    **REGISTRATION_PAGE_CALLS,
    **TASKS_PAGE_CALLS,
    **MARKETPLACE_PAGE_CALLS,
    **PRICES_PAGE_CALLS,
    **TRACEABILITY_PAGE_CALLS,
    **ASSESSMENT_PAGE_CALLS,
}


def _cases(matrix: dict[str, Row], kind: str):
    for key, row in matrix.items():
        for role, cells in zip(who(row), columns(row), strict=True):
            for target, cell in zip(TARGETS, cells, strict=True):
                marks = []
                if isinstance(cell, Design):
                    marks.append(pytest.mark.xfail(strict=True, reason=cell.reason))
                    cell = cell.expected
                yield pytest.param(
                    kind, key, role, target, cell, marks=marks, id=f"{key}|{role}|{target}"
                )


def _page_cases():
    for name, methods in PAGE_MATRIX.items():
        for method, row in methods.items():
            yield from _cases({f"{method} {name}": row}, "page")


def _request(client, method: str, call: Call, headers: dict):
    send = getattr(client, method.lower())
    if method == "GET":
        return send(call.path, call.params or {}, **headers)
    path = call.path
    if call.params:
        from urllib.parse import urlencode

        path = f"{path}?{urlencode(call.params)}"
    if call.body is None:
        return send(path, **headers)
    if call.form:
        return send(path, call.body, **headers)
    return send(path, call.body, content_type="application/json", **headers)


def _to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def _assert_outcome(response, expected: str, call: Call, method: str) -> None:
    status = response.status_code
    body = b"<streamed>" if response.streaming else response.content[:300]
    detail = f"{status} {response.get('Location', '')} {body!r}"
    if method != "GET" and call.audited:
        # A write that is allowed leaves its audit entry; a refused one writes nothing.
        written = AuditEntry.objects.filter(request_id=response["X-Request-ID"]).exists()
        assert written == (expected == OK), (
            f"expected {expected}, audit written={written}: {detail}"
        )
    if expected == L:
        assert _to_login(response), f"expected a redirect to the login page, got {detail}"
    elif expected in (OK, HIDDEN):
        redirected = call.form and status == 302 and not _to_login(response)
        assert 200 <= status < 300 or redirected, f"expected {expected}, got {detail}"
        if call.listed is not None:
            name, value = call.listed
            values = {str(item[name]) for item in response.json()["items"]}
            listed = value in values
            assert listed == (expected == OK), (
                f"target {name}={value} {'missing from' if expected == OK else 'leaked into'} "
                f"the list ({len(values)} items)"
            )
        else:
            assert expected == OK, "HIDDEN only makes sense for a list"
    else:
        assert status == int(expected), f"expected {expected}, got {detail}"


@pytest.mark.parametrize(
    ("kind", "key", "role", "target", "expected"),
    [*_cases(API_MATRIX, "api"), *_cases(API_VARIANTS, "api"), *_page_cases()],
)
def test_authorization_matrix(client, db, world, kind, key, role, target, expected):
    method = key.split(" ", 1)[0]
    if kind == "api":
        call = API_CALLS[key](world, target)
        user = world.users[role]
        headers = bearer(world.tokens[role]) if user is not None else {}
    else:
        name = key.split(" ", 1)[1]
        call = PAGE_CALLS[(name, method)](world, target)
        user = world.users[role]
        if user is not None:
            client.force_login(user)
        headers = {}
    response = _request(client, method, call, headers)
    _assert_outcome(response, expected, call, method)


# -- 2. simultaneous edits (PostgreSQL row locks) -----------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking")
def test_simultaneous_edits_one_wins(transactional_db):
    from django.db import connections

    from htxso.core.tests.units_snapshot import restore_units

    restore_units()  # transactional tests start from flushed tables
    organisation = OrganisationFactory(province_id="19")
    barrier = threading.Barrier(2, timeout=30)
    outcomes: dict[str, object] = {}

    def edit(name: str) -> None:
        try:
            version = Organisation.objects.get(pk=organisation.pk).version
            barrier.wait()
            services.update_organisation(None, organisation.pk, version, name=name)
            outcomes[name] = "ok"
        except Exception as exc:  # collected and asserted below
            outcomes[name] = exc
        finally:
            connections.close_all()

    names = ("HTX Người sửa thứ nhất", "HTX Người sửa thứ hai")
    threads = [threading.Thread(target=edit, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    winners = [name for name, outcome in outcomes.items() if outcome == "ok"]
    losers = [outcome for outcome in outcomes.values() if outcome != "ok"]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1 and isinstance(losers[0], services.StaleEdit), outcomes
    organisation.refresh_from_db()
    assert organisation.name == winners[0]
    assert organisation.version == 2
    updates = AuditEntry.objects.filter(
        action="update", object_type="registry.organisation", object_id=str(organisation.pk)
    )
    assert updates.count() == 1
    assert updates.get().after["name"] == winners[0]


# -- 3. every API write leaves an audit entry tied to the request ---------------------------------


def _audited(response, actor: User, action: str, object_type: str, object_id) -> None:
    request_id = response["X-Request-ID"]
    assert request_id
    entries = list(AuditEntry.objects.filter(request_id=request_id))
    assert len(entries) == 1, [(e.action, e.object_type, e.object_id) for e in entries]
    [entry] = entries
    assert (entry.actor, entry.action, entry.object_type, entry.object_id) == (
        actor,
        action,
        object_type,
        str(object_id),
    )


def test_api_writes_are_audited_with_the_request_id(client, db, world):
    officer = world.users["provincial_officer"]
    headers = bearer(world.tokens["provincial_officer"])
    json = {"content_type": "application/json", **headers}

    created = client.post("/api/v1/organisations", create_payload(), **json)
    assert created.status_code == 201, created.content
    org_id = created.json()["id"]
    _audited(created, officer, "create", "registry.organisation", org_id)

    patched = client.patch(
        f"/api/v1/organisations/{org_id}", {"version": 1, "name": "HTX Đã sửa một phần"}, **json
    )
    assert patched.status_code == 200, patched.content
    _audited(patched, officer, "update", "registry.organisation", org_id)

    put = client.put(
        f"/api/v1/organisations/{org_id}",
        _put_body(Organisation.objects.get(pk=org_id)),
        **json,
    )
    assert put.status_code == 200, put.content
    _audited(put, officer, "update", "registry.organisation", org_id)

    status = client.post(
        f"/api/v1/organisations/{org_id}/status-history",
        {"status": "suspended", "effective_on": _today()},
        **json,
    )
    assert status.status_code == 201, status.content
    _audited(status, officer, "change_status", "registry.organisation", org_id)

    added = client.post(
        "/api/v1/memberships",
        {
            "organisation_id": org_id,
            "person": {
                "cccd": valid_cccd(birth_year=1980),
                "full_name": "Phạm Thị Nhật Ký",
                "birth_date": "1980-02-03",
            },
            "kind": "official",
            "joined_on": "2020-02-03",
        },
        **json,
    )
    assert added.status_code == 201, added.content
    membership_id, person_id = added.json()["id"], added.json()["person_id"]
    entries = AuditEntry.objects.filter(request_id=added["X-Request-ID"], actor=officer)
    assert sorted(entries.values_list("action", "object_type", "object_id")) == [
        ("create", "registry.membership", str(membership_id)),
        ("create", "registry.person", str(person_id)),  # recorded and linked in one request
    ]

    ended = client.post(f"/api/v1/memberships/{membership_id}/end", {"left_on": _today()}, **json)
    assert ended.status_code == 200, ended.content
    _audited(ended, officer, "end", "registry.membership", membership_id)

    deleted = client.delete(f"/api/v1/memberships/{membership_id}", **headers)
    assert deleted.status_code == 204, deleted.content
    _audited(deleted, officer, "delete", "registry.membership", membership_id)
    assert Tombstone.objects.filter(object_id=str(membership_id)).exists()


def test_a_client_request_id_is_kept_in_the_audit_log(client, db, world):
    """A caller's own X-Request-ID (8–64 ASCII characters) ties its log to ours."""
    headers = bearer(world.tokens["system_admin"])
    response = client.post(
        "/api/v1/organisations",
        create_payload(province_code="01"),
        content_type="application/json",
        headers={"X-Request-ID": "ben-goi-0001"},
        **headers,
    )
    assert response.status_code == 201, response.content
    assert response["X-Request-ID"] == "ben-goi-0001"
    _audited(
        response,
        world.users["system_admin"],
        "create",
        "registry.organisation",
        response.json()["id"],
    )
