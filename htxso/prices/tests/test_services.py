"""Reporting a price and price alerts: permissions, Vietnamese refusals that write nothing,
outliers flagged, alerts sent once (page + e-mail), forecasts kept by the background job."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.test.utils import override_settings
from django.utils import timezone

from htxso.core.models import AuditEntry
from htxso.prices import ingest, jobs, services
from htxso.prices.models import Forecast, Notice, Observation, Series, Subscription
from htxso.registry.tests.conftest import make_user

TODAY = timezone.localdate


def report(user, value="118000", province="66", day=None, **extra):
    return services.report_price(
        user, "ca-phe-robusta", province, "farm_gate", value, "kg", day or TODAY(), **extra
    )


def test_a_member_reports_a_price(catalogue, member):
    observation = report(member, "118.000".replace(".", ""), market="  Buôn  Ma Thuột ")
    series = observation.series
    assert (series.province_id, series.currency, series.market) == ("66", "VND", "Buôn Ma Thuột")
    assert observation.vnd_per_kg == 118000 and not observation.outlier
    assert series.observations_count == 0  # the object in memory; the row is counted:
    series.refresh_from_db()
    assert series.observations_count == 1 and series.last_period == TODAY()
    entry = AuditEntry.objects.get(object_type="prices.observation")
    assert entry.actor == member and entry.action == "create"


def test_a_price_per_ta_is_converted_to_vnd_per_kg(catalogue, member):
    observation = services.report_price(
        member, "ca-phe-robusta", "66", "wholesale", "11800000", "ta", TODAY()
    )
    assert observation.vnd_per_kg == 118000


@pytest.mark.parametrize(
    ("value", "day", "message"),
    [
        ("0", None, "Giá phải lớn hơn 0."),
        ("abc", None, "Giá phải là một số."),
        ("NaN", None, "Giá phải lớn hơn 0."),
        ("999999999999", None, "Giá quá lớn: kiểm tra lại đơn vị và số chữ số 0."),
        ("118000", TODAY() + dt.timedelta(days=1), "Ngày báo giá không được ở tương lai."),
        ("118000", TODAY() - dt.timedelta(days=400), "Chỉ báo giá trong vòng một năm trở lại."),
    ],
)
def test_bad_reports_are_refused_in_vietnamese_and_write_nothing(
    catalogue, member, value, day, message
):
    with pytest.raises(ValidationError) as refused:
        report(member, value, day=day)
    assert message in refused.value.messages
    assert not Observation.objects.exists()
    assert not AuditEntry.objects.filter(object_type__startswith="prices.").exists()


def test_unknown_commodity_province_or_type_is_refused(catalogue, member):
    with pytest.raises(ValidationError, match="Không có mặt hàng"):
        services.report_price(member, "vang", "66", "farm_gate", "1", "kg", TODAY())
    with pytest.raises(ValidationError, match="Tỉnh/thành phố không hợp lệ"):
        report(member, province="99")
    with pytest.raises(ValidationError, match="Loại giá không hợp lệ"):
        services.report_price(member, "ca-phe-robusta", "66", "world", "1", "kg", TODAY())


def test_who_may_report(catalogue, officer_19, public):
    report(officer_19, province="19")  # their own province
    with pytest.raises(PermissionDenied):
        report(officer_19, province="66")
    with pytest.raises(PermissionDenied):
        report(public)
    assert Observation.objects.count() == 1


def test_a_mistyped_price_is_flagged_and_kept(catalogue, member):
    for days in range(6, 0, -1):
        report(member, "118000", day=TODAY() - dt.timedelta(days=days))
    typo = report(member, "1180000")  # one zero too many
    assert typo.outlier and typo.outlier_note.startswith("10.0 ×")
    assert Observation.objects.count() == 7


def test_an_alert_is_sent_once_on_the_page_and_by_email(catalogue, member):
    watcher = make_user("nguoi-theo-doi", "member", "66", email="theodoi@example.vn")
    services.subscribe(watcher, "ca-phe-robusta", "66", above="120000")
    with pytest.raises(ValidationError, match="ít nhất một ngưỡng"):
        services.subscribe(watcher, "ca-phe-robusta", "66")
    with pytest.raises(ValidationError, match="nhỏ hơn ngưỡng trên"):
        services.subscribe(watcher, "ca-phe-robusta", "66", above="100", below="200")
    report(member, "119000")  # below the threshold: nothing
    assert not Notice.objects.exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        report(member, "121000")
    with TestCase.captureOnCommitCallbacks(execute=True):
        report(member, "122000")  # the same day crossed again: no second notice
    notice = Notice.objects.get()
    assert notice.message.startswith("Giá Cà phê Robusta (nhân xô) đã lên 121.000 đ/kg")
    assert notice.emailed and len(mail.outbox) == 1
    assert mail.outbox[0].to == ["theodoi@example.vn"]


def test_alerts_are_ones_own(catalogue, member):
    other = make_user("nguoi-khac", "member", "66")
    subscription = services.subscribe(member, "ca-phe-robusta", None, below="90000")
    with pytest.raises(Subscription.DoesNotExist):
        services.unsubscribe(other, subscription.pk)
    services.unsubscribe(member, subscription.pk)
    assert not Subscription.objects.exists()


@override_settings(JOBS_BACKEND="inline")
def test_the_background_job_forecasts_and_backtests_a_series(db):
    ingest.load_world_bank()
    rice = Series.objects.get(source_code="RICE_05_VNM")
    member = make_user("nong-dan", "member", "66", email="nd@example.vn")
    services.subscribe(member, "gao-5-tam-vn", None, above="1000")  # surely crossed
    assert jobs.schedule([rice.pk]) == 1
    forecast = Forecast.objects.get(series=rice)
    assert forecast.method == "AutoTheta" and forecast.origin == dt.date(2024, 11, 1)
    assert len(forecast.points) == 12 and forecast.points[0]["period"] == "2024-12-01"
    assert forecast.backtest_origins == 36
    assert 0 < forecast.mase_1 < 5 and 0 < forecast.mase_6 < 5
    assert forecast.beats_naive == (forecast.mase_1 < 1 and forecast.mase_6 < 1)
    notice = Notice.objects.get(forecast=True)
    assert notice.message.startswith("Dự báo giá Gạo trắng Việt Nam 5% tấm lên")
    assert notice.vnd_per_kg > Decimal(1000)


def test_a_short_series_gets_no_forecast(catalogue, member):
    observation = report(member)
    with override_settings(JOBS_BACKEND="inline"):
        jobs.schedule([observation.series_id])
    assert not Forecast.objects.exists()
