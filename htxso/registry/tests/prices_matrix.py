"""Rows of the authorization matrix for prices (`htxso/prices`), merged into
`API_MATRIX`/`API_CALLS` and `PAGE_MATRIX`/`PAGE_CALLS` of test_authorization.py.

Market information is public (pages and reads: everyone). Reporting a price: members,
managers, central officers and the system admin anywhere, a provincial officer in their own
province (the other: 403); advisers and the public 403. Price alerts are each user's own: the
target here is another user's alert, which no one sees (404), whatever their role; deleting
one's own is held by `prices/tests/`. Price files: the roles that import elsewhere (the system
admin, provincial officers, managers; `TABLE`'s IMPORT on prices); a price import job is its
uploader's (here the provincial officer's) and the admin's, as the registry's and the reports'."""

import datetime as dt

from django.core.files.base import ContentFile
from django.urls import reverse

from htxso.core.roles import Role
from htxso.prices.models import Commodity, Forecast, PriceImportJob, Series, Subscription

from .authorization_matrix import EVERYONE, OK, Builder, Call, F, L, M, N, Row, U, V, page
from .conftest import make_user

REPORT: Row = [(L, L), (F, F), (OK, OK), (OK, OK), (OK, F), (F, F), (OK, OK), (OK, OK)]
REPORT_PAGE: Row = [(L, L), (F, F), (OK, OK), (OK, OK), (OK, OK), (F, F), (OK, OK), (OK, OK)]
ALERTS: Row = [(L, L), (F, F), *[(OK, OK)] * 6]
NOBODY_ELSES: Row = [(L, L), *[(N, N)] * 7]
IMPORTERS: Row = [(L, L), (F, F), (OK, OK), (F, F), (OK, OK), (F, F), (OK, OK), (F, F)]
# An upload without a file: let in, refused with its Vietnamese message (422).
UPLOAD: Row = [(L, L), (F, F), (V, V), (F, F), (V, V), (F, F), (V, V), (F, F)]
IMPORT_JOB: Row = [(L, L), (N, N), (OK, OK), (N, N), (OK, OK), (N, N), (N, N), (N, N)]
POST_ONLY: Row = [(L, L), *[(M, M)] * 7]

PRICES_PAGE_MATRIX: dict[str, dict[str, Row]] = {
    "prices:index": {"GET": EVERYONE},
    "prices:series": {"GET": EVERYONE},
    "prices:compare": {"GET": EVERYONE},
    "prices:calendar": {"GET": EVERYONE},
    "prices:report": {"GET": REPORT_PAGE, "POST": REPORT},
    "prices:alerts": {"GET": ALERTS, "POST": ALERTS},
    "prices:alert-delete": {"POST": NOBODY_ELSES},
    "prices:import": {"GET": IMPORTERS, "POST": UPLOAD},
    "prices:import-template": {"GET": IMPORTERS},
    "prices:import-job": {"GET": IMPORT_JOB},
    "prices:import-job-progress": {"GET": IMPORT_JOB},
    "prices:import-job-findings": {"GET": IMPORT_JOB},
    "prices:import-job-file": {"GET": IMPORT_JOB},
    "prices:import-job-commit": {"GET": POST_ONLY},
    "prices:import-job-rerun": {"GET": POST_ONLY},
}

PRICES_API_MATRIX: dict[str, Row] = {
    "GET /api/v1/prices/commodities": EVERYONE,
    "GET /api/v1/prices/series": EVERYONE,
    "GET /api/v1/prices/series/{pk}/observations": EVERYONE,
    "GET /api/v1/prices/series/{pk}/forecast": EVERYONE,
    "POST /api/v1/prices/observations": [(U, U), *REPORT[1:]],
}


def _commodity() -> Commodity:
    return Commodity.objects.get_or_create(
        code="ca-phe-robusta", defaults={"name": "Cà phê Robusta", "unit": "kg"}
    )[0]


def _series(w, t: str) -> Series:
    series, _created = Series.objects.get_or_create(
        commodity=_commodity(),
        province_id=w.province[t],
        market="",
        price_type="farm_gate",
        currency="VND",
        unit="kg",
        frequency="daily",
        source="Ma trận",
    )
    Forecast.objects.get_or_create(
        series=series,
        defaults={"method": "AutoTheta", "origin": dt.date(2024, 11, 1), "points": []},
    )
    return series


def _others_alert(w, t: str) -> Subscription:
    owner = make_user(f"mx-canh-bao-{t}", Role.MEMBER)
    return Subscription.objects.create(
        user=owner, commodity=_commodity(), province_id=w.province[t], above=100_000
    )


def _job(w) -> PriceImportJob:
    """A price file uploaded by the provincial officer (its dry run found errors)."""
    owner = w.users["provincial_officer"]
    job = PriceImportJob.objects.filter(created_by=owner, filename="mx-gia.csv").first()
    if job is None:
        job = PriceImportJob(filename="mx-gia.csv", sha256="-", created_by=owner, status="invalid")
        job.file.save("mx-gia.csv", ContentFile(b"a,b\n1,2\n"))
    return job


def _job_page(name: str) -> Builder:
    return lambda w, t: page(name, _job(w).pk)


def _report_body(w, t: str) -> dict:
    return {
        "commodity": _commodity().code,
        "province": w.province[t],
        "price_type": "farm_gate",
        "value": "118000",
        "unit": "kg",
        "period": dt.date.today().strftime("%d/%m/%Y"),
        "market": "",
    }


PRICES_PAGE_CALLS: dict[tuple[str, str], Builder] = {
    ("prices:index", "GET"): lambda w, t: page("prices:index"),
    ("prices:series", "GET"): lambda w, t: page("prices:series", _series(w, t).pk),
    ("prices:compare", "GET"): lambda w, t: Call(
        reverse("prices:compare"), {"commodity": _series(w, t).commodity.code}
    ),
    ("prices:calendar", "GET"): lambda w, t: Call(
        reverse("prices:calendar"), {"province": w.province[t]}
    ),
    ("prices:report", "GET"): lambda w, t: page("prices:report"),
    ("prices:report", "POST"): lambda w, t: page("prices:report", body=_report_body(w, t)),
    ("prices:alerts", "GET"): lambda w, t: page("prices:alerts"),
    ("prices:alerts", "POST"): lambda w, t: page(
        "prices:alerts",
        body={"commodity": _commodity().code, "province": w.province[t], "above": "120000"},
    ),
    ("prices:alert-delete", "POST"): lambda w, t: page(
        "prices:alert-delete", _others_alert(w, t).pk, body={}
    ),
    ("prices:import", "GET"): lambda w, t: page("prices:import"),
    ("prices:import", "POST"): lambda w, t: page("prices:import", body={"note": t}),
    ("prices:import-template", "GET"): lambda w, t: page("prices:import-template"),
    **{
        (name, "GET"): _job_page(name)
        for name in (
            "prices:import-job",
            "prices:import-job-progress",
            "prices:import-job-findings",
            "prices:import-job-file",
            "prices:import-job-commit",
            "prices:import-job-rerun",
        )
    },
}

PRICES_API_CALLS: dict[str, Builder] = {
    "GET /api/v1/prices/commodities": lambda w, t: Call("/api/v1/prices/commodities"),
    "GET /api/v1/prices/series": lambda w, t: Call(
        "/api/v1/prices/series", {"province": w.province[t]}
    ),
    "GET /api/v1/prices/series/{pk}/observations": lambda w, t: Call(
        f"/api/v1/prices/series/{_series(w, t).pk}/observations"
    ),
    "GET /api/v1/prices/series/{pk}/forecast": lambda w, t: Call(
        f"/api/v1/prices/series/{_series(w, t).pk}/forecast"
    ),
    "POST /api/v1/prices/observations": lambda w, t: Call(
        "/api/v1/prices/observations",
        body={
            "commodity": _commodity().code,
            "province_id": w.province[t],
            "price_type": "farm_gate",
            "value": "118000",
            "unit": "kg",
            "period": dt.date.today().isoformat(),
        },
    ),
}
