"""API schemas of prices (names start with "Price": one schema per name in the document)."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from htxso.core.api_schemas import Input


class PriceCommodityOut(Schema):
    code: str
    name: str
    name_en: str
    unit: str


class PriceSeriesOut(Schema):
    id: int
    commodity: str = Field(description="the commodity's code")
    province_id: str | None = Field(description="None: a world or national series")
    market: str
    price_type: str
    currency: str
    unit: str
    frequency: str
    source: str
    last_period: dt.date | None
    observations_count: int


class PriceObservationOut(Schema):
    id: int
    period: dt.date
    value: Decimal
    vnd_per_kg: Decimal | None
    outlier: bool
    outlier_note: str


class PricePointOut(Schema):
    period: dt.date
    mean: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float


class PriceForecastOut(Schema):
    method: str
    origin: dt.date
    points: list[PricePointOut]
    mase_1: float | None = Field(description="backtest MAE / seasonal-naive MAE, 1 month ahead")
    mase_6: float | None = Field(description="the same, 6 months ahead")
    coverage_80: float | None
    coverage_95: float | None
    backtest_origins: int
    beats_naive: bool | None
    verdict: str


class PriceReportIn(Input):
    """A price seen at a market, in VND per `unit`."""

    commodity: str = Field(max_length=40, description="a commodity's code")
    province_id: str = Field(max_length=2)
    price_type: str = Field(
        max_length=12, description="farm_gate | wholesale | retail | export_fob"
    )
    value: Decimal = Field(gt=0, max_digits=16, decimal_places=4)
    unit: Literal["kg", "ta", "tan", "l"] = "kg"
    period: dt.date
    market: str = Field("", max_length=120)
