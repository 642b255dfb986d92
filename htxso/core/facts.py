"""Facts one domain app offers another through core (never a sideways import).

An app that owns a fact registers a provider from its `AppConfig.ready`; an app that needs it
asks here. Today: the approved yearly report of an organisation (reporting provides it, the
assessment's classification prefills its criteria from it). No provider: no facts (None).
"""

from collections.abc import Callable, Mapping
from typing import Any

# (organisation id, year) → the approved yearly report's values, or None.
YearlyReport = Callable[[int, int], Mapping[str, Any] | None]

_YEARLY_REPORT: list[YearlyReport] = []


def provide_yearly_report(provider: YearlyReport) -> None:
    """Register the one provider of approved yearly reports (a second registration replaces
    the first: `ready` may run twice in tests)."""
    _YEARLY_REPORT[:] = [provider]


def yearly_report(organisation_id: int, year: int) -> Mapping[str, Any] | None:
    """The values of the organisation's approved yearly report for `year`, if any."""
    if not _YEARLY_REPORT:
        return None
    return _YEARLY_REPORT[0](organisation_id, year)
