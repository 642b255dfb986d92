"""Moved to `htxso.registry.services.identity` (the rules) and `services.people`
(`add_person_member`): one write path for people and memberships. Kept only so that
`from htxso.registry import identity` goes on working while other branches move to
`services.identity`; remove once nothing imports it."""

from .services.identity import (
    MISMATCH,
    TooManyMismatches,
    audit_mismatches,
    budget_left,
    check_facts,
    facts_match,
    mismatch_message,
    name_key,
    outside_residence_sql,
    outside_scope_sql,
    same_facts,
    too_many,
)
from .services.people import add_person_member

__all__ = [
    "MISMATCH",
    "TooManyMismatches",
    "add_person_member",
    "audit_mismatches",
    "budget_left",
    "check_facts",
    "facts_match",
    "mismatch_message",
    "name_key",
    "outside_residence_sql",
    "outside_scope_sql",
    "same_facts",
    "too_many",
]
