"""The marketplace's public and buyer pages: the catalogue (search, filters), a product, a
seller's page, the product photo, the cart and checkout, the buyer's orders with their VietQR,
the steps on an order, reading a pasted VietQR, and signing up as a buyer. The sellers' pages
are `seller_views.py`; the bank's signed notice is `webhooks.py`."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from htxso.core import facts
from htxso.core.audit import record
from htxso.core.models import User
from htxso.core.pagination import InvalidCursor
from htxso.core.roles import Role
from htxso.core.units import commune_names
from htxso.core.versions import StaleEdit
from htxso.registry.choices import Status as OrganisationStatus
from htxso.registry.models import Organisation

from . import browse, services, vietqr
from .filters import CatalogueFilter
from .forms import CheckoutForm, PasteForm, SignupForm
from .models import TRANSITIONS, Order, OrderStatus, Payment, Product, SellerStaff

PAGE = 24
CART = "marketplace_cart"


# What a product's card shows (`templatetags/market.py` `product_card`): the catalogue and a
# seller's page read only these columns (not the description, nor the seller's whole row).
CARD_FIELDS = (
    "name",
    "price",
    "unit",
    "photo",
    "ocop_stars",
    "ocop_certificate",
    "ocop_expires_on",
    "seller__name",
    "province__name",
)


def _products(request: HttpRequest) -> Any:
    return Product.objects.visible_to(request.user).select_related("seller", "province")


def _cards(request: HttpRequest) -> Any:
    return _products(request).only(*CARD_FIELDS)


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    filters = CatalogueFilter(request.GET)
    status = 200
    try:
        found = browse.page(filters, _cards(request), request.GET.get("cursor"), PAGE)
    except InvalidCursor:  # a tampered or outdated cursor: the first page, and a 400
        found = browse.page(filters, _cards(request), None, PAGE)
        status = 400
    return render(
        request,
        "marketplace/catalogue.html",
        {
            "filters": filters,
            "products": found.items,
            "found": found,
            "candidates": browse.CANDIDATES,
            "stale_cursor": status == 400,
            # invited seller staff (not managers: their menu has it) find their board here
            "sells": request.user.is_authenticated
            and SellerStaff.objects.filter(user_id=request.user.pk).exists(),
            "query": _without_cursor(request),
        },
        status=status,
    )


def _without_cursor(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("cursor", None)
    params.pop("page", None)
    return params.urlencode()


@require_GET
def product(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(_products(request).select_related("origin"), pk=pk)
    context = {"product": item, "trace_url": facts.trace_page(item.gtin)}
    return render(request, "marketplace/product.html", context)


@require_GET
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A product's photo, for whoever sees the product (never a static or media URL)."""
    item = (
        _products(request).filter(pk=pk).first()
        or Product.objects.editable_by(request.user).filter(pk=pk).first()
    )
    if item is None or not item.photo or not item.photo.storage.exists(item.photo.name):
        raise Http404
    response = FileResponse(item.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def seller(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(
        Organisation.objects.visible_to(request.user).filter(status=OrganisationStatus.ACTIVE),
        pk=pk,
    )
    products = _cards(request).filter(seller=organisation).order_by("-id")[:60]
    shop = getattr(organisation, "shop", None)
    return render(
        request,
        "marketplace/seller.html",
        {"seller": organisation, "shop": shop, "products": products},
    )


def _cart(request: HttpRequest) -> dict[str, int]:
    cart = request.session.get(CART)
    return cart if isinstance(cart, dict) else {}


def cart(request: HttpRequest) -> HttpResponse:
    """The cart (kept in the session): add, change, remove; shown grouped by seller."""
    items = _cart(request)
    if request.method == "POST":
        try:
            pk, quantity = (
                int(request.POST.get("product", "")),
                int(request.POST.get("quantity", "1")),
            )
        except ValueError:
            messages.error(request, _("Số lượng phải là số nguyên."))
            return redirect("marketplace:cart")
        if not _products(request).filter(pk=pk).exists():
            raise Http404
        if quantity <= 0:
            items.pop(str(pk), None)
        else:
            items[str(pk)] = min(quantity, services.MAX_QUANTITY)
        request.session[CART] = items
        messages.success(request, _("Đã cập nhật giỏ hàng."))
        return redirect("marketplace:cart")
    if request.method != "GET":
        return HttpResponse(status=405)
    found = {p.pk: p for p in _products(request).filter(pk__in=[int(k) for k in items])}
    groups: dict[Any, list[tuple[Product, int, int]]] = {}
    for key, quantity in items.items():
        item = found.get(int(key))
        if item is not None:
            price = item.unit_price(quantity)
            groups.setdefault(item.seller, []).append((item, quantity, price * quantity))
    total = sum(amount for lines in groups.values() for _p, _q, amount in lines)
    return render(request, "marketplace/cart.html", {"groups": groups, "total": total})


@login_required
def checkout(request: HttpRequest) -> HttpResponse:
    """The delivery address (current units) and payment; one order per seller."""
    user: Any = request.user
    province = request.POST.get("province") or request.GET.get("province") or ""
    form = CheckoutForm(
        request.POST or None, initial={"province": province, "recipient": user.get_full_name()}
    )
    communes = commune_names(province) if province else ()
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            orders = services.place_orders(
                user,
                _cart(request),
                payment=data["payment"],
                recipient=data["recipient"],
                phone=data["phone"],
                commune_id=data["commune"],
                street=data["street"],
            )
        except PermissionDenied:
            raise
        except ValidationError as exc:
            form.add_error(None, list(exc.messages))
            status = 422
        else:
            request.session[CART] = {}
            messages.success(request, _("Đã đặt %(n)s đơn hàng.") % {"n": len(orders)})
            return redirect("marketplace:order", orders[0].pk)
    elif request.method == "POST":
        status = 422
    return render(
        request, "marketplace/checkout.html", {"form": form, "communes": communes}, status=status
    )


@login_required
@require_GET
def orders(request: HttpRequest) -> HttpResponse:
    mine = Order.objects.visible_to(request.user).filter(buyer=request.user).order_by("-id")[:100]
    return render(request, "marketplace/orders.html", {"orders": mine.select_related("seller")})


@login_required
@require_GET
def order(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(
        Order.objects.visible_to(request.user).select_related("seller__shop", "delivery_commune"),
        pk=pk,
    )
    qr = None
    shop = getattr(found.seller, "shop", None)
    if found.payment == Payment.VIETQR and shop is not None and shop.bank_bin:
        payload = vietqr.build(shop.bank_bin, shop.account_number, found.total, found.reference)
        qr = {"payload": payload, "svg": vietqr.svg(payload)}
    from htxso.core.scoping import Action, may

    seller_side = may(request.user, Action.REVIEW, found)
    steps = [a for a, (sources, _t) in TRANSITIONS.items() if found.status in sources]
    if not seller_side:
        steps = (
            ["cancel"]
            if found.status == OrderStatus.PLACED and found.buyer_id == request.user.pk
            else []
        )
    return render(
        request,
        "marketplace/order.html",
        {
            "order": found,
            "lines": found.lines.all(),
            "qr": qr,
            "seller_side": seller_side,
            "steps": steps,
        },
    )


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _order_write(request: HttpRequest, pk: int, write: Any, done: str) -> HttpResponse:
    get_object_or_404(Order.objects.visible_to(request.user), pk=pk)
    try:
        write()
    except (StaleEdit, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, done)
    return redirect("marketplace:order", pk)


@require_POST
@login_required
def step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in TRANSITIONS:
        raise Http404
    return _order_write(
        request,
        pk,
        lambda: services.step(request.user, pk, _version(request), action),
        _("Đã cập nhật đơn hàng."),
    )


@require_POST
@login_required
def paid(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_write(
        request,
        pk,
        lambda: services.confirm_paid(request.user, pk, _version(request)),
        _("Đã ghi nhận đã nhận tiền."),
    )


def read_vietqr(request: HttpRequest) -> HttpResponse:
    """Paste a VietQR: what it says, or why it is not valid."""
    form = PasteForm(request.POST or None)
    result, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            result = vietqr.parse(form.cleaned_data["payload"])
        except vietqr.VietQRError as exc:
            form.add_error("payload", str(exc))
            status = 422
    return render(
        request, "marketplace/vietqr.html", {"form": form, "result": result}, status=status
    )


def signup(request: HttpRequest) -> HttpResponse:
    """A buyer's own account (role buyer): browse, order, pay their orders."""
    if request.user.is_authenticated:
        raise PermissionDenied(_("Bạn đã đăng nhập; hãy đăng xuất trước khi tạo tài khoản mới."))
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and User.objects.filter(username=form.cleaned_data["username"]).exists():
            form.add_error("username", _("Tên đăng nhập này đã có người dùng."))
        if form.is_valid():
            with transaction.atomic():
                user = User.objects.create_user(
                    username=form.cleaned_data["username"],
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                    role=Role.BUYER,
                )
                record(user, "create", user)
            login(request, user, backend="htxso.core.lockout.LockAwareBackend")
            messages.success(request, _("Đã tạo tài khoản người mua."))
            return redirect("marketplace:catalogue")
        status = 422
    return render(request, "marketplace/signup.html", {"form": form}, status=status)
