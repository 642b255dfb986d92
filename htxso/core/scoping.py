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

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar, cast

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q

from .access_table import (  # noqa: F401  (re-exported: apps import them from here)
    ALL,
    EVERYONE,
    ORGANISATION,
    OWN,
    PERSON,
    PROVINCE,
    PUBLISHED,
    TABLE,
    Action,
    Kind,
    Reach,
    Reaches,
    Rule,
)
from .roles import Role

QS = TypeVar("QS", bound=models.QuerySet)


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


@dataclass(frozen=True)
class Held:
    """The designations a user holds: functions (Reach.SECRETARIAT, Reach.COMMITTEE) and the
    ids of the units (agencies) they are focal point of (Reach.FOCAL_POINT)."""

    functions: frozenset[str] = frozenset()
    units: frozenset[int] = frozenset()


DESIGNATED = (Reach.SECRETARIAT, Reach.COMMITTEE, Reach.FOCAL_POINT)
# The app that keeps designations provides a function of a user id giving what they hold (the
# tasks app: its `Designation` rows in force). Cached on the user object for the request;
# `designations_changed` (called by the services that write them) makes every cache stale.
_provider: list[Callable[[int], Held]] = []
_generation = [0]


def provide_designations(held: Callable[[int], Held]) -> None:
    _provider[:] = [held]


def designations_changed() -> None:
    _generation[0] += 1


def designations_of(user: Any) -> Held:
    """What `user` holds (nothing for the anonymous, or when no app provides designations)."""
    pk = getattr(user, "pk", None)
    if not pk or not _provider:
        return Held()
    cached = getattr(user, "_designations", None)
    if cached is not None and cached[0] == _generation[0]:
        return cast(Held, cached[1])
    held = _provider[0](pk)
    with contextlib.suppress(AttributeError):  # a user object that takes no attributes
        user._designations = (_generation[0], held)
    return held


def _holds_designation(held: Held, one: Reach) -> bool:
    return bool(held.units) if one == Reach.FOCAL_POINT else one.value in held.functions


def reach(user: Any, action: str, kind: Kind) -> Reaches:
    """How far `user` reaches into `kind` for `action` (empty: not at all). A designation's
    reach counts only for a user who holds it."""
    found = TABLE[kind].get(Action(action), {}).get(role_of(user), ())
    if any(one in DESIGNATED for one in found):
        held = designations_of(user)
        found = tuple(o for o in found if o not in DESIGNATED or _holds_designation(held, o))
    return found


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
    # Reach.STAFF: the path to the row's organisation id and a function of a user id giving
    # the ids of the organisations that user was invited to work for (a flat values_list).
    staff: tuple[str, Callable[[int], Any]] | None = None
    focal: str | tuple[str, ...] = ()  # the path to the row's agency id (Reach.FOCAL_POINT)
    conditions: Mapping[Action, Q] = field(default_factory=dict)
    published: Callable[[], Q] | None = None

    def _terms(self, user: Any, one: Reach) -> list[tuple[Q, tuple[str, ...]]]:
        """(condition, paths used) for one reach; [] when it reaches no row."""

        def match(paths: tuple[str, ...], value: Any) -> list[tuple[Q, tuple[str, ...]]]:
            if not value:
                return []
            return [(Q(**{path: value}), (path,)) for path in paths]

        if one in (Reach.ALL, Reach.SECRETARIAT, Reach.COMMITTEE):
            return [(Q(), ())]  # a designation's reach is kept only for who holds it (`reach`)
        if one == Reach.FOCAL_POINT:
            units = sorted(designations_of(user).units)
            return [(Q(**{f"{path}__in": units}), (path,)) for path in _paths(self.focal)]
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
        if one == Reach.STAFF:
            if self.staff is None or not getattr(user, "pk", None):
                return []
            path, organisations = self.staff
            return [(Q(**{f"{path}__in": organisations(user.pk)}), (path,))]
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
        if Reach.ALL in reaches or any(not term for term, _used in terms):
            return queryset.all()  # an empty term (e.g. "every row is published") is all rows
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
        if path.endswith("__in") and "__" not in path.removesuffix("__in"):
            if _value(obj, path.removesuffix("__in")) not in list(expected):
                return False
            continue
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
