"""Data of the authorization matrix shared by test_authorization.py: the outcomes, how a call
is described, and the rows of the account pages (accounts/, i18n/).

Adding a route (for example a new page under accounts/):
1. add its row to ACCOUNT_MATRIX below: route name → method → one (own, other) pair per role,
   in ROLES order (anonymous first);
2. add how to call it to ACCOUNT_CALLS: (route name, method) → lambda world, target: Call(…).
   A write that is allowed but leaves no audit entry (signing in, choosing a language) says
   `audited=False`; every other allowed write must leave one, and a refused one none.
`test_every_endpoint_has_a_matrix_entry` fails, naming the route, until both are there.
Routes of the admin site (namespace `admin`) need no row: a rule generated from the URL
resolver checks every one of them (test_every_admin_route_refuses_non_staff).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from htxso.core.models import ApiToken, User
from htxso.core.roles import Role

# -- outcomes -------------------------------------------------------------------------------------

OK = "2xx"  # allowed (a page may answer with a redirect); lists: the target is among the items
HIDDEN = "2xx-hidden"  # a list that answers, without the target in it
U = "401"  # not signed in
F = "403"  # signed in, not allowed
N = "404"  # not in the user's scope (or does not exist)
L = "login"  # a page that needs a session redirects an anonymous visitor to the login page
M = "405"  # the method is not allowed (to anyone who gets that far)
V = "422"  # let in, the input refused (a form answered with its errors)


@dataclass(frozen=True)
class Design:
    """DESIGN.md expects `expected`; the code does otherwise today (strict xfail)."""

    expected: str
    reason: str


ROLES = (
    "anonymous",
    "public",
    "system_admin",
    "central_officer",
    "provincial_officer",
    "alliance_adviser",
    "cooperative_manager",
    "member",
    "applicant",  # a founder (registration), not the target application's
    "commune_officer",  # the registration office of the own province's first commune
)
# The roles a row may leave out: outside registration they reach what the public reaches
# (`core.scoping.TABLE`), so a row of the eight older roles gives them the public's cell.
LIKE_PUBLIC = ("applicant", "commune_officer")
TARGETS = ("own", "other")
Cell = str | Design
Row = list[tuple[Cell, Cell]]
EVERYONE: Row = [(OK, OK)] * 10
SIGNED_IN: Row = [(L, L), *[(OK, OK)] * 9]


# Central officers designated within the steering committee's follow-up (tasks/: the
# secretariat, a member of the committee, the Ministry of Finance's focal point). Rows of the
# tasks and the forum carry their cells after the roles' (`designated`); elsewhere they are
# central officers, and other rows leave them out. "central_officer" is then the plain one.
DESIGNATED = ("secretariat", "committee", "focal_point")


def columns(row: Row) -> Row:
    """`row` with a cell for every role of ROLES (see LIKE_PUBLIC), and the designated
    users' cells when the row has them."""
    if len(row) == len(ROLES) - len(LIKE_PUBLIC):
        return [*row, *[row[1]] * len(LIKE_PUBLIC)]
    if len(row) == len(ROLES) - len(LIKE_PUBLIC) + len(DESIGNATED):
        older = len(ROLES) - len(LIKE_PUBLIC)
        return [*row[:older], *[row[1]] * len(LIKE_PUBLIC), *row[older:]]
    return row


def designated(row: Row, *cells: tuple[Cell, Cell]) -> Row:
    """`row` (of the roles) with the designated users' cells: the secretariat's, the
    committee's and the focal point's, in that order."""
    assert len(cells) == len(DESIGNATED)
    return [*columns(row), *cells]


def who(row: Row) -> tuple[str, ...]:
    """The users a row's cells are for."""
    return ROLES if len(columns(row)) == len(ROLES) else (*ROLES, *DESIGNATED)


@dataclass
class Call:
    path: str
    params: dict | None = None  # query string
    body: dict | None = None  # JSON
    listed: tuple[str, str] | None = None  # (field, value) of the target among `items`
    form: bool = False  # send `body` form-encoded (pages) rather than as JSON
    audited: bool = True  # an allowed write leaves an audit entry


def page(name: str, *args, body: dict | None = None, audited: bool = True) -> Call:
    return Call(reverse(name, args=args), body=body, form=body is not None, audited=audited)


Builder = Callable[[Any, str], Call]

# -- accounts/ and i18n/ --------------------------------------------------------------------------

PASSWORD = "mat-khau-thu-nghiem-123"  # conftest.make_user's

ACCOUNT_MATRIX: dict[str, dict[str, Row]] = {
    # A user's own API tokens. Revoking: the target is the provincial officer's token (own) or
    # the system admin's (other); only its owner may revoke it, the admin included (404).
    "tokens": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "token-revoke": {
        "GET": [(L, L), *[(M, M)] * 7],
        "POST": [(L, L), (N, N), (N, OK), (N, N), (OK, N), (N, N), (N, N), (N, N)],
    },
    # A member's own contact details: only an account tied to a person.
    "my-contact": {
        "GET": [(L, L), *[(F, F)] * 6, (OK, OK)],
        "POST": [(L, L), *[(F, F)] * 6, (OK, OK)],
    },
    # Signing in (own: the right password, other: a wrong one; both are audited), out, and
    # the password change. No e-mailed password reset: the platform sends no mail.
    "login": {"GET": EVERYONE, "POST": EVERYONE},
    "logout": {"GET": [(M, M)] * 8, "POST": EVERYONE},  # POST only (Django 5)
    "password_change": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "password_change_done": {"GET": SIGNED_IN},
    # The second step of a sign-in with two factors: without a first step, back to the login.
    "login-otp": {"GET": [(L, L)] * 8, "POST": [(L, L)] * 8},
    # One's own authenticator app: any signed-in user (a wrong code is a form error).
    "otp-setup": {"GET": SIGNED_IN, "POST": [(L, L), *[(V, V)] * 7]},
    # Locked accounts: system admins, and a provincial officer for their province's users
    # (own: a locked member of Thái Nguyên, other: one of Hà Nội).
    "locked-accounts": {
        "GET": [(L, L), (F, F), (OK, OK), (F, F), (OK, OK), (F, F), (F, F), (F, F)]
    },
    "unlock-account": {
        "GET": [(L, L), *[(M, M)] * 7],
        "POST": [(L, L), (F, F), (OK, OK), (F, F), (OK, N), (F, F), (F, F), (F, F)],
    },
    "set_language": {"GET": EVERYONE, "POST": EVERYONE},
    # The columns one chose for a list (core/lists.py): anyone, kept per user or per session.
    "list-columns": {"GET": [(M, M)] * 8, "POST": EVERYONE},
    # A citizen's own account (core/signup.py): anyone may open the page; only a visitor not
    # signed in may sign up (own and other: two citizens); the e-mailed link activates the
    # account and leads to the login page, whoever opens it.
    "signup": {"GET": EVERYONE, "POST": [(OK, OK), *[(F, F)] * 9]},
    "signup-confirm": {"GET": [(L, L)] * 10},
}


def _token_pk(w: Any, t: str) -> int:
    owner = w.users["provincial_officer" if t == "own" else "system_admin"]
    return ApiToken.objects.filter(user=owner).values_list("pk", flat=True)[0]


def _login(w: Any, t: str) -> Call:
    password = PASSWORD if t == "own" else "sai-mat-khau"
    body = {"username": w.users["member"].username, "password": password}
    return page("login", body=body)  # "login" or "login_failed" in the audit


def _locked(w: Any, t: str) -> int:
    """A locked member account of the target's province (made in the test's transaction)."""
    province = "19" if t == "own" else "01"
    user = User.objects.create(
        username=f"mx-bi-khoa-{province}",
        role=Role.MEMBER,
        province_id=province,
        locked_at=timezone.now(),
    )
    return user.pk


def _signup(w: Any, t: str) -> Call:
    from htxso.core.cccd import encode_cccd

    number = encode_cccd("19" if t == "own" else "01", "female", 1985, 7 if t == "own" else 8)
    body = {
        "cccd": number,
        "full_name": "Phạm Thị Công Dân",
        "birth_date": "12/06/1985",
        "phone": "0912345678",
        "email": f"congdan-{t}@example.vn",
        "password1": "Ruong-bac-thang-2026",
        "password2": "Ruong-bac-thang-2026",
    }
    return page("signup", body=body)


def _signup_confirm(w: Any, t: str) -> Call:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = User.objects.create_user(
        username=f"mx-cong-dan-{t}", role=Role.APPLICANT, is_active=False, password="x"
    )
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return page("signup-confirm", uid, default_token_generator.make_token(user))


ACCOUNT_CALLS: dict[tuple[str, str], Builder] = {
    ("signup", "GET"): lambda w, t: page("signup"),
    ("signup", "POST"): _signup,
    ("signup-confirm", "GET"): _signup_confirm,
    ("tokens", "GET"): lambda w, t: page("tokens"),
    ("tokens", "POST"): lambda w, t: page("tokens", body={"name": "Khóa thử phân quyền"}),
    ("token-revoke", "GET"): lambda w, t: page("token-revoke", _token_pk(w, t)),
    ("token-revoke", "POST"): lambda w, t: page("token-revoke", _token_pk(w, t), body={}),
    ("my-contact", "GET"): lambda w, t: page("my-contact"),
    ("my-contact", "POST"): lambda w, t: page(
        "my-contact", body={"phone": "0912345678", "email": "", "address": "Phường Phan Đình Phùng"}
    ),
    ("login", "GET"): lambda w, t: page("login"),
    ("login", "POST"): _login,
    ("logout", "GET"): lambda w, t: page("logout"),
    ("logout", "POST"): lambda w, t: page("logout", body={}, audited=False),
    ("password_change", "GET"): lambda w, t: page("password_change"),
    # An incomplete form: the access rule without changing (and hashing) a password.
    ("password_change", "POST"): lambda w, t: page(
        "password_change", body={"old_password": ""}, audited=False
    ),
    ("password_change_done", "GET"): lambda w, t: page("password_change_done"),
    ("login-otp", "GET"): lambda w, t: page("login-otp"),
    ("login-otp", "POST"): lambda w, t: page("login-otp", body={"code": "123456"}),
    ("otp-setup", "GET"): lambda w, t: page("otp-setup"),
    ("otp-setup", "POST"): lambda w, t: page("otp-setup", body={"code": "000000"}, audited=False),
    ("locked-accounts", "GET"): lambda w, t: page("locked-accounts"),
    ("unlock-account", "GET"): lambda w, t: page("unlock-account", _locked(w, t)),
    ("unlock-account", "POST"): lambda w, t: page("unlock-account", _locked(w, t), body={}),
    # Answers with a redirect back (form=True: a redirect that is not the login page is OK).
    ("set_language", "GET"): lambda w, t: Call(reverse("set_language"), form=True),
    ("set_language", "POST"): lambda w, t: page(
        "set_language", body={"language": "en" if t == "own" else "vi"}, audited=False
    ),
    ("list-columns", "GET"): lambda w, t: page("list-columns"),
    # A signed-in user's choice is audited, an anonymous visitor's (session) is not: the
    # audit of both is held by core/tests/test_lists.py.
    ("list-columns", "POST"): lambda w, t: page(
        "list-columns",
        body={"list": "registry.organisations", "columns": ["kind"], "next": "/registry/"},
        audited=False,
    ),
}
