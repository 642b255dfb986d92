"""The app's pages under /traceability/, and the Digital Link resolver at the site's root
(`/01/<gtin>/10/<lot>`, `/00/<sscc>`, `/414/<gln>`, `/8004/<giai>`…: every primary key of the
grammar, its short names, and compressed links `/<base64>`). A lot holding "/" arrives decoded
(`LO%2F1` → `LO/1`): the catch-all route hands the whole path to the parser."""

from django.urls import path, re_path

from . import public_views, views

app_name = "traceability"

KEYS = r"00|01|253|255|401|402|414|417|8003|8004|8006|8010|8013|8017|8018"
SHORT = r"gtin|itip|gmn|cpid|gln|party|gsrnp|gsrn|gcn|sscc|gdti|ginc|gsin|grai|giai"

urlpatterns = [
    path("traceability/", views.diary, name="diary"),
    path("traceability/write/<slug:what>/", views.diary_write, name="diary-write"),
    path("traceability/recall/", views.recall, name="recall"),
    path("traceability/recall.csv", views.recall_csv, name="recall-csv"),
    path(
        "traceability/labels/<str:gtin>/<str:lot>.pdf",
        public_views.label_sheet,
        name="labels",
    ),
    path(
        "traceability/labels/<str:gtin>/<str:lot>/printed/",
        views.labels_printed,
        name="labels-printed",
    ),
    path("traceability/map/vietnam.svg", public_views.vietnam_svg, name="vietnam-svg"),
    path("01/<str:gtin>/10/<str:lot>", public_views.resolve_lot, name="resolve-lot"),
    re_path(rf"^(?P<path>(?:{KEYS}|{SHORT})/.+)$", public_views.resolve, name="resolve"),
    # A compressed Digital Link (one URI-safe base64 segment, GS1 DL 1.2 §8).
    re_path(r"^(?P<path>[A-Za-z0-9_-]{10,})$", public_views.resolve_compressed, name="compressed"),
]
