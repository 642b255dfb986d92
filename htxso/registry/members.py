"""One definition of a current member (#16), read by every count of members.

A **current member** is an open membership — not ended (`left_on` empty; as at a past date:
joined by then and not yet left) — of an organisation that exists: not dissolved or bankrupt
(`CLOSED_STATUSES`). A dissolved HTX's memberships that nobody closed are history, not members:
the home page counted them (95.968) while the statistics did not (89.059).

`Organisation.members_count` holds the open memberships of the organisation (kept by the
services, whatever its status); these functions apply the rule on top of it:

- `keeps_members(status)`: whether an organisation of that status has current members — the
  registry's aggregates (home page, province page), the API's `members_count` and the
  statistics' registry measures (`reporting.measures`, live and as at a period's end) all ask it;
- `current_members(organisation)`: its current member count;
- `current_q(prefix)`: the same rule as a filter on memberships.
"""

from typing import Any

from django.db.models import Q

from .choices import CLOSED_STATUSES


def keeps_members(status: str) -> bool:
    """Whether an organisation of this status has current members (not dissolved, bankrupt)."""
    return status not in CLOSED_STATUSES


def current_members(organisation: Any) -> int:
    """The organisation's current members: its open memberships, none once it is closed."""
    return organisation.members_count if keeps_members(organisation.status) else 0


def current_q(prefix: str = "") -> Q:
    """Current memberships (`prefix` the path from the filtered model to the membership)."""
    return Q(**{f"{prefix}left_on__isnull": True}) & ~Q(
        **{f"{prefix}organisation__status__in": CLOSED_STATUSES}
    )
