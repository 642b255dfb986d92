"""A manager self-scores and the province reviews, in a real Chromium (Playwright,
/usr/bin/chromium): the manager opens their cooperative's assessments, begins the 2025
classification, types the scores (the total and the grade follow as they type), submits; the
provincial officer finds it in the inbox and the list, adjusts a score with a reason (the
grade drops) and approves; the registry shows the grade. Screenshots (1366×900 and the
manager's tablet, 820×1180) go to var/screenshots/assessment-*.png."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from htxso.core.tests.browser import CHROMIUM_ARGS, chromium_path, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "mat-khau-thu-nghiem-123"
TABLET = {"width": 820, "height": 1180}


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def people(live_server, monkeypatch, settings, tmp_path) -> dict:
    from htxso.assessment import services
    from htxso.assessment.models import RuleSet
    from htxso.core.roles import Role
    from htxso.core.tests.units_snapshot import restore_units
    from htxso.registry.tests.conftest import make_user
    from htxso.registry.tests.factories import OrganisationFactory

    from .conftest import definition

    settings.MEDIA_ROOT = tmp_path / "media"
    restore_units()
    for name in ("classification-tt01-2020.json", "dx-htx-2024.json"):
        if not RuleSet.objects.filter(code=definition(name)["code"]).exists():
            services.load_rule_set(None, definition(name))  # a flushed database has none
    # The round's clock: within the 2025 round whatever day the test runs.
    monkeypatch.setattr(services, "_today", lambda today=None: today or dt.date(2025, 12, 10))
    htx = OrganisationFactory(province_id="19", name="HTX Chè Tân Cương Thử nghiệm")
    make_user("quan-ly", Role.COOPERATIVE_MANAGER, "19", organisation=htx)
    make_user("can-bo-19", Role.PROVINCIAL_OFFICER, "19")
    make_user("trung-uong", Role.CENTRAL_OFFICER)
    return {"htx": htx}


def test_a_manager_self_scores_and_the_province_reviews(
    chromium_path,  # noqa: F811
    live_server,
    people,
):
    from playwright.sync_api import expect, sync_playwright

    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        manager = browser.new_context(locale="vi-VN", viewport=TABLET, has_touch=True)
        page = manager.new_page()
        sign_in(page, base, "quan-ly")
        page.goto(f"{base}/assessment/")  # the nav's "Đánh giá" (collapsed on a tablet)
        page.locator("#my-organisation").click()
        page.fill("#class-year", "2025")
        page.get_by_role("button", name="Tự chấm điểm phân loại").click()
        expect(page.locator("#status")).to_have_text("Đang tự chấm")
        scores = [10, 10, 5, 5, 10, 0, 10, 5, 5, 5, 5, 5, 10, 0, 0]  # 85 (c06 prefilled 0)
        inputs = page.locator("[data-score]")
        for i, score in enumerate(scores):
            inputs.nth(i).fill(str(score))
        expect(page.locator("#total")).to_have_text("85")
        expect(page.locator("#grade")).to_have_text("Tốt")
        inputs.nth(0).fill("4")  # 79: the grade follows as they type
        expect(page.locator("#total")).to_have_text("79")
        expect(page.locator("#grade")).to_have_text("Khá")
        inputs.nth(0).fill("11")  # above the maximum: marked, left out
        expect(inputs.nth(0)).to_have_class("form-control form-control-sm is-invalid")
        page.locator("#exclusion").focus()
        page.screenshot(
            path=str(SCREENSHOTS / "assessment-self-scoring-tablet.png"), full_page=True
        )
        page.get_by_role("button", name="Nộp cho tỉnh").click()  # the server refuses 11
        expect(page.locator("#errors, .invalid-feedback").first).to_be_visible()
        expect(page.get_by_text("Điểm phải từ 0 đến 10.")).to_be_visible()
        page.locator("[data-score]").nth(0).fill("10")
        page.get_by_role("button", name="Lưu").click()
        # Evidence for c01: a file that is not a PDF by its bytes is refused, then the report.
        page.select_option("#evidence-criterion", "c01")
        fake = {"name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": b"<html>"}
        page.set_input_files("#evidence-file", fake)
        page.get_by_role("button", name="Đính kèm", exact=True).click()
        expect(page.get_by_text("Chỉ nhận tệp PDF, JPEG hoặc PNG")).to_be_visible()
        page.select_option("#evidence-criterion", "c01")
        report = {"name": "bao-cao-tai-chinh-2025.pdf", "mimeType": "application/pdf"}
        page.set_input_files("#evidence-file", {**report, "buffer": PDF})
        page.get_by_role("button", name="Đính kèm", exact=True).click()
        expect(page.get_by_text("Đã đính kèm minh chứng.")).to_be_visible()
        expect(page.locator('[data-evidence="c01"]')).to_contain_text(report["name"])
        page.get_by_role("button", name="Nộp cho tỉnh").click()
        expect(page.locator("#status")).to_have_text("Đã nộp, chờ tỉnh duyệt")
        expect(page.locator("#total")).to_have_text("85")
        manager.close()

        officer = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
        page = officer.new_page()
        sign_in(page, base, "can-bo-19")
        expect(page.get_by_text("1 bản phân loại HTX chờ duyệt")).to_be_visible()
        page.get_by_text("1 bản phân loại HTX chờ duyệt").click()
        page.get_by_role("link", name=people["htx"].name).click()
        with page.expect_download() as download:  # the evidence, in review
            page.locator('[data-evidence="c01"] a').click()
        assert Path(download.value.path()).read_bytes() == PDF
        assert download.value.suggested_filename == "bao-cao-tai-chinh-2025.pdf"
        page.select_option("#criterion", "c01")
        page.fill("#points", "4")
        page.get_by_role("button", name="Điều chỉnh điểm").click()  # no reason: refused
        expect(page.get_by_text("Hãy ghi lý do điều chỉnh điểm.")).to_be_visible()
        page.select_option("#criterion", "c01")
        page.fill("#points", "4")
        page.fill("#adjust-reason", "Doanh thu năm 2025 chưa đạt 5 tỷ đồng")
        page.get_by_role("button", name="Điều chỉnh điểm").click()
        expect(page.locator("#total")).to_have_text("79")
        expect(page.locator("#grade")).to_have_text("Khá")
        expect(page.get_by_text("Doanh thu năm 2025 chưa đạt 5 tỷ đồng")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "assessment-review.png"), full_page=True)
        page.get_by_role("button", name="Duyệt xếp loại").click()
        expect(page.locator("#status")).to_have_text("Tỉnh đã duyệt")
        page.goto(f"{base}/assessment/rounds/?year=2025")  # the results to the centre
        page.get_by_role("button", name="Gửi kết quả lên trung ương").click()
        expect(page.locator("#round-status")).to_contain_text("Đã gửi trung ương")
        page.screenshot(path=str(SCREENSHOTS / "assessment-round-sent.png"), full_page=True)
        officer.close()

        centre = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
        page = centre.new_page()
        sign_in(page, base, "trung-uong")
        waiting = "1 tỉnh đã gửi kết quả phân loại HTX, chờ trung ương tiếp nhận"
        page.get_by_text(waiting).click()
        row = page.locator('tr[data-province="19"]')
        expect(row).to_contain_text("Đã gửi trung ương")
        expect(row).to_contain_text("100 %")  # one Khá among one graded
        page.screenshot(path=str(SCREENSHOTS / "assessment-rounds-centre.png"), full_page=True)
        row.get_by_role("button", name="Tiếp nhận").click()
        expect(page.locator('tr[data-province="19"]')).to_contain_text("Trung ương đã tiếp nhận")
        centre.close()
        browser.close()
    htx = people["htx"]
    htx.refresh_from_db()
    assert htx.classification == "fair"
