"""The forum's pages: the editions (public), an edition with its programme, documents and
connection points, the secretariat's new edition and documents, a connection point with its
delegates (the province keeps it; a cooperative registers its own people). Forms validate,
services write; a refusal says why in Vietnamese (422, what was typed kept)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from htxso.core.roles import Role
from htxso.core.scoping import Action, Kind, may, role_of
from htxso.core.uploads import attachment
from htxso.core.versions import StaleEdit

from .. import services as tasks
from . import services
from .forms import DelegateForm, DocumentForm, EditionForm, PointForm
from .models import ConnectionPoint, Delegate, Edition, EditionDocument, Recommendation, Topic


def version_of(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def refused(form: Form, exc: ValidationError) -> None:
    """A service's refusal onto the form, each message by its field."""
    for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def organises(user: Any) -> bool:
    return may(user, Action.RELEASE, Kind.FORUM)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The latest edition (its own page is the same, at its year)."""
    latest = Edition.objects.visible_to(request.user).order_by("-year").first()
    if latest is None:
        return render(request, "tasks/forum/edition.html", {"edition": None, "editions": []})
    return _edition_page(request, latest)


@require_GET
def edition(request: HttpRequest, year: int) -> HttpResponse:
    return _edition_page(
        request, get_object_or_404(Edition.objects.visible_to(request.user), year=year)
    )


def _edition_page(request: HttpRequest, found: Edition) -> HttpResponse:
    points = (
        ConnectionPoint.objects.visible_to(request.user)
        .filter(edition=found)
        .select_related("province")
        .annotate(delegates_count=Count("delegates"))
        .order_by("province__name")
    )
    seen = Recommendation.objects.visible_to(request.user).filter(edition=found)
    by_topic = {r["topic"]: r["n"] for r in seen.order_by().values("topic").annotate(n=Count("id"))}
    mine = role_of(request.user) in (Role.PROVINCIAL_OFFICER, Role.COOPERATIVE_MANAGER)
    context = {
        "edition": found,
        "editions": Edition.objects.visible_to(request.user).only("year"),
        "documents": found.documents.all(),
        "points": points,
        "topics": [(t, by_topic.get(t.value, 0)) for t in Topic],
        "recommendations": sum(by_topic.values()),
        "organises": organises(request.user),
        "may_raise": may(request.user, Action.CREATE, Kind.FORUM),
        "own_province": getattr(request.user, "province_id", None) if mine else None,
        "document_form": DocumentForm(),
    }
    return render(request, "tasks/forum/edition.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def new_edition(request: HttpRequest) -> HttpResponse:
    if not organises(request.user):
        raise PermissionDenied(_("Chỉ Văn phòng Ban Chỉ đạo được tổ chức diễn đàn."))
    form = EditionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.create_edition(
                request.user,
                data["year"],
                data["theme"],
                data["held_on"],
                data["venue"],
                data["programme"],
            )
        except ValidationError as exc:
            refused(form, exc)
        else:
            messages.success(request, _("Đã tạo diễn đàn và các điểm cầu của 34 tỉnh, thành phố."))
            return redirect("tasks:forum-edition", year=made.year)
    code = 422 if request.method == "POST" else 200
    return render(
        request, "tasks/forum/form.html", _form_page(form, _("Tổ chức diễn đàn mới")), status=code
    )


def _form_page(form: Form, title: str, **extra: Any) -> dict[str, Any]:
    return {"form": form, "title": title, **extra}


@login_required
@require_POST
def add_document(request: HttpRequest, year: int) -> HttpResponse:
    found = get_object_or_404(Edition.objects.visible_to(request.user), year=year)
    if not organises(request.user):
        raise PermissionDenied(_("Chỉ Văn phòng Ban Chỉ đạo được tổ chức diễn đàn."))
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.add_document(
                request.user, found.pk, form.cleaned_data["title"], upload, upload.name
            )
        except ValidationError as exc:
            refused(form, exc)
        else:
            messages.success(request, _("Đã thêm tài liệu."))
            return redirect("tasks:forum-edition", year=year)
    context = _form_page(form, _("Thêm tài liệu diễn đàn"), multipart=True)
    return render(request, "tasks/forum/form.html", context, status=422)


@require_GET
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    found = get_object_or_404(EditionDocument.objects.visible_to(request.user), pk=pk)
    return attachment(request.user, found, found.file, found.filename)


def _point_page(
    request: HttpRequest,
    point: ConnectionPoint,
    form: PointForm | None = None,
    delegate_form: DelegateForm | None = None,
    code: int = 200,
) -> HttpResponse:
    user = request.user
    editable = may(user, Action.EDIT, point)
    own = role_of(user) == Role.COOPERATIVE_MANAGER
    org_province = tasks_province(user) if own else None
    may_register = point.edition.held_on >= tasks.today() and (
        editable or (own and org_province == point.province_id)
    )
    context = {
        "point": point,
        "delegates": Delegate.objects.visible_to(user).filter(point=point).order_by("id"),
        "editable": editable,
        "form": form
        or PointForm(
            initial={"host": point.host, "place": point.place, "attendance": point.attendance}
        ),
        "may_register": may_register,
        "delegate_form": delegate_form or DelegateForm(own_organisation=own),
        "organises": organises(user),
        "may_raise": may(user, Action.CREATE, Kind.FORUM),
    }
    return render(request, "tasks/forum/point.html", context, status=code)


def tasks_province(user: Any) -> str | None:
    """The province of a manager's cooperative (where it registers delegates)."""
    org = services.organisation_of(user)
    return org.province_id if org else None


def _point(request: HttpRequest, pk: int) -> ConnectionPoint:
    return get_object_or_404(
        ConnectionPoint.objects.visible_to(request.user).select_related("edition", "province"),
        pk=pk,
    )


@require_http_methods(["GET", "POST"])
def point(request: HttpRequest, pk: int) -> HttpResponse:
    found = _point(request, pk)
    if request.method == "GET":
        return _point_page(request, found)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may(request.user, Action.EDIT, found):
        raise PermissionDenied(_("Chỉ cán bộ của tỉnh được cập nhật điểm cầu của tỉnh."))
    form = PointForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_point(
                request.user,
                found.pk,
                version_of(request),
                data["host"],
                data["place"],
                data["attendance"],
            )
        except StaleEdit as exc:
            messages.warning(request, str(exc))
            return redirect("tasks:forum-point", pk=found.pk)
        except ValidationError as exc:
            refused(form, exc)
        else:
            messages.success(request, _("Đã cập nhật điểm cầu."))
            return redirect("tasks:forum-point", pk=found.pk)
    return _point_page(request, found, form=form, code=422)


@login_required
@require_POST
def register_delegate(request: HttpRequest, pk: int) -> HttpResponse:
    found = _point(request, pk)
    own = role_of(request.user) == Role.COOPERATIVE_MANAGER
    form = DelegateForm(request.POST, own_organisation=own)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.register_delegate(
                request.user,
                found.pk,
                data["name"],
                data["position"],
                data.get("unit", ""),
                data.get("kind", ""),
            )
        except ValidationError as exc:
            refused(form, exc)
        else:
            messages.success(request, _("Đã đăng ký đại biểu."))
            return redirect("tasks:forum-point", pk=found.pk)
    return _point_page(request, found, delegate_form=form, code=422)
