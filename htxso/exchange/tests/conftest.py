"""Fixtures of the exchange tests: the registry's users by role, uploaded files in a temporary
MEDIA_ROOT, jobs run in the test's own thread and their progress kept in memory."""

import pytest

from htxso.registry.tests.conftest import *  # noqa: F403


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a temporary directory; jobs run inline; progress stays in memory."""
    settings.MEDIA_ROOT = tmp_path
    settings.JOBS_BACKEND = "inline"
    settings.CACHES = {
        **settings.CACHES,
        "jobs": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "jobs"},
    }
    return tmp_path


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Users are made per test; the real password hash costs 0.4 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
