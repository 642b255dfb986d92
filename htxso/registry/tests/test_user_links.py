"""The link from a user to their organisation and person: plain ids in core, foreign keys owned
by the registry (registry/user_links.py) — and core's migrations never depend on the registry."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader

from htxso.core.models import User
from htxso.registry import user_links
from htxso.registry.models import Organisation, Person

from .factories import OrganisationFactory, PersonFactory


def test_core_migrations_do_not_depend_on_the_registry():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    for node in graph.leaf_nodes("core"):
        assert not [app for app, _name in graph.forwards_plan(node) if app == "registry"]


def _checked() -> None:
    """Deferred constraints (PostgreSQL) are checked now, inside the test's transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.django_db
@pytest.mark.parametrize("link", ["organisation_id", "person_id"])
def test_an_id_that_names_no_row_is_refused(link):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("lac-loi", **{link: 987_654_321})
        _checked()
    user = User.objects.create_user("dung")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(**{link: 987_654_321})
        _checked()


@pytest.mark.django_db
def test_deleting_the_row_empties_the_link():
    organisation, person = OrganisationFactory(province_id="19"), PersonFactory()
    user = User.objects.create_user(
        "lien-ket", organisation_id=organisation.pk, person_id=person.pk
    )
    _checked()
    Organisation.objects.filter(pk=organisation.pk).delete()
    Person.objects.filter(pk=person.pk).delete()
    user.refresh_from_db()
    assert (user.organisation_id, user.person_id) == (None, None)


@pytest.mark.django_db
def test_sqlite_triggers_come_back_after_a_table_rebuild():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps its constraints through ALTER TABLE")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER core_user_organisation_id_insert")
    user_links.ensure_links()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("sau-khi-dung-lai", organisation_id=987_654_321)
