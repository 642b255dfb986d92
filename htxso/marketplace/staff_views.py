"""The seller staff pages: the manager's list of who sells for the organisation (invite,
revoke, cancel an invitation) and the invited person's page to accept the link."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from htxso.core.forms import StyledForm
from htxso.core.scoping import Action, may
from htxso.core.versions import StaleEdit

from . import staff as writes
from .staff_models import SellerStaff, StaffInvitation


class InviteForm(StyledForm):
    email = forms.EmailField(label=gettext_lazy("Thư điện tử của người được mời"), max_length=254)


def _organisation(request: HttpRequest) -> Any:
    seller = writes.selling_for(
        request.user, request.GET.get("seller") or request.POST.get("seller")
    )
    if seller is None:
        raise Http404(_("Hãy chọn tổ chức bán hàng."))
    return seller


@login_required
def staff(request: HttpRequest) -> HttpResponse:
    seller = _organisation(request)
    if not _manages(request, seller):
        raise PermissionDenied(_("Chỉ cán bộ quản lý của tổ chức mời hoặc thu hồi người bán hàng."))
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                writes.invite(
                    request.user,
                    seller.pk,
                    form.cleaned_data["email"],
                    lambda token: request.build_absolute_uri(
                        reverse("marketplace:staff-accept", args=[token])
                    ),
                )
            except ValidationError as exc:
                for field, errors in getattr(exc, "message_dict", {"email": exc.messages}).items():
                    form.add_error("email" if field == "email" else None, errors)
            else:
                messages.success(request, _("Đã gửi lời mời."))
                return redirect(reverse("marketplace:staff") + f"?seller={seller.pk}")
        status = 422
    return render(
        request,
        "marketplace/staff.html",
        {
            "seller": seller,
            "form": form,
            "people": SellerStaff.objects.editable_by(request.user)
            .filter(organisation=seller)
            .select_related("user")
            .order_by("added_at", "id"),
            "invitations": StaffInvitation.objects.editable_by(request.user)
            .filter(organisation=seller, accepted_at=None, revoked_at=None)
            .order_by("-created_at", "-id")[:100],
        },
        status=status,
    )


def _manages(request: HttpRequest, seller: Any) -> bool:
    return may(request.user, Action.CREATE, StaffInvitation(organisation_id=seller.pk))


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(SellerStaff.objects.editable_by(request.user), pk=pk)
    writes.revoke(request.user, person.pk)
    messages.success(request, _("Đã thu hồi quyền bán hàng."))
    return redirect(reverse("marketplace:staff") + f"?seller={person.organisation_id}")


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(StaffInvitation.objects.editable_by(request.user), pk=pk)
    try:
        version = int(request.POST.get("version") or -1)
        writes.cancel_invitation(request.user, invitation.pk, version)
    except (StaleEdit, ValidationError, ValueError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Đã hủy lời mời."))
    return redirect(reverse("marketplace:staff") + f"?seller={invitation.organisation_id}")


@login_required
def accept(request: HttpRequest, token: str) -> HttpResponse:
    problem = ""
    invitation = None
    try:
        invitation = writes.read_token(token)
    except ValidationError as exc:
        problem = " ".join(exc.messages)
    if request.method == "POST" and invitation is not None:
        try:
            writes.accept(request.user, token)
        except (ValidationError, PermissionDenied) as exc:
            problem = " ".join(getattr(exc, "messages", None) or [str(exc)])
        else:
            messages.success(
                request,
                _("Bạn đã nhận bán hàng cho %(org)s.") % {"org": invitation.organisation.name},
            )
            return redirect(reverse("marketplace:board") + f"?seller={invitation.organisation_id}")
    return render(
        request,
        "marketplace/staff_accept.html",
        {"invitation": invitation, "problem": problem},
        status=422 if problem else 200,
    )
