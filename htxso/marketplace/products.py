"""The sellers' writes: their shop (bank account for VietQR), their products (with a photo
checked by its bytes and re-drawn by Pillow), stock adjustments. Permission from
`core.scoping.TABLE` (Kind.LISTING), Vietnamese refusals, audit, optimistic locking."""

import io
import posixpath
import re
import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core import facts, gs1
from htxso.core.audit import record, snapshot
from htxso.core.scoping import Action, may
from htxso.core.uploads import JPEG, PNG, UploadRefused, sniff_document, too_large
from htxso.core.versions import check_version
from htxso.registry.choices import Status as OrganisationStatus
from htxso.registry.models import Organisation

from .models import Product, Shop, Unit

PHOTO_SIDE = 1200  # the longest side kept, in pixels
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
FIELDS = (
    "name",
    "description",
    "category",
    "unit",
    "price",
    "wholesale_price",
    "wholesale_from",
    "ocop_stars",
    "ocop_certificate",
    "ocop_expires_on",
    "origin_id",
    "listed",
    "price_commodity",
    "kg_per_unit",
    "gtin",
)


def store_photo(content: Any) -> str:
    """A product photo: JPEG or PNG by its first bytes (`core.uploads`), decoded and re-drawn
    by Pillow to at most PHOTO_SIDE pixels as a JPEG (metadata dropped), stored under
    MEDIA_ROOT (served by `views.photo`, never as a static file). Returns the storage name."""
    from PIL import Image, UnidentifiedImageError

    limit = settings.MARKETPLACE_MAX_PHOTO_BYTES
    if getattr(content, "size", 0) > limit:
        raise UploadRefused(too_large(limit))
    data = content.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(too_large(limit))
    if sniff_document(io.BytesIO(data)) not in (JPEG, PNG):
        raise UploadRefused(_("Ảnh sản phẩm phải là tệp JPEG hoặc PNG."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise UploadRefused(_("Ảnh quá lớn (quá 40 triệu điểm ảnh)."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            picture = image.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise UploadRefused(_("Không đọc được ảnh: tệp hỏng hoặc không phải ảnh.")) from None
    picture.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85, optimize=True)
    name = posixpath.join(
        timezone.now().strftime("marketplace/%Y/%m"), f"{secrets.token_hex(8)}.jpg"
    )
    return default_storage.save(name, ContentFile(out.getvalue()))


def _snap(product: Product) -> dict:
    return {**snapshot(product, exclude=("search_key", "photo")), "photo": product.photo.name}


def _check(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if not (values.get("name") or "").strip():
        errors["name"] = _("Hãy ghi tên sản phẩm.")
    if not values.get("price") or values["price"] <= 0:
        errors["price"] = _("Giá bán lẻ phải lớn hơn 0.")
    wholesale, threshold = values.get("wholesale_price"), values.get("wholesale_from")
    if bool(wholesale) != bool(threshold):
        errors["wholesale_price"] = _("Giá bán buôn cần cả giá và số lượng tối thiểu.")
    elif wholesale and wholesale >= values.get("price", 0):
        errors["wholesale_price"] = _("Giá bán buôn phải thấp hơn giá bán lẻ.")
    stars = values.get("ocop_stars")
    if stars is not None and not 1 <= stars <= 5:
        errors["ocop_stars"] = _("Số sao OCOP từ 1 đến 5.")
    if stars and (not values.get("ocop_certificate") or not values.get("ocop_expires_on")):
        errors["ocop_certificate"] = _("Sao OCOP cần số giấy chứng nhận và ngày hết hạn.")
    _check_commodity(values, errors)
    _check_gtin(values, errors)
    if errors:
        raise ValidationError(errors)


def _check_commodity(values: dict[str, Any], errors: dict[str, str]) -> None:
    """A product named in the price catalogue says how many kg one of its units holds (a kg is
    one); its sales then count in the marketplace's price per kg."""
    code = values.get("price_commodity") or ""
    values["price_commodity"] = code
    if not code:
        values["kg_per_unit"] = None
        return
    if code not in dict(facts.commodities()):
        errors["price_commodity"] = _("Không có mặt hàng này trong bảng giá nông sản.")
        return
    weight = values.get("kg_per_unit")
    if values.get("unit") == Unit.KG:
        values["kg_per_unit"] = Decimal(1)
    elif weight is None or not Decimal(weight).is_finite() or Decimal(weight) <= 0:
        errors["kg_per_unit"] = _(
            "Sản phẩm bán theo %(unit)s: hãy ghi mỗi %(unit)s nặng bao nhiêu kg."
        ) % {"unit": Unit(values.get("unit") or Unit.PIECE).label}
    elif Decimal(weight) > 100_000:
        errors["kg_per_unit"] = _("Số kg mỗi đơn vị quá lớn: kiểm tra lại.")


def _check_gtin(values: dict[str, Any], errors: dict[str, str]) -> None:
    """An optional GTIN, checked (GS1: digits, length, check digit), kept in its 14-digit form."""
    code = re.sub(r"\s", "", str(values.get("gtin") or ""))
    if code and (error := gs1.gtin_error(code)):
        errors["gtin"] = error
        return
    values["gtin"] = gs1.gtin14(code) if code else ""


def _save(product: Product) -> None:
    """Save, a second product of the shop with the same GTIN refused in Vietnamese (the check
    first; the constraint for two saves racing)."""
    twins = Product.objects.filter(seller_id=product.seller_id, gtin=product.gtin)
    taken = _("Cửa hàng đã có sản phẩm khác mang GTIN %(gtin)s.") % {"gtin": product.gtin}
    if product.gtin and twins.exclude(pk=product.pk).exists():
        raise ValidationError({"gtin": taken})
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        if product.gtin and twins.exclude(pk=product.pk).exists():
            raise ValidationError({"gtin": taken}) from None
        raise


def _seller(actor: Any, seller_id: int) -> Organisation:
    seller = Organisation.objects.filter(pk=seller_id).first()
    if seller is None:
        raise Organisation.DoesNotExist(_("Không có tổ chức này."))
    if not may(actor, Action.CREATE, Product(seller_id=seller.pk, province_id=seller.province_id)):
        raise PermissionDenied(_("Bạn không được bán hàng thay tổ chức này."))
    if seller.status != OrganisationStatus.ACTIVE:
        raise ValidationError(_("Chỉ tổ chức đang hoạt động mới được bán hàng."))
    return seller


@transaction.atomic
def create_product(
    actor: Any, seller_id: int, values: dict[str, Any], photo: Any = None
) -> Product:
    seller = _seller(actor, seller_id)
    _check(values)
    product = Product(seller=seller, province_id=seller.province_id)
    for name in FIELDS:
        if name in values:
            setattr(product, name, values[name])
    if photo is not None:
        product.photo.name = store_photo(photo)
    product.stock = max(0, int(values.get("stock") or 0))
    _save(product)
    record(actor, "create", product, None, _snap(product))
    return product


@transaction.atomic
def update_product(
    actor: Any, product_id: int, expected_version: int, values: dict[str, Any], photo: Any = None
) -> Product:
    rows = Product.objects.all() if actor is None else Product.objects.editable_by(actor)
    product = rows.select_for_update().get(pk=product_id)
    check_version(product, expected_version)
    merged = {name: getattr(product, name) for name in FIELDS} | values
    _check(merged)
    before = _snap(product)
    for name in FIELDS:
        setattr(product, name, merged[name])
    if photo is not None:
        product.photo.name = store_photo(photo)
    product.version += 1
    _save(product)
    record(actor, "update", product, before, _snap(product))
    return product


@transaction.atomic
def adjust_stock(actor: Any, product_id: int, change: int) -> Product:
    """Add (or take off) stock in one UPDATE: never a lost order, never below zero."""
    rows = Product.objects.all() if actor is None else Product.objects.editable_by(actor)
    product = rows.get(pk=product_id)
    if change == 0:
        return product
    before = {"stock": product.stock}
    done = Product.objects.filter(pk=product.pk, stock__gte=max(0, -change)).update(
        stock=F("stock") + change
    )
    if not done:
        raise ValidationError(_("Không thể bớt quá số hàng đang có trong kho."))
    product.refresh_from_db()
    record(actor, "stock", product, before, {"stock": product.stock})
    return product


@transaction.atomic
def save_shop(actor: Any, seller_id: int, values: dict[str, str]) -> Shop:
    seller = _seller(actor, seller_id)
    if not may(actor, Action.EDIT, Shop(organisation_id=seller.pk)):  # never invited staff
        raise PermissionDenied(_("Chỉ cán bộ quản lý của tổ chức sửa tài khoản nhận tiền."))
    bank_bin, account = values.get("bank_bin", "").strip(), values.get("account_number", "").strip()
    if bank_bin and not re.fullmatch(r"\d{6}", bank_bin):
        raise ValidationError({"bank_bin": _("Mã ngân hàng (BIN) gồm đúng 6 chữ số.")})
    if account and not re.fullmatch(r"[A-Za-z0-9]{1,19}", account):
        raise ValidationError(
            {"account_number": _("Số tài khoản chỉ gồm chữ và số, tối đa 19 ký tự.")}
        )
    shop, _created = Shop.objects.select_for_update().get_or_create(organisation=seller)
    before = snapshot(shop)
    shop.description = values.get("description", shop.description)
    shop.bank_bin, shop.account_number = bank_bin, account
    shop.account_name = values.get("account_name", "").strip()[:70]
    shop.version += 1
    shop.save()
    record(actor, "update", shop, before, snapshot(shop))
    return shop
