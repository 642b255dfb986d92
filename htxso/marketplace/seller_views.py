"""The sellers' pages: the order board, their products (new, edit, stock), their shop (the bank
account VietQR pays into) and the sales report (XLSX by product and province, for a period).
A cooperative's manager works for their own organisation; the system admin names one with
`?seller=`."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from htxso.core.audit import record
from htxso.core.scoping import Action, Kind, may
from htxso.core.units import province_name
from htxso.core.values import parse_date
from htxso.core.versions import StaleEdit
from htxso.registry.models import Organisation

from . import products as writes
from .filters import OrderFilter
from .forms import ProductForm, ShopForm, StockForm
from .models import Order, OrderLine, OrderStatus, Product, Shop
from .staff import selling_for


def _seller(request: HttpRequest) -> Organisation:
    """The organisation the user sells for: `?seller=` (the admin, or staff of several), their
    own (a manager), or the one they were invited to sell for (`staff.selling_for`)."""
    user: Any = request.user
    if not may(user, Action.REVIEW, Kind.ORDER):
        raise PermissionDenied(
            _("Trang này dành cho người bán (cán bộ quản lý HTX, người được mời).")
        )
    seller = selling_for(user, request.GET.get("seller") or request.POST.get("seller"))
    if seller is None:
        raise Http404(_("Hãy chọn tổ chức bán hàng."))
    probe = Product(seller_id=seller.pk, province_id=seller.province_id)
    if not may(user, Action.EDIT, probe):
        raise PermissionDenied(_("Bạn không bán hàng cho tổ chức này."))
    return seller


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    seller = _seller(request)
    filters = OrderFilter(request.GET)
    orders = filters.filter(Order.objects.reviewable_by(request.user).filter(seller=seller))
    counts = dict(
        Order.objects.filter(seller=seller)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return render(
        request,
        "marketplace/board.html",
        {
            "seller": seller,
            "filters": filters,
            "orders": orders.select_related("delivery_commune").order_by("-id")[:100],
            "counts": [(s, counts.get(s.value, 0)) for s in OrderStatus],
            "products": Product.objects.editable_by(request.user)
            .filter(seller=seller)
            .order_by("name", "id")[:200],
            "stock_form": StockForm(),
            "manages": may(request.user, Action.EDIT, Shop(organisation_id=seller.pk)),
        },
    )


def _product_page(request: HttpRequest, seller: Organisation, item: Product | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if item is not None:
        initial = {n: getattr(item, n) for n in writes.FIELDS if n != "origin_id"}
        initial["origin"] = item.origin_id or ""
    form = ProductForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if item is None:
                    item = writes.create_product(
                        request.user, seller.pk, form.values(), form.cleaned_data.get("photo")
                    )
                else:
                    values = form.values()
                    values.pop("stock", None)  # stock moves by adjustments only
                    writes.update_product(
                        request.user,
                        item.pk,
                        int(request.POST.get("version") or -1),
                        values,
                        form.cleaned_data.get("photo"),
                    )
            except StaleEdit as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                messages.success(request, _("Đã lưu sản phẩm."))
                return redirect("marketplace:board")
        status = 422
    return render(
        request,
        "marketplace/product_form.html",
        {"form": form, "product": item, "seller": seller},
        status=status,
    )


@login_required
def product_new(request: HttpRequest) -> HttpResponse:
    return _product_page(request, _seller(request), None)


@login_required
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Product.objects.editable_by(request.user), pk=pk)
    seller = item.seller
    return _product_page(request, seller, item)


@require_POST
@login_required
def stock(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Product.objects.editable_by(request.user), pk=pk)
    form = StockForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("marketplace:board")
    try:
        writes.adjust_stock(request.user, item.pk, form.cleaned_data["change"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã cập nhật tồn kho."))
    return redirect("marketplace:board")


@login_required
def shop(request: HttpRequest) -> HttpResponse:
    seller = _seller(request)
    if not may(request.user, Action.EDIT, Shop(organisation_id=seller.pk)):
        raise PermissionDenied(_("Chỉ cán bộ quản lý của tổ chức sửa tài khoản nhận tiền."))
    current = Shop.objects.filter(organisation=seller).first()
    initial = (
        {
            n: getattr(current, n)
            for n in ("description", "bank_bin", "account_number", "account_name")
        }
        if current
        else {}
    )
    form = ShopForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                writes.save_shop(request.user, seller.pk, form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Đã lưu gian hàng."))
                return redirect("marketplace:board")
        status = 422
    return render(request, "marketplace/shop.html", {"form": form, "seller": seller}, status=status)


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    try:
        start = parse_date(request.GET["from"]) if request.GET.get("from") else today.replace(day=1)
        end = parse_date(request.GET["to"]) if request.GET.get("to") else today
    except ValidationError:
        raise ValidationError(_("Ngày không hợp lệ (dd/mm/yyyy).")) from None
    if start is None or end is None or start > end:
        raise ValidationError(_("Khoảng thời gian không hợp lệ."))
    return start, end


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """Sales of the period (delivered and in progress; not cancelled or refunded) by product
    and by the buyer's province, as an XLSX workbook."""
    from openpyxl import Workbook

    seller = _seller(request)
    try:
        start, end = _period(request)
    except ValidationError as exc:
        return HttpResponse(
            " ".join(exc.messages), status=422, content_type="text/plain; charset=utf-8"
        )
    lines = OrderLine.objects.filter(
        order__in=Order.objects.reviewable_by(request.user).filter(seller=seller),
        order__created_at__date__gte=start,
        order__created_at__date__lte=end,
    ).exclude(order__status__in=(OrderStatus.CANCELLED, OrderStatus.REFUNDED))
    book = Workbook()
    sheet = book.active
    sheet.title = _("Theo sản phẩm")[:31]
    sheet.append([_("Sản phẩm"), _("Số lượng"), _("Doanh thu (đồng)"), _("Số đơn")])
    for row in (
        lines.values("name")
        .annotate(
            q=Sum("quantity"),
            revenue=Sum(F("quantity") * F("unit_price")),
            n=Count("order", distinct=True),
        )
        .order_by("name")
    ):
        sheet.append([row["name"], row["q"], row["revenue"], row["n"]])
    by_province = book.create_sheet(_("Theo tỉnh người mua")[:31])
    by_province.append([_("Tỉnh/thành phố"), _("Số đơn"), _("Số lượng")])
    for row in (
        lines.values("order__delivery_commune__province_id")
        .annotate(n=Count("order", distinct=True), q=Sum("quantity"))
        .order_by("order__delivery_commune__province_id")
    ):
        code = row["order__delivery_commune__province_id"]
        by_province.append([province_name(code), row["n"], row["q"]])
    record(request.user, "export", seller, about_id=str(seller.pk))
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="ban-hang-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
    )
    book.save(response)
    return response
