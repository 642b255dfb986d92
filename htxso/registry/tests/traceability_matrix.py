"""Rows of the authorization matrix for traceability (`htxso/traceability`), merged into
`API_MATRIX`/`API_CALLS` and `PAGE_MATRIX`/`PAGE_CALLS` of test_authorization.py.

The target is the own (19) or the other (01) province's organisation. The diary is written by
the organisation's manager (and the system admin); a manager posting another organisation's
plot gets the form back (422: their choices are their own plots). Recall is the inspectors'
(system admin, central and provincial officers, every province: a lot crosses borders). A
private product's label sheet is seen as the product; the resolver and the trace page are
public; EPCIS queries answer everyone with what they may see (the public: public events)."""

import datetime as dt
import uuid
from typing import Any

from htxso.core.gs1 import check_digit
from htxso.core.models import Commune
from htxso.traceability import services
from htxso.traceability.compression import compress

from .authorization_matrix import EVERYONE, OK, Builder, Call, F, L, N, Row, U, V, page

_made: dict[str, Any] = {}


def _diary(w: Any, t: str) -> dict[str, Any]:
    """A plot, a crop, a private product and a public one with a harvested lot, once per
    target (the system writes them)."""
    if t not in _made or not type(_made[t]["plot"]).objects.filter(pk=_made[t]["plot"].pk).exists():
        org = w.organisation[t]
        commune = Commune.objects.filter(province_id=w.province[t]).order_by("code")[0]
        plot = services.create_plot(None, org.pk, commune.pk, f"Thửa ma trận {t}", 100)
        crop = services.add_crop(None, plot.pk, "Lúa", "crop", dt.date(2026, 1, 1))
        n = 10 if t == "own" else 20
        gtins = [f"893000000{n + i:03d}" for i in range(2)]
        gtins = [g + check_digit(g) for g in gtins]
        private = services.create_product(None, org.pk, "Riêng", gtins[0], public=False)
        public = services.create_product(None, org.pk, "Công khai", gtins[1])
        services.record_harvest(None, crop.pk, public.pk, "MX-1", dt.date(2026, 5, 1), 1)
        _made[t] = {"plot": plot, "crop": crop, "private": private, "public": public}
    return _made[t]


# Whoever may write a diary: the manager of the organisation and the system admin.
DIARY: Row = [(L, L), (F, F), (OK, OK), (F, F), (F, F), (F, F), (OK, OK), (F, F)]
DIARY_WRITE: Row = [(L, L), (F, F), (OK, OK), (F, F), (F, F), (F, F), (OK, V), (F, F)]
RECALL: Row = [(L, L), (F, F), (OK, OK), (OK, OK), (OK, OK), (F, F), (F, F), (F, F)]
# A private product (its label sheet): as the product (no sign-in asked: 404 outside).
PRIVATE: Row = [(N, N), (N, N), (OK, OK), (OK, OK), (OK, N), (N, N), (OK, N), (N, N)]

# Marking a lot's labels printed (a public product: everyone sees it): who may edit it.
LABELS_PRINTED: Row = [(L, L), (F, F), (OK, OK), (F, F), (F, F), (F, F), (OK, F), (F, F)]

TRACEABILITY_PAGE_MATRIX: dict[str, dict[str, Row]] = {
    "traceability:diary": {"GET": DIARY},
    "traceability:diary-write": {"POST": DIARY_WRITE},
    "traceability:recall": {"GET": RECALL},
    "traceability:recall-csv": {"GET": RECALL},
    "traceability:labels": {"GET": PRIVATE},
    "traceability:labels-printed": {"POST": LABELS_PRINTED},
    "traceability:resolve-lot": {"GET": EVERYONE},  # the QR label's address
    "traceability:resolve": {"GET": EVERYONE},  # any Digital Link key (short names too)
    "traceability:compressed": {"GET": EVERYONE},  # a compressed Digital Link
    "traceability:vietnam-svg": {"GET": EVERYONE},  # the trace page's map background
}

CAPTURE: Row = [(U, U), (F, F), (OK, OK), (F, F), (F, F), (F, F), (OK, F), (F, F)]

TRACEABILITY_API_MATRIX: dict[str, Row] = {
    "POST /api/v1/epcis/capture": CAPTURE,
    "GET /api/v1/epcis/events": EVERYONE,  # what each may see (the public: public events)
    "GET /api/v1/epcis/recall": [(U, U), *RECALL[1:]],
    "GET /api/v1/digital-link": EVERYONE,
}


def _lot(w: Any, t: str) -> tuple[str, str]:
    return _diary(w, t)["public"].gtin, "MX-1"


def _write(w: Any, t: str) -> Call:
    made = _diary(w, t)
    body = {
        "org": w.organisation[t].pk,
        "crop-plot": made["plot"].pk,
        "crop-name": "Ngô",
        "crop-kind": "crop",
        "crop-started_on": "01/02/2026",
    }
    return page("traceability:diary-write", "crop", body=body)


def _document() -> dict[str, Any]:
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-05-01T07:00:00+07:00",
        "epcisBody": {
            "eventList": [
                {
                    "type": "ObjectEvent",
                    "eventID": f"urn:uuid:{uuid.uuid4()}",
                    "eventTime": "2026-05-01T07:00:00+07:00",
                    "eventTimeZoneOffset": "+07:00",
                    "action": "OBSERVE",
                    "epcList": ["https://id.gs1.org/00/089300000000000019"],
                }
            ]
        },
    }


TRACEABILITY_PAGE_CALLS: dict[tuple[str, str], Builder] = {
    ("traceability:diary", "GET"): lambda w, t: Call(
        "/traceability/", {"org": w.organisation[t].pk}
    ),
    ("traceability:diary-write", "POST"): _write,
    ("traceability:recall", "GET"): lambda w, t: Call(
        "/traceability/recall/", {"epc": "/".join(_lot(w, t))}
    ),
    ("traceability:recall-csv", "GET"): lambda w, t: Call(
        "/traceability/recall.csv", {"epc": "/".join(_lot(w, t))}
    ),
    ("traceability:labels", "GET"): lambda w, t: page(
        "traceability:labels", _diary(w, t)["private"].gtin, "MX-1"
    ),
    ("traceability:labels-printed", "POST"): lambda w, t: page(
        "traceability:labels-printed", _diary(w, t)["public"].gtin, "MX-1", body={}
    ),
    ("traceability:resolve-lot", "GET"): lambda w, t: page("traceability:resolve-lot", *_lot(w, t)),
    ("traceability:resolve", "GET"): lambda w, t: Call("/gtin/{}/lot/{}".format(*_lot(w, t))),
    ("traceability:compressed", "GET"): lambda w, t: Call(
        "/" + compress("https://x.vn/01/{}/10/{}".format(*_lot(w, t))).rsplit("/", 1)[1]
    ),
    ("traceability:vietnam-svg", "GET"): lambda w, t: page("traceability:vietnam-svg"),
}

TRACEABILITY_API_CALLS: dict[str, Builder] = {
    "POST /api/v1/epcis/capture": lambda w, t: Call(
        f"/api/v1/epcis/capture?organisation_id={w.organisation[t].pk}", body=_document()
    ),
    "GET /api/v1/epcis/events": lambda w, t: Call("/api/v1/epcis/events", {"perPage": 5}),
    "GET /api/v1/epcis/recall": lambda w, t: Call(
        "/api/v1/epcis/recall", {"epc": "/".join(_lot(w, t))}
    ),
    "GET /api/v1/digital-link": lambda w, t: Call(
        "/api/v1/digital-link", {"uri": "https://htxso.vn/01/{}/10/{}".format(*_lot(w, t))}
    ),
}
