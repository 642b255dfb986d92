import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _restore_language():
    """LocaleMiddleware activates a request's language in the test's thread (English for the
    English pages): don't leak it into the next test."""
    with translation.override(settings.LANGUAGE_CODE):
        yield
