"""Project-wide pytest fixtures.

The real administrative units (34 provinces, 3,321 communes, the legacy 63-province tree) are
loaded once into the test database; each test's transaction is rolled back on top of them.
Tests that use `transactional_db` flush the tables and must put the units back themselves:
`restore_units()` (htxso/core/tests/units_snapshot.py) writes the rows copied here.
"""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from htxso.core.tests.units_snapshot import take_units
    from htxso.core.units import load_units

    with django_db_blocker.unblock():
        load_units()
        take_units()


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Users are made by the thousand (the authorization matrix makes its own per cell), and
    the real password hash costs 0.4 s each: tests hash with MD5 first. PBKDF2 stays in the
    list so a hash made outside this fixture is still recognised."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def vietnamese_first():
    """Each test starts and ends in the site's own language. A request through the test client
    leaves the language its `LocaleMiddleware` chose active in the thread (a test that asks for
    English made a later test's Vietnamese message come out in English, depending on order)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
