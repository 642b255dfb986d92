"""What awaits a user: one inbox that every app fills.

Core knows no domain app. Each app registers a provider — a function of the user returning
its items — from its `AppConfig.ready` (`inbox.register(provider)`), as it registers its job
pipelines with `core.jobs.register`. An item is a count, never a list: a provincial officer's
queue of 1,300 submitted reports is one item "1.300 báo cáo chờ duyệt" with a link to the
filtered list. Providers answer with a few grouped counts over indexed columns (no query per
row): the home page (`core/home.py`) calls every provider on each visit.

The public (anyone not signed in, or an account with the public role) has no inbox.
"""

import datetime as dt
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .jobs import JobStatus
from .roles import Role
from .scoping import role_of


class Severity(enum.StrEnum):
    """How urgent an item is (its colour on the page; the inbox is sorted by it)."""

    DANGER = "danger"  # overdue, failed, returned: act now
    WARNING = "warning"  # to do, with a deadline
    INFO = "info"  # to follow
    SUCCESS = "success"  # finished, for the record


_ORDER = {Severity.DANGER: 0, Severity.WARNING: 1, Severity.INFO: 2, Severity.SUCCESS: 3}


class ItemKind(enum.StrEnum):
    """What the user is asked to do with an item."""

    TODO = "todo"  # fill in, submit, commit
    REVIEW = "review"  # approve or return what others submitted
    RETURNED = "returned"  # sent back to the user with a comment
    FOLLOW = "follow"  # others' work the user follows (who has not reported yet)
    DONE = "done"  # a job of the user's that finished
    FAILED = "failed"  # a job of the user's that failed


@dataclass(frozen=True)
class Item:
    """One line of the inbox. `title` is already in the reader's language."""

    title: str
    count: int
    url: str
    kind: ItemKind
    severity: Severity
    deadline: dt.date | None = None
    detail: str = ""
    source: str = ""  # the app that contributed it (an app label)

    def deadline_note(self, today: dt.date | None = None) -> str:
        """ "Hạn 15/01/2027 (còn 39 ngày)", "Quá hạn 12 ngày (hạn 20/07/2026)" or ""."""
        if self.deadline is None:
            return ""
        today = today or timezone.localdate()
        days = (self.deadline - today).days
        when = self.deadline.strftime("%d/%m/%Y")
        if days < 0:
            return _("Quá hạn %(days)s ngày (hạn %(date)s)") % {"days": -days, "date": when}
        if days == 0:
            return _("Hạn hôm nay (%(date)s)") % {"date": when}
        return _("Hạn %(date)s (còn %(days)s ngày)") % {"date": when, "days": days}

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and self.deadline < timezone.localdate()


Provider = Callable[[Any], Iterable[Item]]
_PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider, name: str | None = None) -> None:
    """Add an app's provider (called from its `AppConfig.ready`; registering a name again
    replaces the provider, so a reloaded app does not count twice)."""
    _PROVIDERS[name or f"{provider.__module__}.{provider.__qualname__}"] = provider


def providers() -> dict[str, Provider]:
    return dict(_PROVIDERS)


def _sort_key(item: Item) -> tuple:
    deadline = item.deadline or dt.date.max
    return (_ORDER[item.severity], deadline, item.title)


def items_for(user: Any) -> list[Item]:
    """Everything waiting for `user`, most urgent first (items counting nothing are dropped)."""
    if role_of(user) == Role.PUBLIC:
        return []
    items = [item for provider in _PROVIDERS.values() for item in provider(user)]
    return sorted((item for item in items if item.count > 0), key=_sort_key)


# --- jobs: what every importing app contributes the same way ----------------------------------

RECENT_JOB_DAYS = 7  # a finished or failed job stays in its owner's inbox this long


@dataclass(frozen=True)
class JobTitles:
    """The words of one app's jobs: "%(count)s lượt nhập … đã xong" and so on."""

    done: str
    failed: str
    valid: str  # checked, waiting for the owner to commit


def job_items(
    jobs: QuerySet,
    user: Any,
    titles: JobTitles,
    list_url: str,
    job_url: Callable[[int], str],
    source: str,
    now: dt.datetime | None = None,
) -> list[Item]:
    """The user's own jobs of one model that finished lately, as inbox items: one grouped
    count (the owner's index), a link to the job when there is one, to the list otherwise.

    `jobs` starts from the model's `visible_to(user)` (the one query path); the inbox keeps
    the user's own jobs even for a system administrator, who sees everyone's elsewhere."""
    since = (now or timezone.now()) - dt.timedelta(days=RECENT_JOB_DAYS)
    rows = (
        jobs.filter(created_by_id=getattr(user, "pk", None), finished_at__gte=since)
        .order_by()
        .values("status")
        .annotate(n=Count("id"), last=Max("id"))
    )
    by_status: dict[str, tuple[int, int]] = {r["status"]: (r["n"], r["last"]) for r in rows}

    def item(statuses: Iterable[str], title: str, kind: ItemKind, severity: Severity) -> Item:
        found = [by_status[s] for s in statuses if s in by_status]
        count = sum(n for n, _last in found)
        url = job_url(found[0][1]) if count == 1 else list_url
        shown = number_format(count, force_grouping=True)
        return Item(title % {"count": shown}, count, url, kind, severity, source=source)

    return [
        item(
            [JobStatus.FAILED, JobStatus.INVALID], titles.failed, ItemKind.FAILED, Severity.DANGER
        ),
        item([JobStatus.VALID], titles.valid, ItemKind.TODO, Severity.WARNING),
        item([JobStatus.DONE], titles.done, ItemKind.DONE, Severity.SUCCESS),
    ]
