"""In a real Chromium: a citizen signs up on a phone, activates the account by the e-mailed link
and signs in with the CCCD; a founder asks to change the name of the cooperative they
registered; the commune's officer approves it from the commune's queue, and the founder's page
shows the new certificate. A founder lists a member leaving (and admits one), the commune's
officer approves, and the province's officer finds the membership ended in the registry.
Screenshots go to var/screenshots/registration-change-*.png, registration-leaving-*.png and
signup-*.png."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from htxso.core.tests.browser import CHROMIUM_ARGS, PHONE, chromium_path, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "mat-khau-thu-nghiem-123"


@pytest.fixture
def registered(live_server, settings, tmp_path) -> dict:
    from htxso.core.roles import Role
    from htxso.core.tests.units_snapshot import restore_units
    from htxso.registration import decisions, services
    from htxso.registry.tests.conftest import make_user

    from .conftest import commune_19, complete

    settings.MEDIA_ROOT = tmp_path
    settings.REGISTRATION_TAX_CODE_RANGE = ("970000000", "970000099")
    restore_units()
    founder = make_user("sang-lap", Role.APPLICANT, email="sanglap@example.vn")
    make_user("can-bo-xa", Role.COMMUNE_OFFICER, "19", commune_id=commune_19().pk)
    application = complete(founder)
    application = services.submit(founder, application.pk, application.version)
    application = decisions.take(None, application.pk, application.version)
    application = decisions.approve(None, application.pk, application.version)
    return {"organisation": application.organisation_id}


def test_a_citizen_signs_up_and_a_commune_approves_a_change(
    chromium_path,  # noqa: F811
    live_server,
    registered,
):
    from playwright.sync_api import expect, sync_playwright

    from htxso.core.cccd import encode_cccd

    expect.set_options(timeout=20_000)  # a shared, busy machine: the pages are slow, not wrong
    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        citizen = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True)
        page = citizen.new_page()
        page.goto(f"{base}/accounts/login/")
        page.get_by_role("link", name="Đăng ký tài khoản").last.click()
        number = encode_cccd("19", "female", 1990, 777)
        page.fill("#id_cccd", number)
        page.fill("#id_full_name", "Đỗ Thị Hương Giang")
        page.fill("#id_birth_date", "05/05/1991")  # not the CCCD's year: refused
        page.fill("#id_phone", "0987654321")
        page.fill("#id_email", "giang@example.vn")
        page.fill("#id_password1", "Doi-che-Tan-Cuong-2026")
        page.fill("#id_password2", "Doi-che-Tan-Cuong-2026")
        page.get_by_role("button", name="Đăng ký", exact=True).click()
        expect(page.locator("#signup-form")).to_contain_text("không khớp với số CCCD")
        page.screenshot(path=SCREENSHOTS / "signup-refused-390.png", full_page=True)
        page.fill("#id_birth_date", "05/05/1990")
        page.fill("#id_password1", "Doi-che-Tan-Cuong-2026")
        page.fill("#id_password2", "Doi-che-Tan-Cuong-2026")
        page.get_by_role("button", name="Đăng ký", exact=True).click()
        expect(page.locator("#signup-sent")).to_contain_text("giang@example.vn")
        link = re.search(r"https?://\S+/accounts/signup/\S+", mail.outbox[-1].body)
        assert link is not None
        page.goto(link.group(0))
        expect(page.locator("main")).to_contain_text("Tài khoản đã được kích hoạt")
        sign_in(page, base, number, "Doi-che-Tan-Cuong-2026")
        expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Đỗ Thị Hương Giang")
        page.screenshot(path=SCREENSHOTS / "signup-home-390.png", full_page=True)
        citizen.close()

        founder = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True)
        page = founder.new_page()
        sign_in(page, base, "sang-lap")
        page.goto(f"{base}/registration/")
        page.select_option("#id_purpose", "change")
        page.locator("form").filter(has=page.locator("#id_purpose")).get_by_role(
            "button", name="Lập hồ sơ"
        ).click()
        expect(page.locator("#purpose")).to_have_text("Đăng ký thay đổi")
        page.fill("#id_name", "Hợp tác xã Chè Xanh Tân Cương")
        page.get_by_role("button", name="Lưu nháp").click()
        for code in ("change_notice", "change_resolution"):
            form = page.locator("#upload-form")
            form.locator("#id_document").select_option(code)
            form.locator("#id_file").set_input_files(
                {"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}
            )
            form.get_by_role("button", name="Tải lên").click()
            expect(page.get_by_role("link", name=f"{code}.pdf")).to_be_visible()
        page.screenshot(path=SCREENSHOTS / "registration-change-founder-390.png", full_page=True)
        page.locator("#submit-application").click()
        expect(page.locator("#status")).to_have_text("Đã nộp")
        application_url = page.url

        office = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
        desk = office.new_page()
        sign_in(desk, base, "can-bo-xa")
        desk.locator("#nav-work").click()  # the role's tools are in the "Công việc" menu
        desk.get_by_role("link", name="Hồ sơ chờ giải quyết").click()
        row = desk.locator("tbody tr").filter(has_text="Chè Xanh Tân Cương")
        expect(row).to_contain_text("ngày làm việc")
        desk.screenshot(path=SCREENSHOTS / "registration-change-queue-1366.png", full_page=True)
        row.get_by_role("link").first.click()
        desk.locator("#take").click()
        desk.locator("#approve").click()
        expect(desk.locator("#status")).to_have_text("Đã cấp đăng ký")
        expect(desk.locator("#timeline")).to_contain_text("Đã đăng ký thay đổi: tên")
        desk.screenshot(path=SCREENSHOTS / "registration-change-approved-1366.png", full_page=True)

        page.goto(application_url)
        expect(page.get_by_role("link", name="Tải giấy chứng nhận (PDF)")).to_be_visible()
        browser.close()

    from htxso.registry.models import Organisation

    organisation = Organisation.objects.get(pk=registered["organisation"])
    assert organisation.name == "Hợp tác xã Chè Xanh Tân Cương"


def test_a_member_leaves_through_a_change_and_the_registry_ends_the_membership(
    chromium_path,  # noqa: F811
    live_server,
    registered,
):
    """The founder lists a member leaving (picked from the cooperative's members, CCCD masked)
    and admits one, so the HTX keeps the law's five; the commune's officer sees both in the
    review and approves; the province's officer finds the membership ended in the registry."""
    from django.urls import reverse
    from playwright.sync_api import expect, sync_playwright

    from htxso.core.roles import Role
    from htxso.registry.models import Membership
    from htxso.registry.tests.conftest import make_user

    from .conftest import member_facts

    make_user("can-bo-tinh", Role.PROVINCIAL_OFFICER, "19")
    leaver = (
        Membership.objects.filter(organisation_id=registered["organisation"])
        .select_related("person")
        .order_by("id")
        .first()
    )
    assert leaver is not None and leaver.person is not None
    newcomer = member_facts(7)
    today = dt.date.today().strftime("%d/%m/%Y")
    expect.set_options(timeout=20_000)
    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        founder = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True)
        page = founder.new_page()
        sign_in(page, base, "sang-lap")
        page.goto(f"{base}/registration/")
        page.select_option("#id_purpose", "change")
        page.locator("form").filter(has=page.locator("#id_purpose")).get_by_role(
            "button", name="Lập hồ sơ"
        ).click()
        expect(page.locator("#purpose")).to_have_text("Đăng ký thay đổi")
        form = page.locator("#leaving-form")
        expect(form.locator("#id_membership")).to_contain_text(leaver.person.full_name)
        expect(form.locator("#id_membership")).not_to_contain_text(leaver.person.cccd)
        form.locator("#id_membership").select_option(str(leaver.pk))
        form.locator("#id_left_on").fill(today)
        form.locator("#id_reason").fill("Chuyển sang làm công nhân")
        form.get_by_role("button", name="Ghi thành viên ra khỏi").click()
        expect(page.locator("#leaving")).to_contain_text(leaver.person.full_name)
        # 4 of an HTX's 5 would be left: said before submitting, and submitting is closed.
        expect(page.locator("#below-minimum")).to_contain_text("ít hơn mức tối thiểu 5")
        expect(page.locator("#submit-application")).to_be_disabled()
        members = page.locator("#member-form")
        members.locator("#id_cccd").fill(newcomer["cccd"])
        members.locator("#id_full_name").fill(newcomer["full_name"])
        members.locator("#id_birth_date").fill(newcomer["birth_date"].strftime("%d/%m/%Y"))
        members.get_by_role("button", name="Thêm thành viên").click()
        expect(page.locator("#below-minimum")).to_have_count(0)
        for code in ("change_notice", "change_resolution"):
            upload = page.locator("#upload-form")
            upload.locator("#id_document").select_option(code)
            upload.locator("#id_file").set_input_files(
                {"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}
            )
            upload.get_by_role("button", name="Tải lên").click()
            expect(page.get_by_role("link", name=f"{code}.pdf")).to_be_visible()
        page.screenshot(path=SCREENSHOTS / "registration-leaving-founder-390.png", full_page=True)
        page.locator("#submit-application").click()
        expect(page.locator("#status")).to_have_text("Đã nộp")
        application_url = page.url

        office = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
        desk = office.new_page()
        sign_in(desk, base, "can-bo-xa")
        desk.goto(application_url)
        review = desk.locator("#leaving")
        expect(review).to_contain_text(leaver.person.full_name)
        expect(review).to_contain_text("Chuyển sang làm công nhân")
        expect(review).not_to_contain_text(leaver.person.cccd)  # masked
        desk.locator("#take").click()
        desk.locator("#approve").click()
        expect(desk.locator("#status")).to_have_text("Đã cấp đăng ký")
        expect(desk.locator("#timeline")).to_contain_text("1 thành viên ra khỏi")
        desk.screenshot(path=SCREENSHOTS / "registration-leaving-approved-1366.png", full_page=True)
        office.close()

        province = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
        registry_page = province.new_page()
        sign_in(registry_page, base, "can-bo-tinh")
        registry_page.goto(base + reverse("registry:members", args=[registered["organisation"]]))
        table = registry_page.locator("#members-table")
        expect(table).to_contain_text(newcomer["full_name"])
        expect(table).not_to_contain_text(leaver.person.full_name)
        registry_page.goto(base + reverse("registry:person", args=[leaver.person_id]))
        expect(registry_page.locator("#person-memberships")).to_contain_text(f"đến {today}")
        registry_page.screenshot(
            path=SCREENSHOTS / "registration-leaving-registry-1366.png", full_page=True
        )
        browser.close()

    leaver.refresh_from_db()
    assert leaver.left_on is not None
