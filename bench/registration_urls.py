"""URLconf of the registration benchmark's server: the product's URLs plus one bare view.

The bare view reads the row the verification page reads (a certificate by its serial and
code) with plain Django — a values() query and a JsonResponse: no template, no signature check,
no middleware work of its own. It is the floor the verification page is compared with
(`bench/registration.py`), never part of the product: the server loads this module only with
ROOT_URLCONF=registration_urls and bench/ on PYTHONPATH.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from htxso.registration.models import Certificate
from htxso.urls import urlpatterns as product_urlpatterns

FIELDS = ("serial", "code", "facts", "issued_at", "superseded_at", "organisation_id")


def bare_certificate(request: HttpRequest, serial: str, code: str) -> JsonResponse:
    row = Certificate.objects.filter(serial=serial, code=code).values(*FIELDS).first()
    if row is None:
        return JsonResponse({"code": "not_found"}, status=404)
    return JsonResponse(row)


urlpatterns = [
    *product_urlpatterns,
    path("bench/bare/certificates/<str:serial>/<str:code>", bare_certificate),
]
