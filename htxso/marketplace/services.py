"""The marketplace's order writes — the only ones: placing (a cart split per seller, stock
reserved by a conditional UPDATE), the lifecycle steps, and payment received (the seller's
confirmation, or a bank's signed notice through `payment_received`). Each is one transaction
with its audit entries; a refusal (Vietnamese) writes nothing. Products: `products.py`."""

import secrets
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core.audit import record, snapshot
from htxso.core.models import Commune
from htxso.core.scoping import Action, Kind, may
from htxso.core.versions import check_version

from .models import (
    BUYER_STEPS,
    TRANSITIONS,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    Product,
)

MAX_QUANTITY = 100_000
MAX_LINES = 50


def _reference() -> str:
    return f"DH{timezone.localdate():%y%m%d}{secrets.token_hex(4).upper()}"


def _clean_cart(cart: Mapping[Any, Any]) -> dict[int, int]:
    if not cart:
        raise ValidationError(_("Giỏ hàng đang trống."))
    if len(cart) > MAX_LINES:
        raise ValidationError(_("Một lần đặt tối đa %(n)s sản phẩm.") % {"n": MAX_LINES})
    clean: dict[int, int] = {}
    for key, value in cart.items():
        try:
            product_id, quantity = int(key), int(value)
        except (TypeError, ValueError):
            raise ValidationError(_("Số lượng phải là số nguyên.")) from None
        if not 1 <= quantity <= MAX_QUANTITY:
            raise ValidationError(
                _("Số lượng phải từ 1 đến %(max)s.")
                % {"max": f"{MAX_QUANTITY:,}".replace(",", ".")}
            )
        clean[product_id] = quantity
    return clean


def _reserve(product: Product, quantity: int) -> None:
    """Take `quantity` off the stock in one conditional UPDATE: the row lock it takes makes
    simultaneous buyers queue, and `stock >= quantity` is re-read after the wait, so stock
    never goes below zero (the CHECK constraint stands behind it)."""
    taken = Product.objects.filter(pk=product.pk, stock__gte=quantity).update(
        stock=F("stock") - quantity
    )
    if not taken:
        left = Product.objects.filter(pk=product.pk).values_list("stock", flat=True).first() or 0
        raise ValidationError(
            _("Không đủ hàng: «%(name)s» chỉ còn %(left)s %(unit)s.")
            % {"name": product.name, "left": left, "unit": product.get_unit_display()}
        )


def _release(order: Order) -> None:
    for line in order.lines.order_by("product_id"):
        Product.objects.filter(pk=line.product_id).update(stock=F("stock") + line.quantity)


@transaction.atomic
def place_orders(
    actor: Any,
    cart: Mapping[Any, Any],
    *,
    payment: str,
    recipient: str,
    phone: str,
    commune_id: str,
    street: str,
) -> list[Order]:
    """One order per seller for the cart's products (id → quantity), stock reserved; all or
    nothing."""
    if not getattr(actor, "is_authenticated", False) or not may(actor, Action.CREATE, Kind.ORDER):
        raise PermissionDenied(_("Bạn cần đăng nhập bằng tài khoản người mua để đặt hàng."))
    quantities = _clean_cart(cart)
    if payment not in Payment.values:
        raise ValidationError(_("Hãy chọn cách thanh toán."))
    recipient, phone, street = recipient.strip(), phone.strip(), street.strip()
    if not recipient or not street:
        raise ValidationError(_("Hãy ghi người nhận và địa chỉ nhận hàng."))
    if not phone.replace(" ", "").lstrip("+").isdigit() or not 9 <= len(phone) <= 15:
        raise ValidationError(_("Số điện thoại không hợp lệ."))
    commune = Commune.objects.filter(pk=commune_id).first()
    if commune is None:
        raise ValidationError(_("Hãy chọn xã/phường nhận hàng (đơn vị hành chính hiện hành)."))
    products = {
        p.pk: p
        for p in Product.objects.visible_to(actor)
        .filter(pk__in=quantities)
        .select_related("seller__shop")
        .order_by("pk")
    }
    gone = [pk for pk in quantities if pk not in products]
    if gone:
        raise ValidationError(_("Có sản phẩm trong giỏ không còn được bán; hãy bỏ ra khỏi giỏ."))
    by_seller: dict[int, list[Product]] = defaultdict(list)
    for product in products.values():
        if product.seller_id == getattr(actor, "organisation_id", None):
            raise ValidationError(_("Không thể tự mua sản phẩm của tổ chức mình."))
        by_seller[product.seller_id].append(product)
    if payment == Payment.VIETQR:
        for product in products.values():
            shop = getattr(product.seller, "shop", None)
            if shop is None or not shop.bank_bin or not shop.account_number:
                raise ValidationError(
                    _(
                        "«%(seller)s» chưa nhận chuyển khoản VietQR; "
                        "hãy chọn thanh toán khi nhận hàng."
                    )
                    % {"seller": product.seller.name}
                )
    for pk in sorted(quantities):  # one lock order for every buyer: no deadlock
        _reserve(products[pk], quantities[pk])
    orders = []
    for seller_id, items in sorted(by_seller.items()):
        lines = [
            OrderLine(
                product=p,
                name=p.name,
                quantity=quantities[p.pk],
                unit_price=p.unit_price(quantities[p.pk]),
            )
            for p in items
        ]
        order = Order.objects.create(
            reference=_reference(),
            buyer=actor,
            seller_id=seller_id,
            province_id=items[0].province_id,
            payment=payment,
            total=sum(line.amount for line in lines),
            recipient=recipient[:120],
            phone=phone[:20],
            delivery_commune=commune,
            street=street[:255],
        )
        for line in lines:
            line.order = order
        OrderLine.objects.bulk_create(lines)
        record(actor, "create", order, None, snapshot(order))
        orders.append(order)
    return orders


def _locked(actor: Any, order_id: int) -> Order:
    """The order under a row lock; `actor` None is the system (commands, demo data)."""
    rows = Order.objects.all() if actor is None else Order.objects.visible_to(actor)
    return rows.select_for_update().get(pk=order_id)  # 404 outside


@transaction.atomic
def step(actor: Any, order_id: int, expected_version: int, action: str) -> Order:
    """Move an order along `TRANSITIONS`: the seller's staff every step, the buyer only a
    cancellation before the seller confirms. A cancellation (and a refund before shipping)
    puts the stock back."""
    if action not in TRANSITIONS:
        raise ValidationError(_("Bước không hợp lệ."))
    order = _locked(actor, order_id)
    seller_side = may(actor, Action.REVIEW, order)
    if not seller_side and not (action in BUYER_STEPS and may(actor, Action.EDIT, order)):
        raise PermissionDenied(_("Bạn không được thực hiện bước này với đơn hàng."))
    check_version(order, expected_version)
    sources, target = TRANSITIONS[action]
    if not seller_side:
        sources = BUYER_STEPS[action]
    if order.status not in sources:
        raise ValidationError(
            _("Không thể chuyển đơn đang ở trạng thái «%(status)s» sang «%(target)s».")
            % {"status": order.get_status_display(), "target": OrderStatus(target).label}
        )
    if action == "ship" and order.payment == Payment.VIETQR and order.paid_at is None:
        raise ValidationError(_("Đơn chuyển khoản chỉ giao sau khi đã nhận tiền."))
    if action == "refund" and order.paid_at is None:
        raise ValidationError(_("Chỉ hoàn tiền đơn đã thanh toán."))
    before = snapshot(order)
    if action == "cancel" or (action == "refund" and order.status == OrderStatus.CONFIRMED):
        _release(order)
    order.status, order.version = target, order.version + 1
    order.save(update_fields=["status", "version", "updated_at"])
    record(actor, action, order, before, snapshot(order))
    return order


def _mark_paid(actor: Any, order: Order, via: str) -> Order:
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        raise ValidationError(_("Đơn đã hủy hoặc đã hoàn tiền, không ghi nhận thanh toán."))
    if order.paid_at is not None:
        return order  # a second notice of the same payment changes nothing
    before = snapshot(order)
    order.paid_at, order.paid_via, order.version = timezone.now(), via, order.version + 1
    order.save(update_fields=["paid_at", "paid_via", "version", "updated_at"])
    record(actor, "paid", order, before, snapshot(order))
    return order


@transaction.atomic
def confirm_paid(actor: Any, order_id: int, expected_version: int) -> Order:
    """The seller confirms the transfer (or the cash) reached them."""
    order = _locked(actor, order_id)
    if not may(actor, Action.REVIEW, order):
        raise PermissionDenied(_("Chỉ người bán xác nhận đã nhận tiền."))
    check_version(order, expected_version)
    return _mark_paid(actor, order, "seller")


@transaction.atomic
def payment_received(reference: str, amount: int, *, via: str = "bank") -> Order:
    """A payment reported by the bank (`views.bank_webhook`, signed): the order by its reference,
    the amount must be the order's total. Idempotent: a repeated notice answers the paid order."""
    order = Order.objects.select_for_update().filter(reference=reference).first()
    if order is None:
        raise Order.DoesNotExist(_("Không có đơn hàng mã %(ref)s.") % {"ref": reference})
    if amount != order.total:
        raise ValidationError(
            _("Số tiền %(amount)s không khớp tổng đơn %(total)s.")
            % {"amount": amount, "total": order.total}
        )
    return _mark_paid(None, order, via)
