import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from htxso.core.models import User
from htxso.core.roles import Role
from htxso.registry.tests.conftest import make_user


@pytest.fixture(autouse=True)
def _restore_language():
    """LocaleMiddleware activates a request's language in the test's thread (English for the
    English pages): don't leak it into the next test."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def fast_and_clean(settings):
    """A fast hasher (each sign-in attempt hashes), and no throttling counters left over."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def officer(db) -> User:
    return make_user("can-bo-19", Role.PROVINCIAL_OFFICER, "19")
