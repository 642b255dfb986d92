"""The marketplace: shops (a registry organisation's bank account for VietQR), products, orders
and their lines. Sellers are registry organisations; only an *active* one's products are in
view — the condition is the products' query path (`Scope.conditions`), so a dissolved or
suspended seller's listings disappear the moment its status changes, with no job to run.

Stock is a column guarded by the database: `CHECK (stock >= 0)` and a conditional
`UPDATE … SET stock = stock - q WHERE stock >= q` at placing (`services.place_orders`)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from htxso.core.scoping import Action, Kind, Scope, ScopedQuerySet
from htxso.registry.choices import Status as OrganisationStatus

from .staff_models import SellerStaff, StaffInvitation, staff_organisations  # noqa: F401


class Category(models.TextChoices):
    TEA = "tea", _("Chè, trà")
    RICE = "rice", _("Gạo, ngũ cốc")
    FRUIT = "fruit", _("Rau, củ, quả")
    SEAFOOD = "seafood", _("Thủy sản")
    MEAT = "meat", _("Thịt, trứng, sữa")
    PROCESSED = "processed", _("Thực phẩm chế biến")
    HERBAL = "herbal", _("Dược liệu")
    CRAFT = "craft", _("Thủ công mỹ nghệ")
    OTHER = "other", _("Khác")


class Unit(models.TextChoices):
    KG = "kg", _("kg")
    BOX = "thung", _("thùng")
    PACK = "goi", _("gói")
    BOTTLE = "chai", _("chai")
    PIECE = "cai", _("cái")
    BAG = "bao", _("bao")


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Đã đặt")
    CONFIRMED = "confirmed", _("Đã xác nhận")
    SHIPPED = "shipped", _("Đang giao")
    DELIVERED = "delivered", _("Đã giao")
    CANCELLED = "cancelled", _("Đã hủy")
    REFUNDED = "refunded", _("Đã hoàn tiền")


class Payment(models.TextChoices):
    VIETQR = "vietqr", _("Chuyển khoản VietQR")
    COD = "cod", _("Thanh toán khi nhận hàng")


# step → (the statuses it starts from, the status it leads to): the whole lifecycle.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "confirm": (frozenset({OrderStatus.PLACED}), OrderStatus.CONFIRMED),
    "ship": (frozenset({OrderStatus.CONFIRMED}), OrderStatus.SHIPPED),
    "deliver": (frozenset({OrderStatus.SHIPPED}), OrderStatus.DELIVERED),
    "cancel": (frozenset({OrderStatus.PLACED, OrderStatus.CONFIRMED}), OrderStatus.CANCELLED),
    "refund": (
        frozenset({OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED}),
        OrderStatus.REFUNDED,
    ),
}
# The buyer may cancel only what the seller has not confirmed yet.
BUYER_STEPS = {"cancel": frozenset({OrderStatus.PLACED})}
ACTIVE_SELLER = Q(seller__status=OrganisationStatus.ACTIVE)


class Shop(models.Model):
    """A seller's shop: what the buyer reads and the bank account a VietQR pays into."""

    organisation = models.OneToOneField(
        "registry.Organisation", on_delete=models.PROTECT, related_name="shop"
    )
    description = models.TextField(_("giới thiệu"), blank=True)
    bank_bin = models.CharField(_("mã ngân hàng (BIN)"), max_length=6, blank=True)
    account_number = models.CharField(_("số tài khoản"), max_length=19, blank=True)
    account_name = models.CharField(_("tên chủ tài khoản"), max_length=70, blank=True)
    version = models.PositiveIntegerField(default=1)

    scope = Scope(Kind.LISTING, organisation="organisation_id")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("gian hàng")

    def __str__(self) -> str:
        return str(self.organisation_id)


class Product(models.Model):
    seller = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("người bán"),
        on_delete=models.PROTECT,
        related_name="products",
    )
    province = models.ForeignKey(  # the seller's, kept for the province filter and oversight
        "core.Province", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("tên sản phẩm"), max_length=200)
    search_key = models.CharField(max_length=600, editable=False, default="")
    description = models.TextField(_("mô tả"), blank=True)
    category = models.CharField(_("danh mục"), max_length=16, choices=Category.choices)
    unit = models.CharField(_("đơn vị"), max_length=8, choices=Unit.choices)
    price = models.PositiveBigIntegerField(_("giá bán lẻ (đồng)"))
    wholesale_price = models.PositiveBigIntegerField(
        _("giá bán buôn (đồng)"), null=True, blank=True
    )
    wholesale_from = models.PositiveIntegerField(_("bán buôn từ (số lượng)"), null=True, blank=True)
    stock = models.IntegerField(_("tồn kho"), default=0)
    ocop_stars = models.PositiveSmallIntegerField(_("số sao OCOP"), null=True, blank=True)
    ocop_certificate = models.CharField(_("số giấy chứng nhận OCOP"), max_length=40, blank=True)
    ocop_expires_on = models.DateField(_("giấy chứng nhận OCOP hết hạn"), null=True, blank=True)
    origin = models.ForeignKey(
        "core.Commune",
        verbose_name=_("xuất xứ (xã/phường)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    photo = models.FileField(upload_to="marketplace/%Y/%m/", blank=True)
    # What the product is in the price catalogue (a code of `core.facts.commodities()`, named
    # by the seller, never guessed from the name) and how many kg one unit holds: its sales
    # become the marketplace's median price per kg (`sales.py`, read by prices).
    price_commodity = models.CharField(
        _("mặt hàng trong bảng giá nông sản"), max_length=40, blank=True, default=""
    )
    kg_per_unit = models.DecimalField(
        _("số kg mỗi đơn vị"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    # The trade item's GS1 GTIN (stored in its 14-digit form), if it carries one: the same
    # item sold by several shops keeps its GTIN (GS1), so it is unique within a shop only.
    # When the production diary knows it, the product page links to its trace page.
    gtin = models.CharField(_("GTIN (mã vạch)"), max_length=14, blank=True, default="")
    listed = models.BooleanField(_("đang bán"), default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Everyone browses; only an active seller's listed products are in view.
    scope = Scope(
        Kind.LISTING,
        province="province_id",
        organisation="seller_id",
        staff=("seller_id", staff_organisations),
        conditions={Action.VIEW: ACTIVE_SELLER & Q(listed=True)},
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sản phẩm")
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="product_stock_not_negative"),
            models.CheckConstraint(
                condition=Q(ocop_stars__isnull=True) | Q(ocop_stars__gte=1, ocop_stars__lte=5),
                name="product_ocop_stars_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(kg_per_unit__isnull=True) | Q(kg_per_unit__gt=0),
                name="product_kg_per_unit_positive",
            ),
            models.UniqueConstraint(
                fields=["seller", "gtin"], condition=~Q(gtin=""), name="product_gtin_per_seller"
            ),
        ]
        indexes = [
            models.Index(fields=["seller", "listed", "id"], name="product_seller"),
            models.Index(fields=["category", "price", "id"], name="product_category_price"),
            models.Index(fields=["province", "category", "id"], name="product_province"),
            models.Index(fields=["price", "id"], name="product_price"),
            models.Index(fields=["ocop_stars", "ocop_expires_on"], name="product_ocop"),
            models.Index(fields=["updated_at", "id"], name="product_updated"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        from htxso.core.text import search_key

        self.search_key = search_key(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def stars(self, today: dt.date | None = None) -> int:
        """The OCOP stars shown: none once the certificate has expired (or without one)."""
        today = today or timezone.localdate()
        if not self.ocop_stars or not self.ocop_certificate or not self.ocop_expires_on:
            return 0
        return self.ocop_stars if self.ocop_expires_on >= today else 0

    def unit_price(self, quantity: int) -> int:
        """The price per unit for `quantity`: wholesale from its threshold, retail below."""
        if self.wholesale_price and self.wholesale_from and quantity >= self.wholesale_from:
            return self.wholesale_price
        return self.price


class Order(models.Model):
    reference = models.CharField(_("mã đơn"), max_length=20, unique=True)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="market_orders"
    )
    seller = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="market_orders"
    )
    province = models.ForeignKey(  # the seller's: the province that oversees the order
        "core.Province", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    payment = models.CharField(_("thanh toán"), max_length=8, choices=Payment.choices)
    total = models.PositiveBigIntegerField(_("tổng tiền (đồng)"))
    paid_at = models.DateTimeField(_("đã nhận tiền lúc"), null=True, blank=True)
    paid_via = models.CharField(max_length=16, blank=True)  # "seller" or "bank"
    recipient = models.CharField(_("người nhận"), max_length=120)
    phone = models.CharField(_("điện thoại"), max_length=20)
    delivery_commune = models.ForeignKey(
        "core.Commune",
        verbose_name=_("xã/phường nhận hàng"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    street = models.CharField(_("số nhà, đường, thôn"), max_length=255)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(
        Kind.ORDER,
        province="province_id",
        organisation="seller_id",
        owner="buyer_id",
        staff=("seller_id", staff_organisations),
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn hàng")
        indexes = [
            models.Index(fields=["seller", "status", "created_at"], name="order_seller_board"),
            models.Index(fields=["buyer", "created_at"], name="order_buyer"),
            models.Index(fields=["province", "created_at"], name="order_province"),
        ]

    def __str__(self) -> str:
        return self.reference


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)  # as sold
    quantity = models.PositiveIntegerField()
    unit_price = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orderline_quantity_positive")
        ]
        indexes = [models.Index(fields=["product", "order"], name="orderline_product")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_price


class PurchaseRequest(models.Model):
    """A buyer's need posted on the board (B2B): cooperatives answer with offers."""

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="purchase_requests"
    )
    product = models.CharField(_("sản phẩm cần mua"), max_length=200)
    category = models.CharField(_("danh mục"), max_length=16, choices=Category.choices)
    quantity = models.PositiveIntegerField(_("số lượng"))
    unit = models.CharField(_("đơn vị"), max_length=8, choices=Unit.choices)
    province = models.ForeignKey(
        "core.Province",
        verbose_name=_("giao tại tỉnh/thành phố"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    needed_by = models.DateField(_("cần trước ngày"))
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # The board is public (sellers look for buyers); posting is a buyer's (services).
    scope = Scope(Kind.LISTING, province="province_id", owner="buyer_id")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("yêu cầu mua hàng")
        indexes = [
            models.Index(fields=["needed_by", "id"], name="request_open"),
            models.Index(fields=["province", "needed_by"], name="request_province"),
        ]

    def __str__(self) -> str:
        return self.product


class Offer(models.Model):
    """A cooperative's answer to a purchase request: seen by the buyer and the seller."""

    request = models.ForeignKey(PurchaseRequest, on_delete=models.CASCADE, related_name="offers")
    seller = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="market_offers"
    )
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, related_name="+")
    price = models.PositiveBigIntegerField(_("đơn giá (đồng)"))
    quantity = models.PositiveIntegerField(_("số lượng"))
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(
        Kind.ORDER,
        province="province_id",
        organisation="seller_id",
        owner="request__buyer_id",
        staff=("seller_id", staff_organisations),
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("chào hàng")
        constraints = [
            models.UniqueConstraint(fields=["request", "seller"], name="offer_one_per_seller")
        ]

    def __str__(self) -> str:
        return f"{self.seller_id} → {self.request_id}"
