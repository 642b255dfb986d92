"""The designations' pages: the list (central officers see who holds what), naming someone
(the secretariat or the system admin) and ending a designation (a confirmation page). Forms
validate, services write; a refusal says why in Vietnamese (422, what was typed kept)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Value
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from htxso.core.lists import build
from htxso.core.scoping import Action, Kind, may
from htxso.core.versions import StaleEdit

from ..forum.views import refused, version_of
from . import services
from .forms import DesignationFilter, DesignationForm, EndForm
from .lists import DESIGNATIONS
from .models import Designation

NAMES = {"agency_id": "agency", "user_id": "user"}


@login_required
@require_GET
def designations(request: HttpRequest) -> HttpResponse:
    if not may(request.user, Action.VIEW, Kind.DESIGNATION):
        raise PermissionDenied(_("Chỉ cán bộ theo dõi nhiệm vụ được xem danh sách phân công."))
    filters = DesignationFilter(request.GET)
    may_assign = may(request.user, Action.CREATE, Kind.DESIGNATION)
    rows = (
        filters.filter(Designation.objects.visible_to(request.user))
        .select_related("user", "agency", "assigned_by")
        .annotate(may_end=Value(may(request.user, Action.EDIT, Kind.DESIGNATION), BooleanField()))
    )
    listing = build(request, DESIGNATIONS, rows)
    context = {"filters": filters, "listing": listing, "may_assign": may_assign}
    return render(request, "tasks/designations.html", context, status=listing.status)


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    if not may(request.user, Action.CREATE, Kind.DESIGNATION):
        raise PermissionDenied(_("Chỉ Văn phòng Ban Chỉ đạo được phân công vai trò."))
    form = DesignationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.designate(
                request.user,
                data["user"].pk,
                data["function"],
                data["agency"].pk if data["agency"] else None,
                data["starts_on"],
                data["ends_on"],
                data["note"],
            )
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                for error in errors:
                    name = NAMES.get(field, field)
                    form.add_error(name if name in form.fields else None, error)
        else:
            messages.success(request, _("Đã phân công vai trò."))
            return redirect("tasks:designations")
    code = 422 if request.method == "POST" else 200
    context = {"form": form, "title": _("Phân công vai trò theo dõi nhiệm vụ")}
    return render(request, "tasks/designation_form.html", context, status=code)


@login_required
@require_http_methods(["GET", "POST"])
def end(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(
        Designation.objects.visible_to(request.user).select_related("user", "agency"), pk=pk
    )
    if not may(request.user, Action.EDIT, found):
        raise PermissionDenied(_("Chỉ Văn phòng Ban Chỉ đạo được kết thúc phân công."))
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end(request.user, pk, version_of(request), form.cleaned_data["note"])
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            refused(form, exc)
        else:
            messages.success(request, _("Đã kết thúc phân công."))
            return redirect("tasks:designations")
    code = 422 if request.method == "POST" else 200
    context = {
        "form": form,
        "found": found,
        "title": _("Kết thúc phân công"),
    }
    return render(request, "tasks/designation_form.html", context, status=code)
