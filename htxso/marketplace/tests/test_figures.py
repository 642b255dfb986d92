"""The marketplace's public figures in the statistics cube (issue #20, item 6): listings and
sales by province and sector reach reporting through `core.facts` (no import of reporting)
and are published when the half-year is released, like the other indicators."""

import datetime as dt

import pytest
from django.utils import timezone

from htxso.core.roles import Role
from htxso.marketplace import services
from htxso.marketplace.models import Order, Product
from htxso.registry.tests.conftest import make_user
from htxso.reporting import services as reporting
from htxso.reporting.models import IndicatorCell
from htxso.reporting.tests.conftest import reference_data

from .conftest import address

YEAR = timezone.localdate().year - 1
FIRST_HALF = f"{YEAR}S1"


@pytest.fixture
def catalogue(db):
    return reporting.load_reference(reference_data())


def _cells(code: str, period: str = FIRST_HALF) -> dict[str, int]:
    rows = IndicatorCell.objects.filter(
        indicator=code, period=period, kind="_T", sector="_T", status="_T"
    )
    return dict(rows.values_list("area", "value"))


def _public(client, code: str) -> dict[str, int]:
    response = client.get(
        "/api/v1/cells", {"indicator": code, "period": FIRST_HALF, "kind": "_T", "sector": "_T"}
    )
    assert response.status_code == 200, response.content
    return {c["area"]: c["value"] for c in response.json()["items"] if c["status"] == "_T"}


def test_sales_and_listings_reach_the_public_statistics_after_a_release(
    client, catalogue, tea, rice, buyer, tea_coop
):
    spring = timezone.make_aware(dt.datetime(YEAR, 3, 15, 10))
    Product.objects.update(created_at=spring - dt.timedelta(days=30))
    kept = services.place_orders(buyer, {tea.pk: 2, rice.pk: 10}, payment="cod", **address())
    (cancelled,) = services.place_orders(buyer, {tea.pk: 1}, payment="cod", **address())
    services.step(buyer, cancelled.pk, cancelled.version, "cancel")
    Order.objects.update(created_at=spring)
    assert _public(client, "market_orders") == {}  # nothing before the release
    central = make_user("can-bo-tw", Role.CENTRAL_OFFICER)
    reporting.release(central, str(YEAR))
    assert _cells("market_orders") == {"19": 1, "01": 1, "VN": 2}  # the cancelled one is not
    assert _cells("market_sellers") == {"19": 1, "01": 1, "VN": 2}
    assert _cells("market_listings") == {"19": 1, "01": 1, "VN": 2}
    sales = sum(o.total for o in kept)
    assert _cells("market_sales")["VN"] == round(sales / 1_000)
    by_sector = IndicatorCell.objects.filter(
        indicator="market_orders", period=FIRST_HALF, area="19", kind="_T", status="_T"
    ).exclude(sector="_T")
    assert dict(by_sector.values_list("sector", "value")) == {tea_coop.sector: 1}
    assert _public(client, "market_orders") == {"19": 1, "01": 1, "VN": 2}
    assert _cells("market_orders", f"{YEAR}S2") == {}  # no sale in the second half
    page = client.get("/statistics/indicators/")
    assert "Tỷ lệ tổ chức tham gia thương mại điện tử" in page.content.decode()


def test_a_released_half_year_keeps_its_figures(client, catalogue, tea, buyer):
    spring = timezone.make_aware(dt.datetime(YEAR, 3, 15, 10))
    Product.objects.update(created_at=spring)
    services.place_orders(buyer, {tea.pk: 1}, payment="cod", **address())
    Order.objects.update(created_at=spring)
    central = make_user("can-bo-tw", Role.CENTRAL_OFFICER)
    reporting.release(central, FIRST_HALF)
    assert _cells("market_orders") == {"19": 1, "VN": 1}
    services.place_orders(buyer, {tea.pk: 1}, payment="cod", **address())
    Order.objects.update(created_at=spring)
    reporting.release(central, str(YEAR))  # the year: its first half was published already
    assert _cells("market_orders") == {"19": 1, "VN": 1}
