"""Editing pages of the registry: forms validate, services write (with audit), and a refused
change says why in Vietnamese without losing what the user typed."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from htxso.core.history import changes
from htxso.core.models import AuditEntry
from htxso.core.pagination import InvalidCursor, keyset_paginate
from htxso.core.personal import REVEALED, masked_data, may_reveal, reveal
from htxso.core.scoping import Action, may

from . import services
from .choices import OrganisationKind
from .forms import (
    ContactForm,
    EndMembershipForm,
    MembershipForm,
    OrganisationForm,
    StatusChangeForm,
)
from .models import Membership, Organisation, Person, can_create_organisations


def _editable(request: HttpRequest, pk: int) -> Organisation:
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), pk=pk)
    if not Organisation.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied(_("Bạn không có quyền thay đổi tổ chức này."))
    return organisation


def _add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's errors on the form's fields (or on the form when no field matches)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field.removesuffix("_id")
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc.error_list)


def _render_form(
    request: HttpRequest, template: str, context: dict[str, Any], form: forms.BaseForm
) -> HttpResponse:
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, template, {**context, "form": form}, status=status)


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    if not can_create_organisations(request.user):
        raise PermissionDenied(_("Bạn không có quyền tạo tổ chức."))
    initial = {"province": getattr(request.user, "province_id", None) or ""}
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.create_organisation(request.user, **form.service_fields())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã tạo tổ chức %(name)s.") % {"name": organisation.name})
            return redirect(organisation)
    return _render_form(request, "registry/organisation_form.html", {"creating": True}, form)


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _editable(request, pk)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version") or 0
        try:
            services.update_organisation(request.user, pk, version, **form.service_fields())
        except services.StaleEdit as exc:
            form.add_error(None, str(exc))
            return render(
                request,
                "registry/organisation_form.html",
                {"form": form, "organisation": organisation},
                status=409,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("registry:organisation", pk=pk)
    return _render_form(
        request, "registry/organisation_form.html", {"organisation": organisation}, form
    )


@login_required
def status_change(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _editable(request, pk)
    form = StatusChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_status(request.user, pk, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận thay đổi tình trạng."))
            return redirect(organisation)
    return _render_form(request, "registry/status_form.html", {"organisation": organisation}, form)


def _add_member(request: HttpRequest, pk: int, data: dict) -> None:
    capital = data.get("capital_contributed") or 0
    if data.get("cccd"):
        services.add_person_member(
            request.user,
            pk,
            data["kind"],
            data["joined_on"],
            data["cccd"],
            data.get("full_name") or "",
            data.get("birth_date"),
            capital,
        )
        return
    member_org = Organisation.objects.filter(tax_code=data["member_tax_code"].strip()).first()
    if member_org is None:
        raise ValidationError({"member_tax_code": _("Không có tổ chức với mã số thuế này.")})
    services.add_membership(
        request.user,
        pk,
        data["kind"],
        data["joined_on"],
        member_organisation=member_org,
        capital_contributed=capital,
    )


@login_required
def members(request: HttpRequest, pk: int) -> HttpResponse:
    """Members of one organisation: personal data masked; adding and ending for editors."""
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), pk=pk)
    visible = Membership.objects.visible_to(request.user).filter(organisation=organisation)
    can_edit = Organisation.objects.editable_by(request.user).filter(pk=pk).exists()
    national = getattr(request.user, "is_national", False)
    if not (national or can_edit or visible.exists()):
        raise PermissionDenied(_("Bạn không có quyền xem danh sách thành viên của tổ chức này."))
    form = MembershipForm(request.POST or None)
    form.organisation = organisation
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Bạn không có quyền thay đổi tổ chức này."))
        if form.is_valid():
            try:
                _add_member(request, pk, form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            except services.identity.TooManyMismatches as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Đã thêm thành viên."))
                return redirect("registry:members", pk=pk)
    rows = visible.filter(left_on__isnull=True).select_related("person", "member_organisation")
    try:
        page = keyset_paginate(rows, "id", False, request.GET.get("cursor") or None, 50)
    except InvalidCursor:
        page = keyset_paginate(rows, "id", False, None, 50)
    context = {
        "organisation": organisation,
        "page": page,
        "can_edit": can_edit,
        "end_form": EndMembershipForm(),
        # The streamed member exports (exchange) of this organisation's current members, for
        # roles with a personal-data scope (masked unless the role may see it in full).
        "may_export": not Membership.objects.visible_to(request.user).query.is_empty(),
    }
    return _render_form(request, "registry/members.html", context, form)


@login_required
@require_POST
def membership_end(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.visible_to(request.user), pk=pk)
    form = EndMembershipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ngày chấm dứt không hợp lệ."))
    else:
        try:
            services.end_membership(request.user, pk, form.cleaned_data["left_on"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã chấm dứt tư cách thành viên."))
    return redirect("registry:members", pk=membership.organisation_id)


@login_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """The organisation's audit trail (its own changes and its memberships'), newest first."""
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), pk=pk)
    if not may(request.user, Action.VIEW, organisation, scope=Organisation.audit_scope):
        raise PermissionDenied(_("Bạn không có quyền xem lịch sử thay đổi của tổ chức này."))
    entries = (
        AuditEntry.objects.filter(
            Q(object_type="registry.organisation", object_id=str(pk))
            | Q(object_type="registry.membership", after__organisation=pk)
            | Q(object_type="registry.membership", before__organisation=pk)
        )
        .select_related("actor")
        .order_by("-at", "-id")[:200]
    )
    shown = _shown(entries, revealed=False)
    if not any(e.action == "create" for e in shown) and (imported := _imported_by(pk)):
        shown.append(imported)  # the oldest: the import that created it set-wise
    return render(
        request,
        "registry/history.html",
        {
            "organisation": organisation,
            "entries": shown,
            "is_union": organisation.kind == OrganisationKind.COOPERATIVE_UNION,
        },
    )


@login_required
def my_contact(request: HttpRequest) -> HttpResponse:
    """A member keeps their own contact details up to date (DESIGN: member changes own contact)."""
    person_id = getattr(request.user, "person_id", None)
    if not person_id:
        raise PermissionDenied(_("Tài khoản của bạn chưa gắn với một cá nhân trong cơ sở dữ liệu."))
    person = get_object_or_404(Person, pk=person_id)
    form = ContactForm(
        request.POST or None,
        initial={"phone": person.phone, "email": person.email, "address": person.address},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person_contact(request.user, person_id, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thông tin liên hệ."))
            return redirect("my-contact")
    return _render_form(request, "registry/contact_form.html", {"person": person}, form)


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """A person in the user's scope: personal data masked; POST reveals it (logged) to the
    roles that need it. Shows the person's memberships and change history."""
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    revealed = False
    if request.method == "POST":
        # PermissionDenied for roles that do not need it; the page shows the audit values too.
        reveal(request.user, person, (*REVEALED, "history"))
        revealed = True
    memberships = (
        Membership.objects.visible_to(request.user)
        .filter(person=person)
        .select_related("organisation")
        .order_by("-joined_on")[:100]
    )
    entries = _person_entries(request.user, person, memberships)
    context = {
        "person": person,
        "revealed": revealed,
        "may_reveal": may_reveal(request.user),
        "memberships": memberships,
        "entries": _shown(entries, revealed),
    }
    return render(request, "registry/person.html", context)


# Entries about a person that say who looked them up or tried to: for the person, the province
# they live in and national roles, not for every organisation they belong to.
WATCH_ACTIONS = ("reveal", "identity_mismatch")


def _imported_by(pk: int) -> AuditEntry | None:
    """The import that created the organisation set-wise: an import's SQL lane audits its new
    organisations by one `import_create` entry on the job, naming their ids as ranges (the
    member import's way); shown as the organisation's creation, without the job's counts."""
    jobs = AuditEntry.objects.filter(object_type="exchange.importjob", action="import_create")
    for entry in jobs.select_related("actor").order_by("-id")[:1000]:
        ranges = (entry.after or {}).get("ids", []) if isinstance(entry.after, dict) else []
        if any(low <= pk <= high for low, high in ranges):
            entry.after = None
            return entry
    return None


def _person_entries(user: Any, person: Person, memberships: Iterable[Membership]) -> Any:
    """The person's own changes and those of the memberships the user sees (who added the
    person, and when: the person sees who linked them)."""
    membership_ids = [str(m.pk) for m in memberships]
    entries = AuditEntry.objects.filter(
        Q(object_type="registry.person", object_id=str(person.pk))
        | Q(object_type="registry.membership", object_id__in=membership_ids)
    )
    if not may(user, Action.VIEW, person, scope=Person.audit_scope):
        entries = entries.exclude(action__in=WATCH_ACTIONS)
    return entries.select_related("actor").order_by("-at", "-id")[:100]


def _shown(entries: Iterable[AuditEntry], revealed: bool) -> list[AuditEntry]:
    """Audit entries with their personal values masked, unless the page was revealed (a logged
    reveal): reading them in full is a reveal too."""
    shown = list(entries)
    for entry in shown:
        if not revealed:
            entry.before = masked_data(entry.before)
            entry.after = masked_data(entry.after)
        entry.changes = changes(entry)  # type: ignore[attr-defined]  # as the pages write them
    return shown
