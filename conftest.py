"""Project-wide pytest fixtures.

The real administrative units (34 provinces, 3,321 communes, the legacy 63-province tree) are
loaded once into the test database; each test's transaction is rolled back on top of them.
Tests that use `transactional_db` flush the tables and must call `load_units()` themselves.
"""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from htxso.core.units import load_units

    with django_db_blocker.unblock():
        load_units()
