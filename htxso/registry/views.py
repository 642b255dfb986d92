"""Registry pages. Reads start from `visible_to`; counts come from aggregates when they can."""

from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.html import escape
from django.views.decorators.http import require_GET

from htxso.core import shell
from htxso.core.lists import build
from htxso.core.models import Commune, Province
from htxso.core.scoping import Action, may

from . import aggregates
from .choices import CLOSED_STATUSES, MemberKind, OrganisationKind
from .filters import OrganisationFilter
from .lists import ORGANISATIONS
from .models import Membership, Organisation, RegistryAggregate, can_create_organisations

LIST_COLUMNS = (
    "id",
    "name",
    "kind",
    "tax_code",
    "status",
    "province_id",
    "commune_id",
    "members_count",
    "established_on",
    "is_agricultural",
    "name_key",
    "sector",
)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    national = aggregates.summarise(RegistryAggregate.objects.all())
    provinces = aggregates.by_province()
    return render(request, "registry/home.html", {"national": national, "provinces": provinces})


def _count(form: OrganisationFilter, queryset: QuerySet[Organisation]) -> tuple[int, bool]:
    """(count, exact). Aggregates answer exactly; otherwise count up to a bound."""
    lookups = form.aggregate_filters()
    if lookups is not None:
        total = RegistryAggregate.objects.filter(**lookups).aggregate(n=Sum("organisations"))["n"]
        return total or 0, True
    limit = settings.REGISTRY_COUNT_LIMIT
    n = queryset.order_by()[: limit + 1].count()
    return min(n, limit), n <= limit


@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationFilter(request.GET or None)
    queryset = form.filter(Organisation.objects.visible_to(request.user))
    # Places are named from the process's unit names (`core.units.place_name`): no join before
    # the top-N sort (it would join every match) and no query per page for the rows' places.
    queryset = queryset.only(*LIST_COLUMNS)
    listing = build(request, ORGANISATIONS, queryset, count=lambda qs: _count(form, qs))
    can_create = can_create_organisations(request.user)
    context = {"can_create": can_create, "form": form, "listing": listing}
    # The results use no context processor but the CSRF token (the column chooser's form).
    token = get_token(request)
    results = render_to_string("registry/_results.html", {**context, "csrf_token": token})
    if request.headers.get("HX-Request"):
        return HttpResponse(results, status=listing.status)
    if not shell.usable(request):
        page = render_to_string("registry/list.html", {**context, "results": results}, request)
        return HttpResponse(page, status=listing.status)
    # An anonymous visitor: the layout and the filter form are kept per language
    # (`core.shell`); the search words, the selected options and the results are this request's.
    slots: dict[str, str] = {
        "q": escape(form["q"].value() or ""),
        "results": results,
        "csrf_token": escape(token),
    }
    slots.update((f"option:{name}", html) for name, html in form.options.items())
    kept = shell.render(
        request, "registry/list.html", lambda: _layout(form, can_create), slots, (can_create,)
    )
    return HttpResponse(kept, status=listing.status)


def _layout(form: OrganisationFilter, can_create: bool) -> dict[str, Any]:
    """list.html's context with a marker for each value `organisation_list` fills per request."""
    return {
        "can_create": can_create,
        "form": {
            "labels": form.labels,
            "options": {name: shell.marker(f"option:{name}") for name in form.SELECTS},
            "q": {"value": shell.marker("q"), "field": form["q"].field},
        },
        "results": shell.marker("results"),
    }


@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(
        Organisation.objects.visible_to(request.user).select_related("province", "commune"), pk=pk
    )
    # Counts by member kind are statistics, not personal data: no person scoping needed.
    counts = dict(
        Membership.objects.filter(organisation=organisation, left_on__isnull=True)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    member_counts = [(label, counts.get(kind, 0)) for kind, label in MemberKind.choices]
    unions = (
        Membership.objects.filter(member_organisation=organisation, left_on__isnull=True)
        .select_related("organisation")
        .order_by("organisation__name_key")
    )
    member_cooperatives = (
        Membership.objects.filter(
            organisation=organisation, member_organisation__isnull=False, left_on__isnull=True
        )
        .select_related("member_organisation")
        .order_by("member_organisation__name_key")
    )
    user = request.user
    can_edit = Organisation.objects.editable_by(user).filter(pk=pk).exists()
    context = {
        "can_edit": can_edit,
        "can_see_members": can_edit
        or Membership.objects.visible_to(user).filter(organisation=organisation).exists(),
        "can_see_history": may(user, Action.VIEW, organisation, scope=Organisation.audit_scope),
        "organisation": organisation,
        "history": organisation.status_history.all(),
        "member_counts": member_counts,
        "member_total": sum(counts.values()),
        "unions": unions,
        "member_cooperatives": member_cooperatives,
    }
    return render(request, "registry/organisation.html", context)


@require_GET
def province_detail(request: HttpRequest, code: str) -> HttpResponse:
    province = get_object_or_404(Province, code=code)
    summary = aggregates.summarise(RegistryAggregate.objects.filter(province=province))
    largest = (
        Organisation.objects.visible_to(request.user)
        .filter(province=province, kind=OrganisationKind.COOPERATIVE)
        .exclude(status__in=CLOSED_STATUSES)  # a dissolved HTX has no current members
        .select_related("commune")
        .only("id", "name", "tax_code", "status", "members_count", "commune__name", "kind")
        .order_by("-members_count", "id")[:20]
    )
    context = {
        "province": province,
        "summary": summary,
        "largest": largest,
        "communes": province.communes.count(),
        "legacy_provinces": province.legacy_provinces.all(),
    }
    return render(request, "registry/province.html", context)


@require_GET
def commune_options(request: HttpRequest) -> HttpResponse:
    """<option> elements for the commune filter once a province is chosen (HTMX)."""
    code = request.GET.get("province", "")
    communes = Commune.objects.filter(province_id=code).only("code", "name") if code else []
    return render(request, "registry/_commune_options.html", {"communes": communes})
