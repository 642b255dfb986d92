"""Member counts after a national member import (`registry.writes.member_counts`): counted in
one pass over the memberships, only the counts that change written; when many organisations
change, their indexes are dropped and built again around the update — if the table is free."""

from typing import Any

import pytest
from django.db import connection

from htxso.exchange import importers
from htxso.exchange.layouts import MEMBER_LAYOUT
from htxso.exchange.tests.test_importers import csv_bytes, make_job, member, table
from htxso.registry.models import Organisation
from htxso.registry.tests.factories import OrganisationFactory
from htxso.registry.writes import member_counts

pytestmark = [pytest.mark.usefixtures("media"), pytest.mark.django_db]
POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def rebuilds(monkeypatch) -> list[tuple[str, bool]]:
    """The tables whose indexes the counts asked to rebuild, and whether they were."""
    asked: list[tuple[str, bool]] = []
    real = member_counts.bulk_writes.indexes_rebuilt_if_free

    def spy(name: str) -> Any:
        class Spy:
            def __enter__(self) -> bool:
                self.inner = real(name)
                rebuilding = self.inner.__enter__()
                asked.append((name, rebuilding))
                return rebuilding

            def __exit__(self, *exc: Any) -> Any:
                return self.inner.__exit__(*exc)

        return Spy()

    monkeypatch.setattr(member_counts.bulk_writes, "indexes_rebuilt_if_free", spy)
    monkeypatch.setattr(member_counts, "REBUILD_MIN", 1)
    return asked


def org_indexes() -> list[tuple[str, str]]:
    if not POSTGRES:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'registry_organisation' ORDER BY 1"
        )
        return cursor.fetchall()


def row_version(pk: int) -> Any:
    if not POSTGRES:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM registry_organisation WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def national_import(officer: Any, settings: Any, rows: list[dict]) -> None:
    settings.IMPORT_REBUILD_ROWS = len(rows)  # a national load, at this file's scale
    data = csv_bytes(table(MEMBER_LAYOUT, rows))
    report = importers.run(make_job("members", data, officer, "create"), commit=True)
    assert not report.has_errors


def counts(*orgs: Organisation) -> list[int]:
    return [Organisation.objects.get(pk=o.pk).members_count for o in orgs]


def test_many_changed_counts_update_with_the_indexes_rebuilt(officer_19, settings, rebuilds):
    org, quiet = OrganisationFactory(), OrganisationFactory()
    before, version = org_indexes(), row_version(quiet.pk)
    rows = [member(org), member(org), member(org, left_on="31/12/2022")]
    rows.append(member(quiet, left_on="31/12/2022"))  # in the file, its count stays 0
    national_import(officer_19, settings, rows)
    assert counts(org, quiet) == [2, 0]
    assert rebuilds == [("registry_organisation", POSTGRES)]  # 1 of 2 changed
    assert org_indexes() == before  # the same indexes, built again
    assert row_version(quiet.pk) == version  # an unchanged count is not written


def test_few_changed_counts_update_through_the_indexes(officer_19, settings, rebuilds):
    org = OrganisationFactory()
    OrganisationFactory.create_batch(4)  # 1 of 5 changed: under a quarter
    national_import(officer_19, settings, [member(org), member(org)])
    assert counts(org) == [2]
    assert rebuilds == []


def test_the_minimum_of_changed_organisations(officer_19, settings, rebuilds, monkeypatch):
    monkeypatch.setattr(member_counts, "REBUILD_MIN", 2)
    org = OrganisationFactory()
    national_import(officer_19, settings, [member(org), member(org)])
    assert counts(org) == [2]
    assert rebuilds == []


def test_a_smaller_import_counts_as_before(officer_19, settings, rebuilds):
    org = OrganisationFactory()
    data = csv_bytes(table(MEMBER_LAYOUT, [member(org), member(org, left_on="31/12/2022")]))
    importers.run(make_job("members", data, officer_19, "create"), commit=True)
    assert counts(org) == [1]
    assert rebuilds == []
