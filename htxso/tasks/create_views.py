"""The secretariat's pages to enter a directive (with its file) and to give a task from it.
Forms validate what a person typed; the services decide the rest (a number already used, an
agency that does not exist, the dates of a recurrence) and their refusals come back on the
form by field, in Vietnamese, with what was typed kept (422)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from htxso.core.scoping import Action, Kind, may

from . import services
from .forms import DirectiveForm, TaskForm
from .models import Directive

# The services' argument names → the form's fields (errors go back where they were typed).
FIELDS = {"assignee_id": "assignee", "coordinating_ids": "coordinating", "lead_id": "lead"}


def _guard(request: HttpRequest) -> None:
    if not may(request.user, Action.CREATE, Kind.TASK):
        raise PermissionDenied(_("Chỉ Văn phòng Ban Chỉ đạo được giao nhiệm vụ."))


def _refused(form: Form, exc: ValidationError) -> None:
    for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
        name = FIELDS.get(field, field)
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


def _render(request: HttpRequest, form: Form, title: str, code: int) -> HttpResponse:
    context = {"form": form, "title": title, "multipart": True, "may_create": True}
    return render(request, "tasks/forum/form.html", context, status=code)


@login_required
@require_http_methods(["GET", "POST"])
def new_directive(request: HttpRequest) -> HttpResponse:
    _guard(request)
    form = DirectiveForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("file")
        try:
            made = services.create_directive(
                request.user,
                data["number"],
                data["issued_on"],
                data["issuer"],
                data["subject"],
                data["public"],
                upload,
                upload.name if upload else "",
            )
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(
                request, _("Đã nhập văn bản %(n)s; hãy giao các nhiệm vụ.") % {"n": made.number}
            )
            query = urlencode({"directive": made.number})
            return redirect(f"{reverse('tasks:task-new')}?{query}")
    code = 422 if request.method == "POST" else 200
    return _render(request, form, _("Nhập văn bản chỉ đạo"), code)


@login_required
@require_http_methods(["GET", "POST"])
def new_task(request: HttpRequest) -> HttpResponse:
    _guard(request)
    initial = {"directive": request.GET.get("directive", ""), "report_day": 5}
    form = TaskForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        directive = Directive.objects.filter(number=data["directive"].strip()).first()
        if directive is None:
            form.add_error("directive", _("Không có văn bản số %(n)s.") % {"n": data["directive"]})
        else:
            try:
                made = services.create_task(
                    request.user,
                    directive.pk,
                    data["title"],
                    int(data["assignee"]),
                    lead_id=int(data["lead"]) if data["lead"] else None,
                    coordinating_ids=[int(c) for c in data["coordinating"]],
                    recurrence=data["recurrence"],
                    due_on=data["due_on"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    report_day=int(data["report_day"]),
                    expected_output=data["expected_output"],
                    indicator_codes=data["indicator_codes"],
                )
            except ValidationError as exc:
                _refused(form, exc)
            else:
                messages.success(
                    request, _("Đã giao nhiệm vụ cho %(a)s.") % {"a": made.assignee.name}
                )
                return redirect("tasks:task", pk=made.pk)
    code = 422 if request.method == "POST" else 200
    return _render(request, form, _("Giao nhiệm vụ"), code)
