"""Prices in the REST API: the catalogue, the series (the page's filter), a series'
observations (keyset pages) and forecast with its backtest, and reporting a price (the page's
service: the same permission, validation, outlier flag and audit)."""

from typing import Any

from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja import Status as Reply

from htxso.core.api import READ_AUTH, WRITE_AUTH
from htxso.core.api_filters import api_page, filter_form, filter_schema
from htxso.core.api_rows import Rows, Values
from htxso.core.api_schemas import ERRORS, PK, Page

from . import charts, services
from .filters import SeriesFilter
from .models import Commodity, Forecast, Observation, Series
from .schemas import (
    PriceCommodityOut,
    PriceForecastOut,
    PriceObservationOut,
    PriceReportIn,
    PriceSeriesOut,
)

router = Router(tags=["prices"])
PriceSeriesQuery = filter_schema(SeriesFilter, "PriceSeriesQuery")


# Plain rows of the columns each answer shows (`values()`; per-item model instances and
# validation cost more than the queries, #24 item 4), answered through `core.api_rows`.
COMMODITIES = Rows(PriceCommodityOut)
SERIES = Rows(PriceSeriesOut)
OBSERVATIONS = Rows(PriceObservationOut)
SERIES_COLUMNS = tuple(f for f in PriceSeriesOut.model_fields if f != "commodity")
COMMODITY_ROWS = Values(Commodity, *PriceCommodityOut.model_fields)
SERIES_ROWS = Values(Series, *SERIES_COLUMNS, commodity_code=F("commodity__code"))
OBSERVATION_ROWS = Values(Observation, *PriceObservationOut.model_fields)


def _series_out(row: dict[str, Any]) -> dict[str, Any]:
    row["commodity"] = row.pop("commodity_code")
    return row


@router.get(
    "/prices/commodities", auth=READ_AUTH, response={200: list[PriceCommodityOut], **ERRORS}
)
def commodities(request: HttpRequest) -> HttpResponse:
    """The commodity catalogue (Vietnamese names, units)."""
    rows = COMMODITY_ROWS().visible_to(request.user).order_by("name")
    return COMMODITIES.many(request, list(rows[:500]))


@router.get("/prices/series", auth=READ_AUTH, response={200: Page[PriceSeriesOut], **ERRORS})
def list_series(
    request: HttpRequest,
    filters: Query[PriceSeriesQuery],  # type: ignore[valid-type]
    cursor: str | None = None,
    limit: int | None = None,
) -> HttpResponse:
    """Price series by commodity, province (`world`: world and national) and price type."""
    rows = filter_form(SeriesFilter, filters).filter(SERIES_ROWS().visible_to(request.user))
    page = api_page(rows, "id", False, cursor, limit)
    return SERIES.page(request, [_series_out(s) for s in page["items"]], page["next_cursor"])


@router.get(
    "/prices/series/{int:pk}/observations",
    auth=READ_AUTH,
    response={200: Page[PriceObservationOut], **ERRORS},
)
def observations(
    request: HttpRequest, pk: PK, cursor: str | None = None, limit: int | None = None
) -> HttpResponse:
    """A series' observations, the latest first; outliers included and flagged."""
    series = get_object_or_404(Series.objects.visible_to(request.user).values("pk"), pk=pk)
    rows = OBSERVATION_ROWS().filter(series_id=series["pk"])
    page = api_page(rows, "period", True, cursor, limit)
    return OBSERVATIONS.page(request, page["items"], page["next_cursor"])


@router.get(
    "/prices/series/{int:pk}/forecast", auth=READ_AUTH, response={200: PriceForecastOut, **ERRORS}
)
def forecast(request: HttpRequest, pk: PK) -> dict[str, Any]:
    """The series' forecast (12 months, 80 % and 95 % intervals, in the series' currency and
    unit) with its rolling-origin backtest; 404 when the series has none yet."""
    series = get_object_or_404(Series.objects.visible_to(request.user), pk=pk)
    found = get_object_or_404(Forecast.objects.visible_to(request.user), series=series)
    out = {
        name: getattr(found, name) for name in PriceForecastOut.model_fields if name != "verdict"
    }
    out["verdict"] = charts.verdict(found)
    return out


@router.post("/prices/observations", auth=WRITE_AUTH, response={201: PriceObservationOut, **ERRORS})
def report(request: HttpRequest, payload: PriceReportIn) -> Reply[Any]:
    """Report a price (members, managers, officers — a provincial officer in their province)."""
    observation = services.report_price(
        request.user,
        payload.commodity,
        payload.province_id,
        payload.price_type,
        payload.value,
        payload.unit,
        payload.period,
        payload.market,
    )
    return Reply(201, observation)
