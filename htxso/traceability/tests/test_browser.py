"""A shopper scans a label, in a real Chromium (Playwright, /usr/bin/chromium): the cooperative's
manager records a harvest in the diary (the pre-harvest interval refused first, with its
reason), the lot's label URL — the QR code's GS1 Digital Link — is opened on a phone and shows
the trace page. Screenshots go to var/screenshots/traceability-*.png."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from htxso.core.tests.browser import CHROMIUM_ARGS, PHONE, chromium_path  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "mat-khau-thu-nghiem-123"
GTIN = "8930000000019"


@pytest.fixture
def diary(live_server):
    from htxso.core.models import Commune
    from htxso.core.roles import Role
    from htxso.core.tests.units_snapshot import restore_units
    from htxso.registry.tests.conftest import make_user
    from htxso.registry.tests.factories import OrganisationFactory
    from htxso.traceability import services

    restore_units()
    org = OrganisationFactory(province_id="19", name="HTX Chè Tân Cương")
    manager = make_user("quan-ly", Role.COOPERATIVE_MANAGER, "19", organisation=org)
    commune = Commune.objects.get(province_id="19", name="Xã Tân Cương")
    plot = services.create_plot(manager, org.pk, commune.pk, "Đồi chè số 3", 5000)
    crop = services.add_crop(manager, plot.pk, "Chè Kim Tuyên", "crop", dt.date(2026, 1, 5))
    services.create_product(
        manager, org.pk, "Chè búp Tân Cương 200 g", GTIN,
        certificates=[{"kind": "OCOP", "stars": 4}, {"kind": "VietGAP", "number": "VG-19-001"}],
    )  # fmt: skip
    services.add_treatment(
        manager, crop.pk, "Phân hữu cơ vi sinh", "500 kg/ha", dt.date(2026, 4, 20), 14
    )
    return crop


def test_a_harvest_recorded_then_its_label_scanned_on_a_phone(
    chromium_path,  # noqa: F811
    live_server,
    diary,
):
    from playwright.sync_api import expect, sync_playwright

    from htxso.traceability import compression

    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        desk = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
        page = desk.new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", "quan-ly")
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button").first.click()
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/traceability/")
        form = page.locator("#form-harvest")
        form.locator("summary").click()
        form.locator("#id_harvest-crop").select_option(label="Chè Kim Tuyên")
        form.locator("#id_harvest-product").select_option(index=1)
        form.locator("#id_harvest-lot").fill("LO-2026-05")
        form.locator("#id_harvest-harvested_on").fill("01/05/2026")
        form.locator("#id_harvest-quantity_kg").fill("1.250")
        form.get_by_role("button", name="Ghi").click()
        expect(page.locator("#form-harvest")).to_contain_text("được thu hoạch từ ngày 04/05/2026")
        page.screenshot(path=str(SCREENSHOTS / "traceability-diary-refused.png"), full_page=True)
        form = page.locator("#form-harvest")
        form.locator("#id_harvest-harvested_on").fill("05/05/2026")
        form.get_by_role("button", name="Ghi").click()
        expect(page.locator("#harvests")).to_contain_text("LO-2026-05")
        page.screenshot(path=str(SCREENSHOTS / "traceability-diary.png"), full_page=True)
        form = page.locator("#form-transform")  # the lot dried into a new lot, from the page
        form.locator("summary").click()
        form.locator("#id_transform-input_product").select_option(index=1)
        form.locator("#id_transform-input_lot").fill("LO-2026-05")
        form.locator("#id_transform-input_kg").fill("1.250")
        form.locator("#id_transform-output_product").select_option(index=1)
        form.locator("#id_transform-output_lot").fill("SAY-05")
        form.locator("#id_transform-output_kg").fill("300")
        form.locator("#id_transform-happened_on").fill("06/05/2026")
        form.get_by_role("button", name="Ghi").click()
        expect(page.locator("#events")).to_contain_text("Chế biến / tạo lô mới")
        form = page.locator("#form-associate")  # a temperature logger goes with the dried lot
        form.locator("summary").click()
        form.locator("#id_associate-device").fill("8930000NHIETKE01")
        form.locator("#id_associate-target").fill(f"{GTIN}/SAY-05")
        form.locator("#id_associate-happened_on").fill("06/05/2026")
        form.locator("#id_associate-temperature").fill("4,5")
        form.locator("#id_associate-humidity").fill("200")
        form.get_by_role("button", name="Ghi").click()
        expect(page.locator("#form-associate")).to_contain_text("trong khoảng 0 đến 100")
        page.locator("#form-associate #id_associate-humidity").fill("85")
        page.locator("#form-associate").get_by_role("button", name="Ghi").click()
        expect(page.locator("#events")).to_contain_text("Gắn thiết bị")
        page.locator('[data-labels-printed="LO-2026-05"]').click()  # labels printed: a POST
        expect(page.locator("main")).to_contain_text("Đã ghi nhận lô LO-2026-05 đã in tem QR.")
        expect(page.locator('[data-labels-printed="LO-2026-05"]')).to_have_count(0)
        page.screenshot(path=str(SCREENSHOTS / "traceability-diary-device.png"), full_page=True)

        phone = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True)
        shopper = phone.new_page()
        # What a compressed QR code holds: the dried lot's link in one segment.
        compressed = compression.compress(f"{base}/01/{GTIN}/10/SAY-05")
        shopper.goto(compressed)
        expect(shopper.locator("#lot")).to_have_text("SAY-05")
        expect(shopper.locator("#timeline")).to_contain_text("Chế biến / tạo lô mới")
        expect(shopper.locator("#timeline")).to_contain_text("Gắn thiết bị")
        expect(shopper.locator("#map-places")).to_contain_text("Xã Tân Cương")
        shopper.locator("#journey-map").scroll_into_view_if_needed()
        shopper.screenshot(path=str(SCREENSHOTS / "traceability-map-phone.png"), full_page=True)
        shopper.goto(f"{base}/01/{GTIN}/10/LO-2026-05")  # what the QR code holds
        expect(shopper.locator("#product-name")).to_have_text("Chè búp Tân Cương 200 g")
        expect(shopper.locator("#organisation")).to_have_text("HTX Chè Tân Cương")
        expect(shopper.locator("#organisation-status")).to_have_text("Đang hoạt động")
        expect(shopper.locator("#inputs")).to_contain_text("20/04/2026 — Phân hữu cơ vi sinh")
        expect(shopper.locator("#timeline")).to_contain_text("Thu hoạch / tạo lô")
        expect(shopper.locator("#certificates")).to_contain_text("OCOP")
        width = shopper.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]  # nothing scrolls sideways on a phone
        shopper.screenshot(path=str(SCREENSHOTS / "traceability-trace-phone.png"), full_page=True)
        browser.close()
