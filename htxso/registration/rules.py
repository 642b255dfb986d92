"""The registration rules as versioned data: `fixtures/rules.json` (per kind of organisation:
the deciding authority, the legal deadline in working days, the dossier's documents, the
founding members asked for, whether a tax code is issued), read once by `load()`. The
working-day calendar (weekends and the listed holidays, Tết included) is `core.workdays`, shared
with the other apps; the functions below keep their names for registration's callers. A new
decree is a new file version, never an `if`."""

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from htxso.core import workdays

RULES_FILE = Path(__file__).with_name("fixtures") / "rules.json"


@dataclass(frozen=True)
class Document:
    code: str
    label: str
    required: bool


@dataclass(frozen=True)
class KindRule:
    kind: str
    authority: str  # "commune" or "province": the level of the office that decides
    deadline_working_days: int
    founding_members: bool
    min_members: int
    issues_tax_code: bool
    code_prefix: str
    clock_after_correction: str  # "restart" (the full deadline again) or "resume"
    documents: tuple[Document, ...]

    def document(self, code: str) -> Document | None:
        return next((d for d in self.documents if d.code == code), None)


@dataclass(frozen=True)
class PurposeRule:
    """A change's or a dissolution's dossier (the kind's office and deadline hold)."""

    documents: tuple[Document, ...]
    founding_members: bool  # a change may admit members (listed as for a registration)
    min_members: int


@dataclass(frozen=True)
class Rules:
    version: str
    kinds: dict[str, KindRule]
    holidays: dict[dt.date, str]
    purposes: dict[str, PurposeRule] = dataclasses.field(default_factory=dict)

    def for_kind(self, kind: str, purpose: str = "register") -> KindRule:
        """The rule of `kind` for an application of `purpose` (a change or a dissolution asks
        its own dossier; the office, the deadline and the clock are the kind's)."""
        rule = self.kinds[kind]
        other = self.purposes.get(purpose)
        if other is None:
            return rule
        return dataclasses.replace(
            rule,
            documents=other.documents,
            founding_members=other.founding_members,
            min_members=other.min_members,
        )


def parse(data: dict[str, Any]) -> Rules:
    kinds = {
        kind: KindRule(
            kind=kind,
            authority=rule["authority"],
            deadline_working_days=int(rule["deadline_working_days"]),
            founding_members=bool(rule["founding_members"]),
            min_members=int(rule["min_members"]),
            issues_tax_code=bool(rule["issues_tax_code"]),
            code_prefix=rule.get("code_prefix", ""),
            clock_after_correction=rule.get("clock_after_correction", "restart"),
            documents=tuple(
                Document(d["code"], d["label"], bool(d["required"])) for d in rule["documents"]
            ),
        )
        for kind, rule in data["kinds"].items()
    }
    listed = data.get("holidays")  # a rules file may still list its own; else the calendar's
    holidays = (
        {dt.date.fromisoformat(h["date"]): h["name"] for h in listed}
        if listed is not None
        else workdays.holidays()
    )
    purposes = {
        purpose: PurposeRule(
            documents=tuple(
                Document(d["code"], d["label"], bool(d["required"])) for d in rule["documents"]
            ),
            founding_members=bool(rule["founding_members"]),
            min_members=int(rule["min_members"]),
        )
        for purpose, rule in data.get("purposes", {}).items()
    }
    return Rules(version=str(data["version"]), kinds=kinds, holidays=holidays, purposes=purposes)


@cache
def load(path: Path = RULES_FILE) -> Rules:
    """The rules in force (read once per process)."""
    return parse(json.loads(path.read_text(encoding="utf-8")))


def is_working_day(day: dt.date, rules: Rules | None = None) -> bool:
    return workdays.is_working_day(day, (rules or load()).holidays)


def add_working_days(start: dt.date, days: int, rules: Rules | None = None) -> dt.date:
    """The date `days` working days after `start` (a case received on `start` counts from the
    next working day); `days` 0 is `start` itself."""
    return workdays.add_working_days(start, days, (rules or load()).holidays)


def working_days_between(start: dt.date, end: dt.date, rules: Rules | None = None) -> int:
    """Working days after `start` up to and including `end` (0 when `end` ≤ `start`)."""
    return workdays.working_days_between(start, end, (rules or load()).holidays)
