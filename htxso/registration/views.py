"""Registration pages: the founder's applications (start, fill in over several visits, members,
files, submit, withdraw, the timeline), the office's queue and decisions, the guarded download
of a dossier file. Forms validate; services write; a refusal says why in Vietnamese (422, what
was typed kept) and a stale version asks to reload."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from htxso.core.lists import build
from htxso.core.scoping import Action, Kind, may
from htxso.core.units import commune_names
from htxso.core.uploads import attachment
from htxso.core.versions import StaleEdit

from . import changes, decisions, leaving, rules, services
from .filters import QueueFilter
from .forms import (
    ChangeForm,
    DraftForm,
    LeavingForm,
    MemberForm,
    NoteForm,
    StartForm,
    UploadForm,
)
from .lists import QUEUE, left
from .models import EDITABLE, Application

DECISIONS: dict[str, tuple[Callable[..., Application], bool, str]] = {
    # action → (service, needs a note, what the page says afterwards)
    "take": (decisions.take, False, gettext_noop("Đã nhận xử lý hồ sơ.")),
    "ask_corrections": (
        decisions.ask_corrections,
        True,
        gettext_noop("Đã gửi yêu cầu sửa đổi, bổ sung."),
    ),
    "approve": (decisions.approve, False, gettext_noop("Đã cấp đăng ký.")),
    "refuse": (decisions.refuse, True, gettext_noop("Đã từ chối hồ sơ.")),
}


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _visible(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(
        Application.objects.visible_to(request.user).select_related("province", "applicant"),
        pk=pk,
    )


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The founder's own applications, the form starting a new one, and the one asking a
    change or the dissolution of an organisation they registered."""
    user: Any = request.user
    if not may(user, Action.CREATE, Kind.APPLICATION):
        raise PermissionDenied(_("Trang này dành cho người nộp hồ sơ đăng ký."))
    posted = request.POST if request.method == "POST" else None
    asks_change = posted is not None and "purpose" in posted
    organisations = [(o.pk, o.name) for o in changes.organisations_of(user)[:200]]
    form = StartForm(None if asks_change else posted, initial={"province": user.province_id})
    change_form = ChangeForm(posted if asks_change else None, organisations=organisations)
    status = 200
    if request.method == "POST":
        active = change_form if asks_change else form
        if active.is_valid():
            try:
                if asks_change:
                    application = changes.start_change(
                        user,
                        change_form.cleaned_data["organisation"],
                        change_form.cleaned_data["purpose"],
                    )
                else:
                    application = services.start(
                        user,
                        form.cleaned_data["kind"],
                        form.cleaned_data["province"],
                        name=form.cleaned_data["name"],
                        email=user.email,
                    )
            except ValidationError as exc:
                active.add_error(None, _errors(exc))
            else:
                messages.success(
                    request, _("Đã lập hồ sơ nháp; bạn có thể điền tiếp bất cứ lúc nào.")
                )
                return redirect("registration:application", application.pk)
        status = 422
    applications = Application.objects.visible_to(request.user).filter(applicant_id=request.user.pk)
    return render(
        request,
        "registration/mine.html",
        {
            "form": form,
            "change_form": change_form if organisations else None,
            "applications": applications.order_by("-updated_at"),
        },
        status=status,
    )


def _page(
    request: HttpRequest, application: Application, status: int = 200, **forms_: forms.Form
) -> HttpResponse:
    communes = list(commune_names(application.province_id))
    data = {
        "name": application.name,
        "sector": application.sector,
        "commune": application.commune_id or "",
        "street": application.street,
        "charter_capital": application.charter_capital,
        "legal_representative": application.legal_representative,
        "phone": application.phone,
        "email": application.email,
        "statement": application.statement,
    }
    user: Any = request.user
    rule = rules.load().for_kind(application.kind, application.purpose)
    uploaded = {f.document: f for f in application.files.all()}
    context = {
        "a": application,
        "rule": rule,
        "documents": [(d, uploaded.get(d.code)) for d in rule.documents],
        "members": application.members.order_by("id"),
        "events": application.events.select_related("actor"),
        "editable": application.status in EDITABLE and application.applicant_id == user.pk,
        "is_applicant": application.applicant_id == user.pk,
        "is_office": may(user, Action.REVIEW, application),
        "missing": services.missing(application) if application.status in EDITABLE else [],
        "left": left(application),
        "certificate": application.certificates.order_by("-issued_at").first(),
        "draft_form": forms_.get("draft_form")
        or DraftForm(initial=data, communes=communes, purpose=application.purpose),
        "member_form": forms_.get("member_form") or MemberForm(),
        "upload_form": forms_.get("upload_form")
        or UploadForm(kind=application.kind, purpose=application.purpose),
        "note_form": forms_.get("note_form") or NoteForm(),
        "leaving": application.leaving.order_by("id"),
        "below_minimum": leaving.minimum_problem(application),
    }
    # A household business has no members (the registry's rule): nobody to leave.
    if (
        application.purpose == "change"
        and application.kind != "household_business"
        and context["editable"]
    ):
        context["leaving_form"] = forms_.get("leaving_form") or LeavingForm.of(application)
    return render(request, "registration/application.html", context, status=status)


@require_GET
@login_required
def application(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _visible(request, pk))


def _run(
    request: HttpRequest,
    pk: int,
    write: Callable[[Application], Any],
    done: str,
    form_name: str = "",
    form: forms.Form | None = None,
) -> HttpResponse:
    """Call a service for the application `pk`; back to its page with the outcome."""
    application = _visible(request, pk)
    try:
        write(application)
    except StaleEdit as exc:
        messages.error(request, str(exc))
        return redirect("registration:application", pk)
    except ObjectDoesNotExist:  # the application, or a part of it, not there
        raise Http404 from None
    except ValidationError as exc:
        application.refresh_from_db()
        if form is None:
            form = NoteForm()
        form.add_error(None, _errors(exc))
        return _page(request, application, 422, **{form_name or "note_form": form})
    messages.success(request, done)
    return redirect("registration:application", pk)


@require_POST
@login_required
def save(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible(request, pk)
    form = DraftForm(
        request.POST,
        communes=list(commune_names(application.province_id)),
        purpose=application.purpose,
    )
    if not form.is_valid():
        return _page(request, application, 422, draft_form=form)
    data = dict(form.cleaned_data)
    if "commune" in data:
        data["commune_id"] = data.pop("commune") or None
    return _run(
        request,
        pk,
        lambda a: services.save_draft(request.user, a.pk, _version(request), **data),
        _("Đã lưu hồ sơ nháp."),
        "draft_form",
        form,
    )


@require_POST
@login_required
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible(request, pk)
    form = MemberForm(request.POST)
    if not form.is_valid():
        return _page(request, application, 422, member_form=form)
    data = {
        **form.cleaned_data,
        "capital_contributed": form.cleaned_data["capital_contributed"] or 0,
    }
    return _run(
        request,
        pk,
        lambda a: services.add_member(request.user, a.pk, _version(request), **data),
        _("Đã thêm thành viên sáng lập."),
        "member_form",
        form,
    )


@require_POST
@login_required
def member_remove(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    return _run(
        request,
        pk,
        lambda a: services.remove_member(request.user, a.pk, _version(request), member),
        _("Đã bỏ thành viên khỏi danh sách."),
    )


@require_POST
@login_required
def leaving_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible(request, pk)
    form = LeavingForm.of(application, request.POST)
    if not form.is_valid():
        return _page(request, application, 422, leaving_form=form)
    data = form.cleaned_data
    return _run(
        request,
        pk,
        lambda a: leaving.add_leaving(
            request.user,
            a.pk,
            _version(request),
            data["left_on"],
            membership_id=data.get("membership"),
            cccd=data["cccd"],
            reason=data["reason"],
        ),
        _("Đã ghi thành viên ra khỏi."),
        "leaving_form",
        form,
    )


@require_POST
@login_required
def leaving_remove(request: HttpRequest, pk: int, row: int) -> HttpResponse:
    return _run(
        request,
        pk,
        lambda a: leaving.remove_leaving(request.user, a.pk, _version(request), row),
        _("Đã bỏ khỏi danh sách thành viên ra khỏi."),
    )


@require_POST
@login_required
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible(request, pk)
    form = UploadForm(
        request.POST, request.FILES, kind=application.kind, purpose=application.purpose
    )
    if not form.is_valid():
        return _page(request, application, 422, upload_form=form)
    file = form.cleaned_data["file"]
    return _run(
        request,
        pk,
        lambda a: services.upload(
            request.user, a.pk, _version(request), form.cleaned_data["document"], file, file.name
        ),
        _("Đã tải tệp lên."),
        "upload_form",
        form,
    )


@require_POST
@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(
        request,
        pk,
        lambda a: services.submit(request.user, a.pk, _version(request)),
        _("Đã nộp hồ sơ. Cơ quan đăng ký sẽ giải quyết trong thời hạn luật định."),
    )


@require_POST
@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(
        request,
        pk,
        lambda a: services.withdraw(
            request.user, a.pk, _version(request), request.POST.get("note", "")
        ),
        _("Đã rút hồ sơ."),
    )


@require_POST
@login_required
def decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in DECISIONS:
        raise Http404
    service, with_note, done = DECISIONS[action]
    note = request.POST.get("note", "")
    form = NoteForm(request.POST)
    if with_note:
        write = lambda a: service(request.user, a.pk, _version(request), note)  # noqa: E731
    else:
        write = lambda a: service(request.user, a.pk, _version(request))  # noqa: E731
    return _run(request, pk, write, _(done), "note_form", form)


@require_GET
@login_required
def dossier_file(request: HttpRequest, pk: int, file: int) -> FileResponse:
    """A dossier file, as an attachment (never inline), for whom may see the application."""
    application = _visible(request, pk)
    stored = get_object_or_404(application.files, pk=file)
    return attachment(request.user, application, stored.file, stored.filename)


@require_GET
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The office's queue: cases waiting, nearest legal deadline first."""
    if not may(request.user, Action.REVIEW, Kind.APPLICATION):
        raise PermissionDenied(_("Trang này dành cho cơ quan đăng ký."))
    filters = QueueFilter(request.GET)
    cases = filters.filter(Application.objects.reviewable_by(request.user))
    listing = build(request, QUEUE, cases)
    return render(
        request,
        "registration/queue.html",
        {"filters": filters, "listing": listing},
        status=listing.status,
    )
