"""The organisations' classification (xếp loại) as decided elsewhere: the assessment app's
approved rounds write it here, the registry's one write path, so the statistics follow by the
registry's own figures: by the organisations' deltas for a decision of a few (one
cooperative's approval), by re-counting the provinces for a round of thousands."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from htxso.core.audit import record_many

from .. import aggregates
from ..choices import Classification
from ..models import Organisation

# Up to this many changed organisations the figures move by their deltas; more, by provinces.
DELTAS_UP_TO = 1000


@transaction.atomic
@aggregates.keeping
def set_classifications(actor: Any, grades: Mapping[int, str]) -> int:
    """Set the classification of many organisations ({organisation id: grade code or ""}),
    set-wise: one UPDATE per grade, one audit entry per changed organisation, the figures
    moved once (`DELTAS_UP_TO`). The caller has checked who may decide the grades (a
    province's approval of its round). Returns the number of organisations changed."""
    allowed = {c.value for c in Classification} | {""}
    unknown = set(grades.values()) - allowed
    if unknown:
        raise ValueError(f"unknown classification {sorted(unknown)}")
    current = {
        pk: (province, old)
        for pk, province, old in Organisation.objects.select_for_update()
        .filter(pk__in=list(grades))
        .order_by("pk")
        .values_list("pk", "province_id", "classification")
    }
    changed = {
        pk: grade for pk, grade in grades.items() if pk in current and current[pk][1] != grade
    }
    by_deltas = len(changed) <= DELTAS_UP_TO
    if by_deltas:
        aggregates.touch(sorted(changed))  # the rows are locked above
    by_grade: dict[str, list[int]] = {}
    for pk, grade in changed.items():
        by_grade.setdefault(grade, []).append(pk)
    for grade, pks in by_grade.items():
        for start in range(0, len(pks), 5000):
            Organisation.objects.filter(pk__in=pks[start : start + 5000]).update(
                classification=grade
            )
    record_many(
        actor,
        "update",
        Organisation._meta.label_lower,
        (
            (pk, f"#{pk}", {"classification": current[pk][1]}, {"classification": grade})
            for pk, grade in sorted(changed.items())
        ),
    )
    if changed and not by_deltas:
        aggregates.refresh({current[pk][0] for pk in changed})
    return len(changed)
