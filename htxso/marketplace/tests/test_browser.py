"""A purchase from search to paid, in a real Chromium (Playwright): a buyer signs up on a phone,
searches "che tan cuong" (no diacritics), adds the tea to the cart, gives a delivery address
in current units, pays by VietQR — the order page shows the QR code and its text —; the
cooperative's manager opens the order from the board and confirms the money arrived; the
buyer sees it paid. Screenshots go to var/screenshots/marketplace-*.png."""

import io
from pathlib import Path

import pytest
from django.conf import settings

from htxso.core.tests.browser import CHROMIUM_ARGS, PHONE, chromium_path  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "mat-khau-thu-nghiem-123"


@pytest.fixture
def market(live_server, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from htxso.core.roles import Role
    from htxso.core.tests.units_snapshot import restore_units
    from htxso.marketplace import products as writes
    from htxso.registry.tests.conftest import make_user
    from htxso.registry.tests.factories import OrganisationFactory

    settings.MEDIA_ROOT = tmp_path
    restore_units()
    seller = OrganisationFactory(province_id="19", name="Hợp tác xã Chè Tân Cương")
    make_user("quan-ly-che", Role.COOPERATIVE_MANAGER, "19", organisation=seller)
    writes.save_shop(None, seller.pk, {"bank_bin": "970436", "account_number": "0011001234567"})
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (46, 125, 50)).save(out, "PNG")
    tea = writes.create_product(
        None,
        seller.pk,
        {
            "name": "Chè Tân Cương đặc biệt",
            "category": "tea",
            "unit": "goi",
            "price": 250_000,
            "stock": 5,
            "ocop_stars": 4,
            "ocop_certificate": "OCOP-19-2025-0012",
            "ocop_expires_on": __import__("datetime").date(2030, 1, 1),
        },
        SimpleUploadedFile("che.png", out.getvalue()),
    )
    writes.create_product(
        None,
        seller.pk,
        {"name": "Bánh chưng", "category": "processed", "unit": "cai", "price": 80_000, "stock": 5},
    )
    return {"tea": tea}


def test_a_purchase_from_search_to_paid(chromium_path, live_server, market):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        phone = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True)
        page = phone.new_page()
        page.goto(f"{base}/market/signup/")
        page.fill("#id_username", "chi-lan")
        page.fill("#id_email", "lan@example.vn")
        page.fill("#id_password", "Tra-xanh-ngon-2026")
        page.get_by_role("button", name="Tạo tài khoản").click()
        page.fill("#id_q", "che tan cuong")
        page.locator("form[role=search] button").click()
        cards = page.locator(".product-card")
        expect(cards).to_have_count(1)
        expect(cards.first).to_contain_text("OCOP 4★")
        page.screenshot(path=SCREENSHOTS / "marketplace-search-390.png", full_page=True)
        cards.first.get_by_role("link").click()
        page.fill("#quantity", "2")
        page.get_by_role("button", name="Thêm vào giỏ").click()
        expect(page.locator("main")).to_contain_text("500.000 đ")
        page.get_by_role("link", name="Đặt hàng").click()
        page.select_option("#pick-province", "01")
        page.get_by_role("button", name="Chọn tỉnh").click()
        page.fill("#id_recipient", "Nguyễn Thị Lan")
        page.fill("#id_phone", "0912345678")
        page.select_option("#id_commune", index=3)
        page.fill("#id_street", "12 Phố Huế")
        page.get_by_label("Chuyển khoản VietQR").check()
        page.get_by_role("button", name="Xác nhận đặt hàng").click()
        expect(page.locator("#vietqr svg")).to_be_visible()
        payload = page.locator("#qr-payload").input_value()
        assert "0010A000000727" in payload and "5406500000" in payload
        expect(page.locator("#order-paid")).to_have_text("Chưa thanh toán")
        page.screenshot(path=SCREENSHOTS / "marketplace-vietqr-390.png", full_page=True)
        order_url = page.url

        desk = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
        board = desk.new_page()
        board.goto(f"{base}/accounts/login/")
        board.fill("input[name=username]", "quan-ly-che")
        board.fill("input[name=password]", PASSWORD)
        board.locator("main form button").first.click()
        board.goto(f"{base}/market/seller/")
        board.screenshot(path=SCREENSHOTS / "marketplace-board-1366.png", full_page=True)
        board.locator("#board-orders tbody a").first.click()
        board.locator("#confirm-paid").click()
        expect(board.locator("#order-paid")).to_have_text("Đã thanh toán")
        board.locator("[data-step=confirm]").click()
        expect(board.locator("#order-status")).to_have_text("Đã xác nhận")

        page.goto(order_url)
        expect(page.locator("#order-paid")).to_have_text("Đã thanh toán")
        expect(page.locator("#vietqr")).to_have_count(0)

        # The manager invites the buyer to sell for the cooperative; she accepts the link.
        board.goto(f"{base}/market/seller/")
        board.get_by_role("link", name="Người bán hàng").click()
        board.fill("#id_email", "lan@example.vn")
        board.get_by_role("button", name="Gửi lời mời").click()
        expect(board.locator("main")).to_contain_text("lan@example.vn")
        board.screenshot(path=SCREENSHOTS / "marketplace-staff-1366.png", full_page=True)
        from django.core import mail

        link = next(w for w in mail.outbox[-1].body.split() if "/staff/accept/" in w)
        page.goto(base + link[link.index("/market/") :])
        page.get_by_role("button", name="Nhận lời mời").click()
        expect(page.locator("main")).to_contain_text("Bánh chưng")  # her board: the products
        page.screenshot(path=SCREENSHOTS / "marketplace-staff-board-390.png", full_page=True)
        browser.close()
