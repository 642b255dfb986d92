"""`htxso demo_prices` (a step of `make demo`): the World Bank series, the demo member's reports
in Đắk Lắk, their alert and the featured forecasts; run twice, it changes nothing."""

import io

import pytest
from django.core.management import call_command

from htxso.core.roles import Role
from htxso.prices.models import Forecast, Observation, Series, Subscription
from htxso.registry.tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_demo_prices_shows_the_app_alive():
    make_user("thanhvien", Role.MEMBER)
    call_command("demo_prices", stdout=io.StringIO())
    assert Series.objects.filter(source_code="COFFEE_ROBUS").exists()
    reported = Series.objects.get(province_id="66")
    assert reported.observations.count() == 48
    assert Subscription.objects.filter(user__username="thanhvien").count() == 1
    assert Forecast.objects.filter(series__source_code="COFFEE_ROBUS").exists()
    assert not Forecast.objects.filter(series=reported).exists()  # 12 months: too short yet
    count = Observation.objects.count()
    call_command("demo_prices", stdout=io.StringIO())
    assert Observation.objects.count() == count
