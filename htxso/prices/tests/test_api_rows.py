"""The price reads answer from plain rows (#24 item 4) as they answered from model instances:
the old builders through the schemas are the reference, field for field and in order."""

import datetime as dt
import json
from typing import Any

from django.utils import timezone

from htxso.core.api import api
from htxso.prices import services
from htxso.prices.models import Commodity, Observation, Series
from htxso.prices.schemas import PriceCommodityOut, PriceObservationOut, PriceSeriesOut


def _as_answered(schema: Any, obj: Any) -> Any:
    dumped = schema.model_validate(obj).model_dump()
    return json.loads(api.renderer.render(None, dumped, response_status=200))  # type: ignore[arg-type]


def _old_series(s: Series) -> dict[str, Any]:
    """prices/api.py `_series_out` before #24 item 4."""
    out = {name: getattr(s, name) for name in PriceSeriesOut.model_fields if name != "commodity"}
    out["commodity"] = s.commodity.code
    return _as_answered(PriceSeriesOut, out)


def test_commodities_series_and_observations_are_answered_as_before(client, catalogue, member):
    today = timezone.localdate()
    services.report_price(member, "ca-phe-robusta", "66", "farm_gate", "118000", "kg", today)
    services.report_price(
        member, "ca-phe-robusta", "66", "farm_gate", "117000.5", "kg", today - dt.timedelta(days=40)
    )
    Series.objects.create(  # a world series: no province
        commodity=Commodity.objects.get(code="ca-phe-robusta"),
        price_type="export_fob",
        currency="USD",
        unit="tan",
        frequency="monthly",
        source="World Bank",
    )
    commodities = client.get("/api/v1/prices/commodities").json()
    assert commodities == [
        _as_answered(PriceCommodityOut, c) for c in Commodity.objects.order_by("name")[:500]
    ]
    listed = client.get("/api/v1/prices/series", {"limit": 500}).json()
    assert listed["items"] == [_old_series(s) for s in Series.objects.order_by("id")]
    assert any(item["province_id"] is None for item in listed["items"])  # world series
    reported = Series.objects.get(commodity__code="ca-phe-robusta", province_id="66")
    url = f"/api/v1/prices/series/{reported.pk}/observations"
    first = client.get(url, {"limit": 1}).json()
    second = client.get(url, {"limit": 1, "cursor": first["next_cursor"]}).json()
    expected = [
        _as_answered(PriceObservationOut, o)
        for o in Observation.objects.filter(series=reported).order_by("-period", "-id")
    ]
    assert first["items"] + second["items"] == expected and second["next_cursor"] is None
    assert [list(i) for i in expected] == [list(PriceObservationOut.model_fields)] * 2
    assert isinstance(expected[0]["value"], str)  # a decimal is written as text, as before
    assert client.get("/api/v1/prices/series/999999/observations").status_code == 404
    assert client.get(url, {"cursor": "nonsense"}).status_code == 422
