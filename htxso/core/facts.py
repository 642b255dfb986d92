"""Facts one domain app offers another through core (never a sideways import).

An app that owns a fact registers a provider from its `AppConfig.ready`; an app that needs it
asks here. No provider: no facts (None, or nothing). Today:
- the approved yearly report of an organisation (reporting provides it; the assessment's
  classification prefills its criteria from it);
- the price catalogue's commodities (prices provides them; the marketplace's products and the
  production diary's crops name one, so their prices and calendars are linked explicitly,
  never by guessing from a name);
- what the marketplace sold: per commodity, seller's province and month, the median price per
  kg over delivered or paid orders (the marketplace provides it; prices keeps it as series);
- the production diary's crops a user keeps or belongs to (traceability provides them; the
  crop calendar says what to do this month for each);
- the statistical indicators' catalogue and their latest released figures (reporting provides
  them; the steering committee's tasks name the indicators they move);
- the public trace page of a GTIN (traceability provides it; the marketplace's product page
  links to it when its product carries that GTIN).
The other way round, the statistics cube reads figures other apps provide (the marketplace's
e-commerce participation) through `provide_cube_figures` / `cube_figures`.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

P = TypeVar("P", bound=Callable[..., Any])


class Slot(Generic[P]):
    """The one provider of a fact: a second registration replaces the first (`ready` may
    run twice in tests); `provider` is None until an app registers one."""

    def __init__(self) -> None:
        self.provider: P | None = None

    def provide(self, provider: P) -> None:
        self.provider = provider


# (organisation id, year) → the approved yearly report's values, or None.
YearlyReport = Callable[[int, int], Mapping[str, Any] | None]

_YEARLY_REPORT: Slot[YearlyReport] = Slot()
provide_yearly_report = _YEARLY_REPORT.provide


def yearly_report(organisation_id: int, year: int) -> Mapping[str, Any] | None:
    """The values of the organisation's approved yearly report for `year`, if any."""
    provider = _YEARLY_REPORT.provider
    return None if provider is None else provider(organisation_id, year)


# --- the price catalogue -------------------------------------------------------------------------

# () → [(code, Vietnamese name)] of the commodities prices are kept for, by name.
Commodities = Callable[[], Sequence[tuple[str, str]]]

_COMMODITIES: Slot[Commodities] = Slot()
provide_commodities = _COMMODITIES.provide


def commodities() -> list[tuple[str, str]]:
    """The price catalogue's commodities as (code, name); [] without prices."""
    provider = _COMMODITIES.provider
    return [] if provider is None else list(provider())


# --- the marketplace's sales ---------------------------------------------------------------------


@dataclass(frozen=True)
class SalePrice:
    """The marketplace's sales of one commodity by sellers of one province in one month."""

    commodity: str  # the price catalogue's code
    province_id: str  # the sellers' province
    month: dt.date  # its first day
    vnd_per_kg: Decimal  # the median price per kg, each kilogram sold counted once
    orders: int  # distinct orders
    sellers: int  # distinct sellers
    kg: Decimal  # kilograms sold


# (first month, last month) → the sales of those months (both included).
SalePrices = Callable[[dt.date, dt.date], Sequence[SalePrice]]

_SALE_PRICES: Slot[SalePrices] = Slot()
provide_sale_prices = _SALE_PRICES.provide


def sale_prices(first: dt.date, last: dt.date) -> list[SalePrice]:
    """The marketplace's median prices per commodity, province and month; [] without it."""
    provider = _SALE_PRICES.provider
    return [] if provider is None else list(provider(first, last))


# --- the production diary ------------------------------------------------------------------------


@dataclass(frozen=True)
class DiaryCrop:
    """A crop of a production diary, as the crop calendar needs it."""

    commodity: str  # the price catalogue's code ("" when the diary did not name one)
    province_id: str  # the plot's
    name: str  # the crop as the diary names it
    plot: str
    started_on: dt.date
    last_input: str  # "12/11/2025: Phân NPK 16-16-8" or ""
    last_harvest: dt.date | None
    url: str  # the diary page


# (user) → the diary crops the user keeps or belongs to (what the user may see).
DiaryCrops = Callable[[Any], Sequence[DiaryCrop]]

_DIARY_CROPS: Slot[DiaryCrops] = Slot()
provide_diary_crops = _DIARY_CROPS.provide


def diary_crops(user: Any) -> list[DiaryCrop]:
    """The user's diary crops; [] without a production diary."""
    provider = _DIARY_CROPS.provider
    return [] if provider is None else list(provider(user))


# The opposite direction: figures a domain app offers the statistics cube. A provider gets a
# period's first and last day and returns rows (province, dimensions, measures): the
# dimensions are the organisation's `kind`, `sector` and `status`, the measures named by the
# provider (`"market_listings"` …). Reporting asks every provider when it builds or releases a
# half-year (`reporting.statistics.rebuild_provided`) and stores what indicators with a
# `{"provided": "<measure>"}` measure name.
FigureRow = tuple[str, Mapping[str, str], Mapping[str, int]]
CubeFigures = Callable[[dt.date, dt.date, bool], Iterable[FigureRow]]

_CUBE_FIGURES: dict[str, CubeFigures] = {}


def provide_cube_figures(name: str, provider: CubeFigures) -> None:
    """Register `provider` under `name` (a second registration replaces the first). It is
    called as provider(first_day, last_day, live): `live` asks for the stock as it stands now
    (the running half-year) rather than as at `last_day`."""
    _CUBE_FIGURES[name] = provider


def cube_figures(first: dt.date, last: dt.date, live: bool = False) -> list[FigureRow]:
    """Every provider's rows for the period from `first` to `last` (inclusive)."""
    rows: list[FigureRow] = []
    for name in sorted(_CUBE_FIGURES):
        rows.extend(_CUBE_FIGURES[name](first, last, live))
    return rows


# --- the statistical indicators ------------------------------------------------------------------


@dataclass(frozen=True)
class Released:
    """An indicator's latest released figure in one area."""

    period: str  # "Năm 2025", "6 tháng đầu năm 2026"
    value: float
    unit: str


@dataclass(frozen=True)
class IndicatorFacts:
    """An indicator of the catalogue and its latest released figures by area ("VN": the
    nation, or a province's code); an area without a released figure is absent."""

    code: str
    name: str
    figures: Mapping[str, Released]


# (codes, areas) → the indicators of the catalogue among `codes` (an unknown code is absent),
# with their latest released figures in `areas` ([]: the names only).
Indicators = Callable[[Sequence[str], Sequence[str]], Mapping[str, IndicatorFacts]]

_INDICATORS: Slot[Indicators] = Slot()
provide_indicators = _INDICATORS.provide


def has_indicators() -> bool:
    """Whether an indicator catalogue is there to check codes against."""
    return _INDICATORS.provider is not None


def indicators(codes: Sequence[str], areas: Sequence[str] = ()) -> dict[str, IndicatorFacts]:
    """The catalogue's indicators among `codes`, with released figures in `areas`; {} without
    a catalogue."""
    provider = _INDICATORS.provider
    return dict(provider(codes, areas)) if provider is not None and codes else {}


# --- traceability's public pages -----------------------------------------------------------------

# GTIN-14 → the path of its public trace page (`/01/<gtin>`), or None when nothing public is
# known of it.
TracePage = Callable[[str], str | None]

_TRACE_PAGE: Slot[TracePage] = Slot()
provide_trace_page = _TRACE_PAGE.provide


def trace_page(gtin: str) -> str | None:
    """The public trace page of `gtin` (GTIN-14), if traceability knows it publicly."""
    provider = _TRACE_PAGE.provider
    return None if not gtin or provider is None else provider(gtin)
