"""The registry's figures (RegistryAggregate) and the cube's running half-year, kept by deltas of
the organisations each write touches, equal a full recount after random writes through the
registry's services — refusals, rolled-back blocks, approvals and a province move included —
and a write no longer re-counts its province."""

import datetime as dt
import random
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from htxso.core.cccd import encode_cccd
from htxso.registry import aggregates
from htxso.registry import services as registry
from htxso.registry.choices import Classification, MemberKind, Sector, Status
from htxso.registry.models import Membership, Organisation, RegistryAggregate
from htxso.registry.tests.factories import (
    CooperativeGroupFactory,
    MembershipFactory,
    OrganisationFactory,
    UnionFactory,
)
from htxso.registry.writes import classification
from htxso.reporting import statistics

from .test_cube import assert_equals_a_full_recount, assert_nation_is_the_sum_of_provinces


class Rollback(Exception):
    pass


def aggregate_rows() -> set[tuple]:
    return set(
        RegistryAggregate.objects.values_list(
            "province_id", "kind", "status", "is_agricultural", "organisations", "members"
        )
    )


def assert_figures_equal_a_recount() -> None:
    by_deltas = aggregate_rows()
    aggregates.refresh(None)
    assert aggregate_rows() == by_deltas
    assert_equals_a_full_recount(statistics.running_period().code)
    assert_nation_is_the_sum_of_provinces()


def founders(rng: random.Random, n: int) -> list[registry.MemberFacts]:
    out = []
    for _ in range(n):
        year = rng.randint(1950, 2000)
        number = encode_cccd("19", rng.choice(["male", "female"]), year, rng.randint(0, 999_999))
        out.append(
            registry.MemberFacts(
                MemberKind.OFFICIAL,
                number,
                f"Người Thử {rng.randint(0, 10**6)}",
                dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
                rng.choice([0, 10**6]),
            )
        )
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_writes_equal_a_full_recount(reference, seed, monkeypatch):
    rng = random.Random(seed)
    today = dt.date.today()
    orgs = [OrganisationFactory(province_id=p) for p in ("19", "01", "19")]
    orgs += [UnionFactory(province_id="19"), CooperativeGroupFactory(province_id="01")]
    for step in range(40):
        org = Organisation.objects.get(pk=rng.choice(orgs).pk)
        action = rng.randrange(10)
        try:
            if action == 0:
                orgs.append(
                    OrganisationFactory(
                        province_id=rng.choice(["19", "01", "79"]),
                        sector=rng.choice([Sector.A, "C"]),
                        is_agricultural=rng.random() < 0.5,
                    )
                )
            elif action == 1:
                MembershipFactory(organisation=org)
            elif action == 2 and (m := org.memberships.filter(left_on=None).first()):
                registry.end_membership(None, m.pk, today)
            elif action == 3 and (m := org.memberships.first()):
                registry.delete_membership(None, m.pk)
            elif action == 4:
                registry.change_status(
                    None, org.pk, rng.choice([Status.SUSPENDED, Status.ACTIVE, Status.DISSOLVED]),
                    today,
                )  # fmt: skip
            elif action == 5:
                registry.update_organisation(
                    None, org.pk, org.version,
                    province_id=rng.choice(["19", "01", "79"]), commune_id=None,
                    classification=rng.choice([Classification.GOOD, Classification.WEAK]),
                )  # fmt: skip
            elif action == 6:
                registry.add_person_members(None, org.pk, today, founders(rng, rng.randint(1, 6)))
            elif action == 7:  # a block that fails after its writes leaves no figure behind
                with pytest.raises(Rollback), transaction.atomic(), aggregates.deferred():
                    MembershipFactory(organisation=org)
                    OrganisationFactory(province_id="01")
                    raise Rollback
            elif action == 8 and org.kind != "cooperative_union":
                union = Organisation.objects.filter(kind="cooperative_union").first()
                if union is not None and org.kind == "cooperative":
                    registry.add_membership(
                        None, union.pk, MemberKind.OFFICIAL, today, member_organisation=org
                    )
            elif action == 9:  # an assessment's approval: by deltas, or by provinces past the limit
                monkeypatch.setattr(classification, "DELTAS_UP_TO", rng.choice([1, 1000]))
                grades = {o.pk: rng.choice([Classification.GOOD, "", Classification.WEAK]) for o in
                          rng.sample(orgs, 2)}  # fmt: skip
                registry.set_classifications(None, grades)
        except ValidationError:
            pass  # a refused write (a household's members, a dissolved one's status…)
        if step % 10 == 9:
            assert_figures_equal_a_recount()
    assert_figures_equal_a_recount()


def test_a_write_does_not_recount_its_province(reference):
    """The province's other organisations are not read again: the write's queries name its
    organisation, and their number does not grow with the province's size."""
    org = OrganisationFactory(province_id="19")

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            MembershipFactory(organisation=org)
        return [q["sql"] for q in captured.captured_queries]

    def recount() -> list[str]:  # what a write did before (the check's own check)
        with CaptureQueriesContext(connection) as captured:
            aggregates.refresh(["19"])
        return [q["sql"] for q in captured.captured_queries]

    few = queries()
    for _ in range(20):
        OrganisationFactory(province_id="19")
    many = queries()
    assert len(many) == len(few)
    by_province = re.compile(r'province_id"? IN \(')
    assert not any("GROUP BY" in sql and by_province.search(sql) for sql in many)
    assert any("GROUP BY" in sql and by_province.search(sql) for sql in recount())
    assert_figures_equal_a_recount()


def test_an_approval_like_block_counts_its_new_organisation_once(reference):
    with transaction.atomic(), aggregates.deferred():
        org = OrganisationFactory(province_id="19")
        registry.add_person_members(None, org.pk, dt.date.today(), founders(random.Random(5), 5))
    assert Membership.objects.filter(organisation=org).count() == 5
    row = RegistryAggregate.objects.get(province_id="19", kind="cooperative", status="active")
    assert (row.organisations, row.members) == (1, 5)
    assert_figures_equal_a_recount()
