"""The purchase-request board (B2B): a buyer posts a need — product, quantity, province, date —
and cooperatives answer with offers. Writes (`post_request`, `make_offer`) and the pages.
The board is public; an offer is seen by the request's buyer and the offering cooperative
(and the province's officer, national roles: `Kind.ORDER`)."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from htxso.core.audit import record, snapshot
from htxso.core.forms import DateField, MoneyField, NumberField, StyledForm
from htxso.core.scoping import Action, Kind, may
from htxso.core.units import province_names
from htxso.registry.choices import Status as OrganisationStatus

from .models import Category, Offer, PurchaseRequest, Unit
from .staff import selling_for


class RequestForm(StyledForm):
    product = forms.CharField(label=gettext_lazy("Sản phẩm cần mua"), max_length=200)
    category = forms.ChoiceField(label=gettext_lazy("Danh mục"), choices=Category.choices)
    quantity = NumberField(label=gettext_lazy("Số lượng"), min_value=1, max_value=10**9)
    unit = forms.ChoiceField(label=gettext_lazy("Đơn vị tính"), choices=Unit.choices)
    province = forms.ChoiceField(label=gettext_lazy("Giao tại tỉnh/thành phố"))
    needed_by = DateField(label=gettext_lazy("Cần trước ngày"))
    note = forms.CharField(label=gettext_lazy("Ghi chú"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = province_names()  # type: ignore[attr-defined]


class OfferForm(StyledForm):
    price = MoneyField(label=gettext_lazy("Đơn giá chào"), min_value=1)
    quantity = NumberField(label=gettext_lazy("Số lượng có thể bán"), min_value=1, max_value=10**9)
    note = forms.CharField(label=gettext_lazy("Ghi chú"), required=False, widget=forms.Textarea)


@transaction.atomic
def post_request(actor: Any, values: dict[str, Any]) -> PurchaseRequest:
    if not getattr(actor, "is_authenticated", False) or not may(actor, Action.CREATE, Kind.ORDER):
        raise PermissionDenied(_("Chỉ người mua đăng yêu cầu mua hàng."))
    if values["needed_by"] < timezone.localdate():
        raise ValidationError({"needed_by": _("Ngày cần hàng đã qua.")})
    wanted = PurchaseRequest.objects.create(
        buyer=actor,
        product=values["product"].strip(),
        category=values["category"],
        quantity=values["quantity"],
        unit=values["unit"],
        province_id=values["province"],
        needed_by=values["needed_by"],
        note=values.get("note", ""),
    )
    record(actor, "create", wanted, None, snapshot(wanted))
    return wanted


@transaction.atomic
def make_offer(actor: Any, request_id: int, values: dict[str, Any]) -> Offer:
    wanted = PurchaseRequest.objects.visible_to(actor).get(pk=request_id)
    seller = selling_for(actor, values.get("seller"))
    if seller is None or not may(
        actor, Action.REVIEW, Offer(seller_id=seller.pk, province_id=seller.province_id)
    ):
        raise PermissionDenied(_("Chỉ hợp tác xã (người bán) chào hàng."))
    if seller.status != OrganisationStatus.ACTIVE:
        raise ValidationError(_("Chỉ tổ chức đang hoạt động mới được bán hàng."))
    if wanted.needed_by < timezone.localdate():
        raise ValidationError(_("Yêu cầu này đã hết hạn."))
    try:
        with transaction.atomic():
            offer = Offer.objects.create(
                request=wanted,
                seller=seller,
                province_id=seller.province_id,
                price=values["price"],
                quantity=values["quantity"],
                note=values.get("note", ""),
            )
    except IntegrityError:
        raise ValidationError(_("Tổ chức của bạn đã chào hàng cho yêu cầu này.")) from None
    record(actor, "create", offer, None, snapshot(offer))
    return offer


def board(request: HttpRequest) -> HttpResponse:
    """Open requests (newest needs first, bounded) and the form to post one."""
    form = RequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        if form.is_valid():
            try:
                wanted = post_request(request.user, form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Đã đăng yêu cầu mua hàng."))
                return redirect("marketplace:request", wanted.pk)
        status = 422
    open_requests = (
        PurchaseRequest.objects.visible_to(request.user)
        .filter(needed_by__gte=timezone.localdate())
        .select_related("province")
        .order_by("needed_by", "id")[:100]
    )
    return render(
        request,
        "marketplace/requests.html",
        {"form": form, "requests": open_requests, "today": dt.date.today()},
        status=status,
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    wanted = get_object_or_404(
        PurchaseRequest.objects.visible_to(request.user).select_related("province"), pk=pk
    )
    offers = Offer.objects.visible_to(request.user).filter(request=wanted).select_related("seller")
    seller = selling_for(request.user)
    can_offer = seller is not None and may(
        request.user, Action.REVIEW, Offer(seller_id=seller.pk, province_id=seller.province_id)
    )
    return render(
        request,
        "marketplace/request.html",
        {"wanted": wanted, "offers": offers, "form": OfferForm(), "can_offer": can_offer},
    )


@require_POST
@login_required
def offer(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(PurchaseRequest.objects.visible_to(request.user), pk=pk)
    form = OfferForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("marketplace:request", pk)
    try:
        make_offer(request.user, pk, form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã gửi chào hàng."))
    return redirect("marketplace:request", pk)
