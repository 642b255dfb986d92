"""Demo prices, so `make demo` shows the app alive: the catalogue and crop calendars, the World
Bank's monthly series (the real file shipped in `data/`), a few months of robusta farm-gate
prices reported in Đắk Lắk by the demo member (written through the services, so they are
audited and checked like any report), an alert of the demo member, and the forecasts with
their backtests (inline) of the series a coffee farmer looks at first — the others with
`htxso forecast_prices` (a minute or two). Never run this on a real system: the reported
prices are made up."""

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from htxso.core.models import User

from . import ingest, jobs, services
from .models import Series, Subscription

DAK_LAK = "66"
FEATURED = ("COFFEE_ROBUS", "RICE_05_VNM", "RUBBER1_MYSG")  # World Bank codes forecast here


@transaction.atomic
def _reports(member: User, seed: int) -> int:
    """Farm-gate robusta prices in Đắk Lắk, every week of the last 11 months."""
    rng = random.Random(seed)
    today = timezone.localdate()
    price = 118_000.0
    written = 0
    for weeks in range(47, -1, -1):
        day = today - dt.timedelta(weeks=weeks)
        price *= 1 + rng.gauss(0.002, 0.02)
        services.report_price(
            member,
            "ca-phe-robusta",
            DAK_LAK,
            "farm_gate",
            round(price, -2),
            "kg",
            day,
            "Buôn Ma Thuột",
        )
        written += 1
    return written


def run(seed: int = 1) -> dict[str, Any]:
    if Series.objects.exists():
        return {"skipped": True}
    loaded = ingest.load_world_bank()
    member = User.objects.filter(username="thanhvien").first()
    reported = 0
    if member is not None:
        if member.province_id is None:
            member.province_id = DAK_LAK
            member.save(update_fields=["province_id"])
        reported = _reports(member, seed)
        if not Subscription.objects.filter(user=member).exists():
            services.subscribe(member, "ca-phe-robusta", DAK_LAK, above=125_000, below=90_000)
    featured = Series.objects.filter(source_code__in=FEATURED) | Series.objects.filter(
        province_id=DAK_LAK
    )
    with override_settings(JOBS_BACKEND="inline"):
        forecasts = jobs.schedule(list(featured.values_list("pk", flat=True)))
    return {
        "series": loaded.series,
        "observations": loaded.observations,
        "reported": reported,
        "forecasts": forecasts,
    }
