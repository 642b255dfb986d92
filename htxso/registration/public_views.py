"""Public pages of registration: the certificate's verification (opened by its QR code), the
lookup of registered organisations by code or name (diacritics-insensitive), and the
certificate PDF (for those who see the application)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from htxso.registry.filters import search
from htxso.registry.models import Organisation

from .certificate import read_token, token
from .certificate import render as render_pdf
from .models import Application, Certificate


def verify_url(request: HttpRequest, certificate: Certificate) -> str:
    return request.build_absolute_uri(reverse("registration:verify", args=[token(certificate)]))


@require_GET
def certificate_pdf(request: HttpRequest, serial: str) -> HttpResponse:
    certificate = get_object_or_404(
        Certificate.objects.filter(
            application__in=Application.objects.visible_to(request.user)
        ).select_related("organisation"),
        serial=serial,
    )
    response = HttpResponse(
        render_pdf(certificate, verify_url(request, certificate)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{certificate.serial}.pdf"'
    return response


# What the verification page reads of a certificate (no organisation join: the facts it shows
# are the certificate's own, as issued).
SHOWN = ("serial", "code", "facts", "issued_at", "superseded_at", "organisation_id")


@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """Genuine and current, superseded (by a later certificate), or not issued here."""
    data = read_token(token)
    certificate = None
    if data is not None:  # the columns the page shows: a small query, quick to build
        certificate = (
            Certificate.objects.filter(serial=data["s"], code=data.get("c", ""))
            .only(*SHOWN)
            .first()
        )
    if certificate is None:
        verdict = "forged"
    elif certificate.superseded_at is not None:
        verdict = "superseded"
    else:
        verdict = "current"
    current = None
    if certificate is not None and verdict == "superseded":
        current = (
            Certificate.objects.filter(
                organisation_id=certificate.organisation_id, superseded_at__isnull=True
            )
            .order_by("-issued_at")
            .first()
        )
    return render(
        request,
        "registration/verify.html",
        {"verdict": verdict, "certificate": certificate, "current": current},
        status=200 if certificate is not None else 404,
    )


@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    """Registered organisations by code or name, with their current certificate."""
    query = request.GET.get("q", "").strip()[:100]
    found: list[tuple[Organisation, Certificate | None]] = []
    if query:
        organisations = search(Organisation.objects.visible_to(request.user), query)
        codes = Certificate.objects.filter(code=query).values("organisation_id")
        if not query.isdigit():
            organisations = organisations | Organisation.objects.filter(pk__in=codes)
        rows = list(organisations.select_related("province").order_by("name_key", "id")[:20])
        current = {
            c.organisation_id: c
            for c in Certificate.objects.filter(organisation__in=rows, superseded_at__isnull=True)
        }
        found = [(o, current.get(o.pk)) for o in rows]
    return render(request, "registration/lookup.html", {"q": query, "found": found})
