"""bench/harness.py recognises a registry built by the documented command (#24): a dataset
made with `htxso generate --scale … --seed N` is not generated again by a benchmark."""

import dataclasses
import io
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from htxso.core.audit import record
from htxso.core.models import AuditEntry
from htxso.registry.generator import SCALES
from htxso.registry.models import Membership, Organisation
from htxso.registry.tests.factories import OrganisationFactory

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
import harness

pytestmark = pytest.mark.django_db

SMALL = {"cooperatives": 8, "groups": 4, "unions": 1, "households": 2, "memberships": 60}
SMALL_SCALE = dataclasses.replace(SCALES["demo"], **SMALL)  # type: ignore[arg-type]


def _one_without_members() -> int:
    linked = set(Membership.objects.values_list("organisation_id", flat=True))
    linked |= set(Membership.objects.values_list("member_organisation_id", flat=True))
    pks = Organisation.objects.order_by("pk").values_list("pk", flat=True)
    return next(pk for pk in pks if pk not in linked)


def _generate(seed: int, *extra: str) -> None:
    counts = [f"--{name}={value}" for name, value in SMALL.items()]
    call_command(
        "generate", "--scale", "demo", "--seed", str(seed), *counts, *extra,
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip


def test_a_registry_made_by_the_generate_command_is_recognised():
    _generate(3)
    run = harness.recorded_run(SMALL_SCALE, 3)
    assert run is not None and run["organisations"] == Organisation.objects.count() == 15
    assert harness.recorded_run(SMALL_SCALE, 4) is None  # another seed
    assert harness.recorded_run("demo", 3) is None  # the named scale's counts differ
    assert harness.recorded_run(SMALL_SCALE, 3, province="19") is None


def test_a_later_run_or_a_changed_registry_is_not_the_recorded_one():
    _generate(3)
    _generate(5, "--replace")
    assert harness.recorded_run(SMALL_SCALE, 3) is None  # replaced by seed 5
    assert harness.recorded_run(SMALL_SCALE, 5) is not None
    OrganisationFactory()  # added since (as the apps' demo data do): still the same registry
    assert harness.recorded_run(SMALL_SCALE, 5) is not None
    Organisation.objects.filter(pk=_one_without_members()).delete()  # one the run wrote
    assert harness.recorded_run(SMALL_SCALE, 5) is None


def test_the_marker_of_an_older_harness_still_counts():
    _generate(7)
    entry = AuditEntry.objects.get(action="generate")
    entry.after = {k: v for k, v in entry.after.items() if k in ("organisations", "people")}
    entry.save()  # as the generator recorded runs before #24
    assert harness.recorded_run("demo", 7) is None  # nothing says which scale it was
    record(None, "generate", None, None, entry.after, about=("bench", "demo seed=7"),
           about_id="demo seed=7")  # fmt: skip
    assert harness.recorded_run("demo", 7) == entry.after
