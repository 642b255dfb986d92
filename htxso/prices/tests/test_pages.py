"""The price pages and the API as a user meets them: lists, a series with its forecast and
plain-words verdict, comparison, calendar, reporting (422 with Vietnamese errors, never a
500), alerts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from htxso.core.tokens import issue_token
from htxso.prices import services
from htxso.prices.models import Forecast, Notice, Observation, Series, Subscription
from htxso.registry.tests.test_api import bearer

pytestmark = pytest.mark.django_db


def _series_with_forecast(member, beats: bool) -> Series:
    observation = services.report_price(
        member, "ca-phe-robusta", "66", "farm_gate", "118000", "kg", timezone.localdate()
    )
    Forecast.objects.create(
        series=observation.series,
        method="AutoTheta",
        origin=dt.date(2024, 11, 1),
        points=[
            {
                "period": "2024-12-01",
                "mean": 120000,
                "lo80": 110000,
                "hi80": 130000,
                "lo95": 100000,
                "hi95": 140000,
            }
        ],
        mase_1=0.8 if beats else 1.3,
        mase_6=0.9 if beats else 1.1,
        coverage_80=0.78,
        coverage_95=0.94,
        backtest_origins=36,
    )
    return observation.series


def test_the_list_and_a_series_with_a_forecast_that_beats_naive(client, catalogue, member):
    series = _series_with_forecast(member, beats=True)
    page = client.get(reverse("prices:index"), {"commodity": "ca-phe-robusta", "province": "66"})
    assert page.status_code == 200
    assert "Cà phê Robusta (nhân xô)" in page.text and "118.000" in page.text
    page = client.get(reverse("prices:series", args=[series.pk]))
    assert page.status_code == 200
    assert "dự báo này sai ít hơn cách đoán «giá bằng cùng tháng năm trước»" in page.text
    assert "sai số bằng 80% khi đoán trước 1 tháng, 90% khi đoán trước 6 tháng" in page.text


def test_a_forecast_that_does_not_beat_naive_says_so(client, catalogue, member):
    series = _series_with_forecast(member, beats=False)
    page = client.get(reverse("prices:series", args=[series.pk]))
    assert "Dự báo này KHÔNG tốt hơn cách đoán đơn giản" in page.text
    api = client.get(f"/api/v1/prices/series/{series.pk}/forecast")
    assert api.status_code == 200
    assert api.json()["beats_naive"] is False and "KHÔNG" in api.json()["verdict"]


def test_a_bad_filter_or_series_never_500s(client, catalogue):
    assert client.get(reverse("prices:index"), {"province": "xx"}).status_code == 400
    assert client.get(reverse("prices:series", args=[999999])).status_code == 404
    assert client.get(reverse("prices:compare"), {"commodity": "vang"}).status_code == 404


def test_reporting_on_the_page(client, catalogue, member):
    client.force_login(member)
    form = {
        "commodity": "ca-phe-robusta",
        "province": "66",
        "price_type": "farm_gate",
        "unit": "kg",
        "market": "Chợ Buôn Ma Thuột",
    }
    refused = client.post(
        reverse("prices:report"), {**form, "value": "mười", "period": "32/13/2024"}
    )
    assert refused.status_code == 422
    assert "Nhập số" in refused.text and "dd/mm/yyyy" in refused.text
    today = timezone.localdate().strftime("%d/%m/%Y")
    future = (timezone.localdate() + dt.timedelta(days=2)).strftime("%d/%m/%Y")
    refused = client.post(reverse("prices:report"), {**form, "value": "118.000", "period": future})
    assert refused.status_code == 422 and "không được ở tương lai" in refused.text
    assert not Observation.objects.exists()
    done = client.post(reverse("prices:report"), {**form, "value": "118.000", "period": today})
    assert done.status_code == 302
    assert Observation.objects.get().value == 118000


def test_calendar_says_what_to_do_this_month(client, catalogue, member):
    client.force_login(member)
    page = client.get(reverse("prices:calendar"))  # the member's province: Đắk Lắk
    assert page.status_code == 200 and "Đắk Lắk" in page.text
    month = timezone.localdate().month
    assert f"Việc cần làm tháng {month}" in page.text
    if month in (10, 11, 12, 1):
        assert "Thu hái quả chín" in page.context["now"][0].advice or any(
            "Thu hái" in w.advice for w in page.context["now"]
        )
    assert all(w.covers(month) for w in page.context["now"])


def test_alerts_page_subscribes_and_shows_notices(client, catalogue, member):
    client.force_login(member)
    refused = client.post(reverse("prices:alerts"), {"commodity": "ca-phe-robusta"})
    assert refused.status_code == 422 and "ít nhất một ngưỡng" in refused.text
    done = client.post(
        reverse("prices:alerts"),
        {"commodity": "ca-phe-robusta", "province": "66", "below": "90.000"},
    )
    assert done.status_code == 302
    subscription = Subscription.objects.get(user=member)
    services.report_price(
        member, "ca-phe-robusta", "66", "farm_gate", "85000", "kg", timezone.localdate()
    )
    home = client.get("/")
    assert "1 cảnh báo giá mới" in home.text
    page = client.get(reverse("prices:alerts"))
    assert "đã xuống 85.000 đ/kg" in page.text
    assert Notice.objects.get().seen  # the page shows it: no longer new
    client.post(reverse("prices:alert-delete", args=[subscription.pk]))
    assert not Subscription.objects.exists()


def test_the_api_reports_lists_and_refuses(client, catalogue, member, public):
    headers = bearer(issue_token(None, member, "t"))
    body = {
        "commodity": "ca-phe-robusta",
        "province_id": "66",
        "price_type": "farm_gate",
        "value": "118000",
        "unit": "kg",
        "period": timezone.localdate().isoformat(),
    }
    created = client.post(
        "/api/v1/prices/observations", body, content_type="application/json", **headers
    )
    assert created.status_code == 201 and created.json()["vnd_per_kg"] == "118000.00"
    bad = client.post(
        "/api/v1/prices/observations",
        {**body, "unit": "bao"},
        content_type="application/json",
        **headers,
    )
    assert bad.status_code == 422
    refused = client.post(
        "/api/v1/prices/observations",
        body,
        content_type="application/json",
        **bearer(issue_token(None, public, "t")),
    )
    assert refused.status_code == 403
    listed = client.get("/api/v1/prices/series", {"commodity": "ca-phe-robusta", "province": "66"})
    assert [s["commodity"] for s in listed.json()["items"]] == ["ca-phe-robusta"]
    series_id = listed.json()["items"][0]["id"]
    observations = client.get(f"/api/v1/prices/series/{series_id}/observations")
    assert len(observations.json()["items"]) == 1
    assert client.get(f"/api/v1/prices/series/{series_id}/forecast").status_code == 404
    assert len(client.get("/api/v1/prices/commodities").json()) == 20
