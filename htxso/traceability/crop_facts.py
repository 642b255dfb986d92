"""The production diary's crops as the crop calendar needs them (`core.facts.DiaryCrop`),
registered from `ready()` as the provider of `core.facts.diary_crops`; prices reads them
through core (never importing this app).

A user's crops are those of the organisations they keep (a manager's own) or belong to (the
person's current memberships, `registry.members.current_q`), among the crops the user may see
(`Crop.objects.visible_to`: a member sees the plots their cooperative made public). The crop
names its commodity in the price catalogue (`Crop.commodity`) or it has no calendar."""

from typing import Any

from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from htxso.core.facts import DiaryCrop
from htxso.registry.members import current_q
from htxso.registry.models import Membership

from .models import Crop, Treatment

LIMIT = 30  # crops shown on a home: a cooperative with more reads its diary


def _organisations(user: Any) -> set[int]:
    ids: set[int] = set()
    if getattr(user, "organisation_id", None):
        ids.add(int(user.organisation_id))
    if getattr(user, "person_id", None):
        ids.update(
            Membership.objects.filter(current_q(), person_id=user.person_id).values_list(
                "organisation_id", flat=True
            )
        )
    return ids


def diary_crops(user: Any) -> list[DiaryCrop]:
    """The user's crops (started by today), their last input and harvest."""
    if not getattr(user, "is_authenticated", False):
        return []
    organisations = _organisations(user)
    if not organisations:
        return []
    last_input = Treatment.objects.filter(crop=OuterRef("pk")).order_by("-applied_on", "-id")
    crops = (
        Crop.objects.visible_to(user)
        .filter(plot__organisation_id__in=organisations, started_on__lte=timezone.localdate())
        .select_related("plot")
        .annotate(
            input_on=Subquery(last_input.values("applied_on")[:1]),
            input_name=Subquery(last_input.values("product_name")[:1]),
            harvested=Max("harvests__harvested_on"),
        )
        .order_by("plot__name", "name", "id")[:LIMIT]
    )
    url = reverse("traceability:diary")
    return [
        DiaryCrop(
            commodity=crop.commodity,
            province_id=crop.plot.province_id,
            name=crop.name,
            plot=crop.plot.name,
            started_on=crop.started_on,
            last_input=(
                f"{crop.input_on:%d/%m/%Y}: {crop.input_name}" if crop.input_on else ""  # type: ignore[attr-defined]
            ),
            last_harvest=crop.harvested,  # type: ignore[attr-defined]
            url=url,
        )
        for crop in crops
    ]
