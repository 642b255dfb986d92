"""Rows of the authorization matrix for registration (`htxso/registration`), merged into
`API_MATRIX`/`API_CALLS` and `PAGE_MATRIX`/`PAGE_CALLS` of test_authorization.py.

The target is an application of a founder (an applicant account, made by the call) whose
organisation would sit in the own (19) or the other (01) province. None of the matrix's roles
is the target's founder (the "applicant" column is another founder): what a founder may do to
their own application is held by `registration/tests/` (services, pages, API). Here:
applications are seen by national roles and the offices (the province's, and the commune's
for a kind its commune decides), decided by the offices and the system admin, filled in only
by their founder (everyone else who sees one: 403); the queue is the offices'; verification
and lookup are public."""

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from htxso.core.cccd import encode_cccd
from htxso.core.models import Commune
from htxso.core.roles import Role
from htxso.registration import certificate as certificates
from htxso.registration import changes, decisions, leaving, rules, services
from htxso.registration.models import Application, Certificate

from .authorization_matrix import EVERYONE, OK, Builder, Call, F, L, N, Row, U, V, page
from .conftest import make_user

PDF = b"%PDF-1.4\n%%EOF\n"

# Columns: anonymous, public, system_admin, central_officer, provincial_officer (19),
# alliance_adviser, cooperative_manager, member, applicant (another founder), commune_officer
# (of the own application's commune, whose office decides a cooperative).
SEEN: Row = [(L, L), (N, N), (OK, OK), (OK, OK), (OK, N), (N, N), (N, N), (N, N), (N, N), (OK, N)]
# The founder's writes: seen (else 404), then only the founder (403 for everyone else).
FOUNDER_ONLY: Row = [(L, L), (N, N), (F, F), (F, F), (F, N), (N, N), (N, N), (N, N), (N, N), (F, N)]
DECIDE: Row = [(L, L), (N, N), (OK, OK), (F, F), (OK, N), (N, N), (N, N), (N, N), (N, N), (OK, N)]
APPLICANTS_ONLY: Row = [(L, L), *[(F, F)] * 7, (OK, OK), (F, F)]

REGISTRATION_PAGE_MATRIX: dict[str, dict[str, Row]] = {
    "registration:mine": {"GET": APPLICANTS_ONLY, "POST": APPLICANTS_ONLY},
    "registration:queue": {
        "GET": [
            (L, L),
            (F, F),
            (OK, OK),
            (F, F),
            (OK, OK),
            (F, F),
            (F, F),
            (F, F),
            (F, F),
            (OK, OK),
        ]
    },
    "registration:application": {"GET": SEEN},
    "registration:save": {"POST": FOUNDER_ONLY},
    "registration:member-add": {"POST": FOUNDER_ONLY},
    "registration:member-remove": {"POST": FOUNDER_ONLY},
    "registration:leaving-add": {"POST": FOUNDER_ONLY},  # a member leaving, in a change
    "registration:leaving-remove": {"POST": FOUNDER_ONLY},
    "registration:upload": {"POST": FOUNDER_ONLY},
    "registration:file": {"GET": SEEN},  # a dossier file: as its application
    "registration:submit": {"POST": FOUNDER_ONLY},
    "registration:withdraw": {"POST": FOUNDER_ONLY},
    "registration:decide": {"POST": DECIDE},  # taking a submitted case
    # The PDF: whoever sees the application (no sign-in asked: 404 outside).
    "registration:certificate": {"GET": [(N, N), *SEEN[1:]]},
    "registration:verify": {"GET": EVERYONE},  # public: the QR code's page
    "registration:lookup": {"GET": EVERYONE},
}

REGISTRATION_API_MATRIX: dict[str, Row] = {
    "POST /api/v1/applications": [(U, U), *APPLICANTS_ONLY[1:]],
    # A change of an organisation one registered: the applicant column is another founder.
    "POST /api/v1/applications/changes": [(U, U), *[(F, F)] * 7, (V, V), (F, F)],
    "GET /api/v1/applications/{pk}": [(U, U), *SEEN[1:]],
    "POST /api/v1/applications/{pk}/submit": [(U, U), *FOUNDER_ONLY[1:]],
    "POST /api/v1/applications/{pk}/decision": [(U, U), *DECIDE[1:]],
    "POST /api/v1/applications/{pk}/withdraw": [(U, U), *FOUNDER_ONLY[1:]],
    "GET /api/v1/registrations": EVERYONE,
}


def _member(i: int) -> dict[str, Any]:
    return {
        "cccd": encode_cccd("19", "male", 1975, 800 + i),
        "full_name": f"Trần Văn Sáng Lập {i}",
        "birth_date": __import__("datetime").date(1975, 5, 1 + i),
    }


def _application(w: Any, t: str, state: str = "draft") -> Application:
    """A cooperative's application of a new founder in the target's province, in `state`
    (draft, complete, submitted, approved)."""
    province = w.province[t]
    founder = make_user(f"mx-nop-ho-so-{t}", Role.APPLICANT)
    commune = Commune.objects.filter(province_id=province).order_by("code")[0]
    application = services.start(
        founder, "cooperative", province, name=f"HTX Ma trận {t}", sector="A", commune_id=commune.pk
    )
    if state == "draft":
        return application
    for i in range(5):
        application.refresh_from_db()
        services.add_member(founder, application.pk, application.version, **_member(i))
    for document in rules.load().for_kind("cooperative").documents:
        application.refresh_from_db()
        services.upload(
            founder,
            application.pk,
            application.version,
            document.code,
            ContentFile(PDF),
            f"{document.code}.pdf",
        )
    application.refresh_from_db()
    if state == "complete":
        return application
    application = services.submit(founder, application.pk, application.version)
    if state == "submitted":
        return application
    application = decisions.take(None, application.pk, application.version)
    return decisions.approve(None, application.pk, application.version)


def _post(name: str, a: Application, body: dict | None = None, *args: Any) -> Call:
    return page(name, a.pk, *args, body={"version": a.version, **(body or {})})


def _member_remove(w: Any, t: str) -> Call:
    a = _application(w, t, "complete")
    return _post("registration:member-remove", a, None, a.members.order_by("id")[0].pk)


def _change(w: Any, t: str) -> Application:
    """A draft change of the organisation an approved application registered."""
    registered = _application(w, t, "approved")
    assert registered.organisation_id is not None
    return changes.start_change(registered.applicant, registered.organisation_id, "change")


def _today() -> str:
    return dt.date.today().strftime("%d/%m/%Y")


def _leaving_add(w: Any, t: str) -> Call:
    a = _change(w, t)
    member = leaving.current(a.organisation_id)[0]
    return _post("registration:leaving-add", a, {"membership": member.pk, "left_on": _today()})


def _leaving_remove(w: Any, t: str) -> Call:
    a = _change(w, t)
    member = leaving.current(a.organisation_id)[0]
    row = leaving.add_leaving(a.applicant, a.pk, a.version, dt.date.today(), member.pk)
    a.refresh_from_db()
    return _post("registration:leaving-remove", a, None, row.pk)


def _file(w: Any, t: str) -> Call:
    a = _application(w, t, "complete")
    return page("registration:file", a.pk, a.files.order_by("id")[0].pk)


def _certificate(w: Any, t: str) -> Call:
    a = _application(w, t, "approved")
    return page("registration:certificate", Certificate.objects.get(application=a).serial)


def _verify(w: Any, t: str) -> Call:
    a = _application(w, t, "approved")
    token = certificates.token(Certificate.objects.get(application=a))
    return Call(reverse("registration:verify", args=[token]))


def _upload(w: Any, t: str) -> Call:
    a = _application(w, t)
    file = SimpleUploadedFile("dieu-le.pdf", PDF)
    return _post("registration:upload", a, {"document": "charter", "file": file})


REGISTRATION_PAGE_CALLS: dict[tuple[str, str], Builder] = {
    ("registration:mine", "GET"): lambda w, t: page("registration:mine"),
    ("registration:mine", "POST"): lambda w, t: page(
        "registration:mine", body={"kind": "cooperative", "province": w.province[t], "name": "X"}
    ),
    ("registration:queue", "GET"): lambda w, t: page("registration:queue"),
    ("registration:application", "GET"): lambda w, t: page(
        "registration:application", _application(w, t).pk
    ),
    ("registration:save", "POST"): lambda w, t: _post(
        "registration:save", _application(w, t), {"name": "HTX Đổi tên", "sector": "A"}
    ),
    ("registration:member-add", "POST"): lambda w, t: _post(
        "registration:member-add",
        _application(w, t),
        {**_member(9), "birth_date": "10/05/1975", "kind": "official"},
    ),
    ("registration:member-remove", "POST"): _member_remove,
    ("registration:upload", "POST"): _upload,
    ("registration:leaving-add", "POST"): _leaving_add,
    ("registration:leaving-remove", "POST"): _leaving_remove,
    ("registration:file", "GET"): _file,
    ("registration:submit", "POST"): lambda w, t: _post(
        "registration:submit", _application(w, t, "complete")
    ),
    ("registration:withdraw", "POST"): lambda w, t: _post(
        "registration:withdraw", _application(w, t, "submitted")
    ),
    ("registration:decide", "POST"): lambda w, t: _post(
        "registration:decide", _application(w, t, "submitted"), None, "take"
    ),
    ("registration:certificate", "GET"): _certificate,
    ("registration:verify", "GET"): _verify,
    ("registration:lookup", "GET"): lambda w, t: Call(
        reverse("registration:lookup"), {"q": "ma tran"}
    ),
}

REGISTRATION_API_CALLS: dict[str, Builder] = {
    "POST /api/v1/applications": lambda w, t: Call(
        "/api/v1/applications",
        body={"kind": "cooperative", "province_id": w.province[t], "name": "HTX qua API"},
    ),
    "POST /api/v1/applications/changes": lambda w, t: (
        lambda a: Call(
            "/api/v1/applications/changes",
            body={"organisation_id": a.organisation_id, "name": "HTX Đổi tên qua API"},
        )
    )(_application(w, t, "approved")),
    "GET /api/v1/applications/{pk}": lambda w, t: Call(
        f"/api/v1/applications/{_application(w, t).pk}"
    ),
    "POST /api/v1/applications/{pk}/submit": lambda w, t: (
        lambda a: Call(f"/api/v1/applications/{a.pk}/submit", body={"version": a.version})
    )(_application(w, t, "complete")),
    "POST /api/v1/applications/{pk}/decision": lambda w, t: (
        lambda a: Call(
            f"/api/v1/applications/{a.pk}/decision", body={"version": a.version, "action": "take"}
        )
    )(_application(w, t, "submitted")),
    "POST /api/v1/applications/{pk}/withdraw": lambda w, t: (
        lambda a: Call(f"/api/v1/applications/{a.pk}/withdraw", body={"version": a.version})
    )(_application(w, t, "submitted")),
    "GET /api/v1/registrations": lambda w, t: Call("/api/v1/registrations", {"q": "ma tran"}),
}
