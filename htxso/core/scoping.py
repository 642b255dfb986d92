"""Who may do what to which rows: declared once.

A model says how it is scoped — a `Scope` naming the kind of data it holds and the fields (or
related paths) that give its province, its organisation, its person or its owner:

    class Membership(models.Model):
        scope = Scope(Kind.PERSONAL, province="province_id", organisation="organisation_id",
                      person="person_id")
        objects = MembershipQuerySet.as_manager()   # a ScopedQuerySet

`TABLE` says, for each kind of data and each action, how far each role reaches (`Reach`): every
row, its province's, its organisation's, its own person's, the rows it created, the published
ones, or none. `visible_to`, `editable_by`, `reviewable_by` (query sets) and `may` (one object,
a model, a kind or the role itself) are derived from the two, so pages, the API, exports,
imports and services ask one question the same way.

This is the lowest layer: it knows roles and Django, never a domain app.
"""

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar, cast

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q

from .roles import Role


class Kind(enum.StrEnum):
    """What kind of data a model holds (the rows of `TABLE`)."""

    REGISTRY = "registry"  # published registry fields of organisations, their status history
    PERSONAL = "personal"  # people, memberships and what is derived from them row by row
    REPORT = "report"  # periodic reports: business figures of an organisation or a province
    STATISTICS = "statistics"  # the indicator cube, releases
    AUDIT = "audit"  # the audit log (who changed or looked at what)
    JOB = "job"  # background jobs (imports) and what they keep
    ACCOUNTS = "accounts"  # user accounts (the admin site, lifting login locks)
    CATALOGUE = "catalogue"  # national word lists that shape how files are read (synonyms)
    APPLICATION = "application"  # registration applications, their dossier files and members
    TASK = "task"  # steering-committee directives, tasks, progress reports, reminders
    LISTING = "listing"  # the marketplace's products (sellers are active registry organisations)
    ORDER = "order"  # the marketplace's orders: the buyer's, the seller's, the province's oversight
    PRICES = "prices"  # market prices: commodities, series, observations, forecasts, calendars
    ALERT = "alert"  # a user's own subscriptions to price alerts and the notices they got
    TRACE = "trace"  # traceability: products, production diaries, EPCIS events
    CLASSIFICATION = "classification"  # yearly classification (self-scores, review, grade)
    ADVICE = "advice"  # digital-maturity assessments, advice plans, visits, adviser assignments


class Action(enum.StrEnum):
    VIEW = "view"
    EDIT = "edit"
    CREATE = "create"
    REVIEW = "review"  # approve or return what others filled in
    REVEAL = "reveal"  # see personal data unmasked (logged)
    EXPORT = "export"
    IMPORT = "import"
    RELEASE = "release"  # publish figures, change national forms


class Reach(enum.StrEnum):
    """How far a role reaches into a kind of data for one action."""

    ALL = "all"
    PROVINCE = "province"  # rows of the user's province
    COMMUNE = "commune"  # rows of the user's commune
    ORGANISATION = "organisation"  # rows of the user's organisation
    PERSON = "person"  # rows about the user as a person
    OWN = "own"  # rows the user created
    SUMMARIES = "summaries"  # rows about a whole province (no organisation)
    PROVINCE_ORGANISATIONS = "province_organisations"  # the province's rows about organisations
    PUBLISHED = "published"  # what the model declares published (e.g. released periods)
    ADVISED = "advised"  # rows of the organisations the user is assigned to advise


A = Role.SYSTEM_ADMIN
C = Role.CENTRAL_OFFICER
P = Role.PROVINCIAL_OFFICER
V = Role.ALLIANCE_ADVISER
M = Role.COOPERATIVE_MANAGER
E = Role.MEMBER
U = Role.PUBLIC
R = Role.APPLICANT
B = Role.BUYER
X = Role.COMMUNE_OFFICER  # (xã)

EVERYONE = (A, C, P, V, M, E, U, R, B, X)
Reaches = tuple[Reach, ...]
QS = TypeVar("QS", bound=models.QuerySet)
Rule = Mapping[Role, Reaches]


def _every(*reach: Reach) -> Rule:
    return dict.fromkeys(EVERYONE, reach)


ALL = (Reach.ALL,)
PROVINCE = (Reach.PROVINCE,)
ORGANISATION = (Reach.ORGANISATION,)
PERSON = (Reach.PERSON,)
OWN = (Reach.OWN,)
PUBLISHED = (Reach.PUBLISHED,)

# The roles table of DESIGN.md as it is built today (a role absent from a rule reaches nothing).
# Where today's behaviour is narrower than DESIGN.md, today's is kept:
# - alliance advisers see what the public sees, and the assessments of the organisations they
#   are assigned to (`Reach.ADVISED`: the assessment app's AdviserAssignment rows);
# - members see their own person and memberships, and change nothing here (contact details
#   are the cooperative's to keep);
# - central officers see personal data but do not reveal it (their work is the provinces');
# - a provincial officer sees their province's figures live, and released ones elsewhere.
TABLE: Mapping[Kind, Mapping[Action, Rule]] = {
    Kind.REGISTRY: {
        Action.VIEW: _every(Reach.ALL),  # the published registry
        Action.EXPORT: _every(Reach.ALL),
        Action.EDIT: {A: ALL, P: PROVINCE, M: ORGANISATION},
        Action.CREATE: {A: ALL, P: PROVINCE},
        Action.IMPORT: {A: ALL, P: PROVINCE, M: ORGANISATION},
    },
    Kind.PERSONAL: {
        Action.VIEW: {A: ALL, C: ALL, P: PROVINCE, M: ORGANISATION, E: PERSON},
        Action.EXPORT: {A: ALL, C: ALL, P: PROVINCE, M: ORGANISATION, E: PERSON},
        Action.EDIT: {A: ALL, P: PROVINCE, M: ORGANISATION},
        Action.REVEAL: {A: ALL, P: PROVINCE, M: ORGANISATION, E: PERSON},
        Action.IMPORT: {A: ALL, P: PROVINCE, M: ORGANISATION},
    },
    Kind.REPORT: {
        Action.VIEW: {A: ALL, C: ALL, P: PROVINCE, M: ORGANISATION},
        Action.EDIT: {A: ALL, P: PROVINCE, M: ORGANISATION},
        # A province reviews its organisations' reports; central officers the provinces'.
        Action.REVIEW: {
            A: ALL,
            C: (Reach.SUMMARIES,),
            P: (Reach.PROVINCE_ORGANISATIONS,),
        },
        Action.IMPORT: {A: ALL, P: PROVINCE, M: ORGANISATION},
    },
    Kind.STATISTICS: {
        # Live figures for national roles and a province's own officer; released ones (small
        # cells suppressed) for everyone else (the model declares what is published).
        Action.VIEW: {**_every(Reach.PUBLISHED), A: ALL, C: ALL, P: (Reach.PROVINCE,)},
        Action.EXPORT: {**_every(Reach.PUBLISHED), A: ALL, C: ALL, P: (Reach.PROVINCE,)},
        Action.RELEASE: {A: ALL, C: ALL},
    },
    Kind.AUDIT: {
        # The trail of an object follows the object's own audit scope (Scope on its model).
        # Everyone signed in sees who looked them up (their person).
        Action.VIEW: {
            **_every(Reach.PERSON),
            A: ALL,
            C: ALL,
            P: (Reach.PROVINCE, Reach.PERSON),
            M: (Reach.ORGANISATION, Reach.PERSON),
        },
    },
    Kind.JOB: {
        Action.VIEW: {**_every(Reach.OWN), A: ALL},
        Action.EDIT: _every(Reach.OWN),
    },
    Kind.ACCOUNTS: {
        # A provincial officer lifts the login locks of their province's users below them
        # (`core/lockout.py` says who is below); the system admin manages every account.
        Action.EDIT: {A: ALL, P: PROVINCE},
    },
    Kind.CATALOGUE: {
        # The import synonyms: national, kept by central officers; provinces read them.
        Action.VIEW: {A: ALL, C: ALL, P: ALL},
        Action.EDIT: {A: ALL, C: ALL},
    },
    Kind.APPLICATION: {
        # A founder their own applications (edited while a draft or returned for corrections:
        # the model's conditions); the office the rules name decides: a commune's officer the
        # cases of the kinds its commune registers (the model's `office_commune`), the
        # province's officer every case of the province (unions only there); national roles
        # follow every one.
        Action.VIEW: {A: ALL, C: ALL, P: PROVINCE, R: OWN, X: (Reach.COMMUNE,)},
        Action.CREATE: {R: OWN},
        Action.EDIT: {R: OWN},
        Action.REVIEW: {A: ALL, P: PROVINCE, X: (Reach.COMMUNE,)},
    },
    Kind.TASK: {
        # The steering committee's follow-up (tasks/). Central officers are the committee and
        # its secretariat: they read every task, write directives and tasks, and accept or
        # return progress reports. A province's officer is its focal point (its province's
        # tasks); a ministry's focal points are central officers named on the agency (OWN:
        # the model's `owner` path). Published directives (aggregate progress) are public.
        Action.VIEW: {
            **_every(Reach.PUBLISHED),
            A: ALL,
            C: ALL,
            P: (Reach.PROVINCE, Reach.PUBLISHED),
        },
        Action.EDIT: {A: ALL, C: OWN, P: PROVINCE},
        Action.CREATE: {A: ALL, C: ALL},
        Action.REVIEW: {A: ALL, C: ALL},
        Action.EXPORT: {A: ALL, C: ALL, P: PROVINCE},
    },
    Kind.LISTING: {
        # The catalogue is public (the model keeps only active sellers' products in view); a
        # cooperative's manager keeps its own products.
        Action.VIEW: _every(Reach.ALL),
        Action.CREATE: {A: ALL, M: ORGANISATION},
        Action.EDIT: {A: ALL, M: ORGANISATION},
    },
    Kind.ORDER: {
        # A buyer sees and cancels their own orders; the seller's staff see theirs and move
        # them on (REVIEW); a province's officer follows its sellers' orders, read-only.
        # Any signed-in person may buy (a cooperative buys from another: B2B).
        Action.VIEW: {
            A: ALL,
            C: ALL,
            P: PROVINCE,
            M: (Reach.ORGANISATION, Reach.OWN),
            **{role: OWN for role in (V, E, U, R, B, X)},
        },
        Action.CREATE: {role: OWN for role in (M, V, E, U, R, B, X)},
        Action.EDIT: {role: OWN for role in (M, V, E, U, R, B, X)},
        Action.REVIEW: {A: ALL, M: ORGANISATION},
        Action.EXPORT: {A: ALL, C: ALL, P: PROVINCE, M: ORGANISATION},
    },
    Kind.PRICES: {
        # Market information is public. Members, managers and officers report prices (a
        # provincial officer in their own province); officers load files; the system the rest.
        Action.VIEW: _every(Reach.ALL),
        Action.EXPORT: _every(Reach.ALL),
        Action.CREATE: {A: ALL, C: ALL, P: PROVINCE, M: ALL, E: ALL},
        Action.EDIT: {A: ALL, C: ALL, P: PROVINCE},
        # No IMPORT here yet: price files do not go through the exchange pipeline (issue #22),
        # and `may(user, "import")` over every kind decides who sees the import pages.
    },
    Kind.ALERT: {
        # Every signed-in user (not the public, not an applicant) keeps their own alerts.
        Action.VIEW: {A: OWN, C: OWN, P: OWN, V: OWN, M: OWN, E: OWN},
        Action.CREATE: {A: OWN, C: OWN, P: OWN, V: OWN, M: OWN, E: OWN},
        Action.EDIT: {A: OWN, C: OWN, P: OWN, V: OWN, M: OWN, E: OWN},
    },
    Kind.TRACE: {
        # A cooperative keeps its own diary and records its own events; national roles and the
        # province's officer follow them; everyone else (the shopper scanning a package) sees
        # only what the cooperative marked public (the model's `published`). A recall crosses
        # provinces and organisations (a lot does not stop at a border): inspectors export it.
        Action.VIEW: {
            **_every(Reach.PUBLISHED),
            A: ALL,
            C: ALL,
            P: (Reach.PROVINCE, Reach.PUBLISHED),
            M: (Reach.ORGANISATION, Reach.PUBLISHED),
        },
        Action.CREATE: {A: ALL, M: ORGANISATION},
        Action.EDIT: {A: ALL, M: ORGANISATION},
        Action.EXPORT: {A: ALL, C: ALL, P: ALL},
    },
    Kind.CLASSIFICATION: {
        # The manager self-scores their cooperative; the province reviews (adjusts, approves,
        # returns); an adviser follows the organisations assigned to them; national roles all.
        Action.VIEW: {A: ALL, C: ALL, P: PROVINCE, V: (Reach.ADVISED,), M: ORGANISATION},
        Action.EDIT: {A: ALL, M: ORGANISATION},
        Action.REVIEW: {A: ALL, P: PROVINCE},
    },
    Kind.ADVICE: {
        # The adviser assigned to an organisation and its manager fill the questionnaire and
        # keep the plan; the province assigns advisers (CREATE) and follows; national roles all.
        Action.VIEW: {A: ALL, C: ALL, P: PROVINCE, V: (Reach.ADVISED,), M: ORGANISATION},
        Action.EDIT: {A: ALL, V: (Reach.ADVISED,), M: ORGANISATION},
        Action.CREATE: {A: ALL, P: PROVINCE},
    },
}


def role_of(user: Any) -> Role:
    """The role the table reads for `user`: public for anyone not signed in or not active, the
    system administrator's for a superuser."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Role.PUBLIC
    if getattr(user, "is_superuser", False):
        return Role.SYSTEM_ADMIN
    try:
        return Role(user.role)
    except ValueError:
        return Role.PUBLIC


def reach(user: Any, action: str, kind: Kind) -> Reaches:
    """How far `user` reaches into `kind` for `action` (empty: not at all)."""
    return TABLE[kind].get(Action(action), {}).get(role_of(user), ())


def _paths(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else value


@dataclass(frozen=True)
class Scope:
    """How a model is scoped: its kind of data and the paths that give its province,
    organisation, person and owner (a related path like "organisation__province_id" works;
    several paths are alternatives). `conditions` narrow an action further (a report is
    edited only while open); `published` gives the rows `Reach.PUBLISHED` reaches."""

    kind: Kind
    province: str | tuple[str, ...] = ()
    commune: str | tuple[str, ...] = ()
    organisation: str | tuple[str, ...] = ()
    person: str | tuple[str, ...] = ()
    owner: str | tuple[str, ...] = ()
    advised: str | tuple[str, ...] = ()  # the path to the adviser's user id (Reach.ADVISED)
    conditions: Mapping[Action, Q] = field(default_factory=dict)
    published: Callable[[], Q] | None = None

    def _terms(self, user: Any, one: Reach) -> list[tuple[Q, tuple[str, ...]]]:
        """(condition, paths used) for one reach; [] when it reaches no row."""

        def match(paths: tuple[str, ...], value: Any) -> list[tuple[Q, tuple[str, ...]]]:
            if not value:
                return []
            return [(Q(**{path: value}), (path,)) for path in paths]

        if one == Reach.ALL:
            return [(Q(), ())]
        if one == Reach.PROVINCE:
            return match(_paths(self.province), getattr(user, "province_id", None))
        if one == Reach.COMMUNE:
            return match(_paths(self.commune), getattr(user, "commune_id", None))
        if one == Reach.ORGANISATION:
            return match(_paths(self.organisation), getattr(user, "organisation_id", None))
        if one == Reach.PERSON:
            return match(_paths(self.person), getattr(user, "person_id", None))
        if one == Reach.OWN:
            return match(_paths(self.owner), getattr(user, "pk", None))
        if one == Reach.ADVISED:
            return match(_paths(self.advised), getattr(user, "pk", None))
        organisation = _paths(self.organisation)[:1]
        if one == Reach.SUMMARIES and organisation:
            return [(Q(**{f"{organisation[0]}__isnull": True}), organisation)]
        if one == Reach.PROVINCE_ORGANISATIONS and organisation:
            return [
                (term & Q(**{f"{organisation[0]}__isnull": False}), (*used, *organisation))
                for term, used in match(_paths(self.province), getattr(user, "province_id", None))
            ]
        if one == Reach.PUBLISHED and self.published is not None:
            return [(self.published(), ())]
        return []

    def filter(self, queryset: QS, user: Any, action: str) -> QS:
        """The rows of `queryset` that `user` may `action`."""
        reaches = reach(user, action, self.kind)
        terms = [term for one in reaches for term in self._terms(user, one)]
        if not terms:
            return queryset.none()
        condition = self.conditions.get(Action(action))
        if condition is not None:
            queryset = queryset.filter(condition)
        if Reach.ALL in reaches:
            return queryset.all()
        combined = Q()
        for term, _used in terms:
            combined |= term
        queryset = queryset.filter(combined)
        model = queryset.model
        if any(_crosses_many(model, path) for _term, used in terms for path in used):
            queryset = queryset.distinct()
        return queryset

    def allows(self, user: Any, action: str, obj: models.Model) -> bool:
        """Whether `user` may `action` the object `obj`: in memory when its scope fields are its
        own columns, otherwise one query (an object not yet saved: its own columns only)."""
        reaches = reach(user, action, self.kind)
        condition = self.conditions.get(Action(action))
        if Reach.ALL in reaches and condition is None:
            return True
        terms = [term for one in reaches for term in self._terms(user, one)]
        if not terms:
            return False
        local = (
            condition is None
            and Reach.PUBLISHED not in reaches
            and all("__" not in path for _term, used in terms for path in used)
        )
        if local or obj.pk is None:
            return any(_holds(obj, term) for term, _used in terms)
        rows = type(obj)._default_manager.filter(pk=obj.pk)
        return self.filter(rows, user, action).exists()


def _holds(obj: models.Model, term: Q) -> bool:
    """A term built by `Scope._terms`, evaluated on an object's own columns (a related path
    cannot be read without the database: False)."""
    for child in term.children:
        if isinstance(child, Q):
            if not _holds(obj, child):
                return False
            continue
        path, expected = cast(tuple[str, Any], child)
        name = path.removesuffix("__isnull")
        if "__" in name:
            return False
        actual = _value(obj, name)
        if (actual is None) != expected if path.endswith("__isnull") else actual != expected:
            return False
    return True


def _value(obj: models.Model, name: str) -> Any:
    if name == "pk":
        return obj.pk
    try:
        return getattr(obj, getattr(obj._meta.get_field(name), "attname", name))
    except FieldDoesNotExist:
        return getattr(obj, name, None)


def _crosses_many(model: type[models.Model], path: str) -> bool:
    """Whether a lookup path goes through a to-many relation (rows then repeat)."""
    for name in path.split("__"):
        if name in ("pk", "isnull"):
            return False
        try:
            relation = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if relation.one_to_many or relation.many_to_many:
            return True
        related = relation.related_model
        if not isinstance(related, type):
            return False
        model = related
    return False


def scope_of(model: Any) -> Scope:
    scope = getattr(model, "scope", None)
    if not isinstance(scope, Scope):
        raise TypeError(f"{model!r} declares no Scope")
    return scope


def may(user: Any, action: str, obj: Any = None, *, scope: Scope | None = None) -> bool:
    """May `user` do `action`?

    - `obj` a model instance: on that object (its model's Scope, or `scope`);
    - `obj` a model class or a `Kind`: on some rows of that kind (the role reaches some);
    - `obj` None: on some kind of data at all (e.g. `may(user, "import")`).

    `user` None is the system (commands, generators): it may everything, as in the services.
    """
    if user is None:
        return True
    if isinstance(obj, models.Model):
        return (scope or scope_of(type(obj))).allows(user, action, obj)
    if isinstance(obj, Kind):
        return bool(reach(user, action, obj))
    if isinstance(obj, type):
        return bool(reach(user, action, (scope or scope_of(obj)).kind))
    return any(reach(user, action, kind) for kind in TABLE)


class ScopedQuerySet(models.QuerySet):
    """The query path of a scoped model: every list, page, export and API read starts here."""

    def scoped(self, user: Any, action: str) -> Self:
        return scope_of(self.model).filter(self, user, action)

    def visible_to(self, user: Any) -> Self:
        return self.scoped(user, Action.VIEW)

    def editable_by(self, user: Any) -> Self:
        return self.scoped(user, Action.EDIT)

    def reviewable_by(self, user: Any) -> Self:
        return self.scoped(user, Action.REVIEW)
