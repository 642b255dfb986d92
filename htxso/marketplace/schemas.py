"""API schemas of the marketplace (named apart from other apps': one schema per name)."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from htxso.core.api_schemas import Input

VERSION = Field(ge=1, le=2**31 - 1, description="Phiên bản đã đọc (khác: 409)")


class MarketProductOut(Schema):
    id: int
    name: str
    description: str
    category: str
    unit: str
    price: int
    wholesale_price: int | None
    wholesale_from: int | None
    stock: int
    ocop_stars: int = Field(description="Sao OCOP đang hiệu lực (0: không có hoặc đã hết hạn)")
    ocop_certificate: str
    ocop_expires_on: dt.date | None
    origin_id: str | None
    seller_id: int
    seller_name: str
    province_id: str
    photo_url: str | None
    gtin: str = Field(description="GTIN-14 của sản phẩm (rỗng nếu không có)")


class MarketLineIn(Input):
    product_id: int = Field(ge=1, le=2**63 - 1)
    quantity: int = Field(ge=1, le=100_000)


class MarketOrderIn(Input):
    """A cart: one order per seller is placed, stock reserved, all or nothing."""

    items: list[MarketLineIn] = Field(min_length=1, max_length=50)
    payment: Literal["vietqr", "cod"]
    recipient: str = Field(max_length=120)
    phone: str = Field(max_length=20)
    commune_id: str = Field(max_length=10, description="Mã xã/phường hiện hành")
    street: str = Field(max_length=255)


class MarketLineOut(Schema):
    product_id: int
    name: str
    quantity: int
    unit_price: int


class MarketOrderOut(Schema):
    id: int
    reference: str
    status: str
    payment: str
    total: int
    paid_at: dt.datetime | None
    seller_id: int
    province_id: str
    delivery_commune_id: str
    version: int
    created_at: dt.datetime
    lines: list[MarketLineOut]
    vietqr: str | None = Field(None, description="Chuỗi VietQR để chuyển khoản (nếu có)")


class MarketStepIn(Input):
    version: int = VERSION
    action: Literal["confirm", "ship", "deliver", "cancel", "refund"]


class MarketVersionIn(Input):
    version: int = VERSION


class VietQROut(Schema):
    bank_bin: str
    account: str
    amount: int | None
    reference: str
    dynamic: bool


class MarketRequestOut(Schema):
    id: int
    product: str
    category: str
    quantity: int
    unit: str
    province_id: str
    needed_by: dt.date
    note: str
    created_at: dt.datetime


class MarketRequestIn(Input):
    """A buyer's need on the purchase-request board (B2B)."""

    product: str = Field(min_length=1, max_length=200)
    category: Literal[
        "tea", "rice", "fruit", "seafood", "meat", "processed", "herbal", "craft", "other"
    ]
    quantity: int = Field(ge=1, le=10**9)
    unit: Literal["kg", "thung", "goi", "chai", "cai", "bao"]
    province: str = Field(pattern=r"^\d{2}$", description="Mã tỉnh/thành phố nhận hàng")
    needed_by: dt.date
    note: str = Field(default="", max_length=2000)


class MarketOfferOut(Schema):
    id: int
    request_id: int
    seller_id: int
    seller_name: str
    province_id: str
    price: int
    quantity: int
    note: str
    created_at: dt.datetime


class MarketOfferIn(Input):
    """A cooperative's offer (one per organisation and request)."""

    price: int = Field(ge=1, le=10**15)
    quantity: int = Field(ge=1, le=10**9)
    note: str = Field(default="", max_length=2000)
    seller: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="Tổ chức chào hàng (người bán cho nhiều)"
    )
