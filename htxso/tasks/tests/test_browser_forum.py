"""A cooperative raises a recommendation to the forum and follows it to its answer and its
task's progress, in a real Chromium (Playwright, /usr/bin/chromium): the cooperative's manager
on a phone opens the forum, raises a recommendation (an empty one first: the Vietnamese reasons
shown, nothing sent); the secretariat finds it in its inbox and routes it to Thái Nguyên's
people's committee; the province's officer answers from its inbox; the secretariat turns it
into a task with one action; the province reports 40 % and the secretariat accepts; the
manager finds the answer in its inbox and sees the answer and the task's progress. Screenshots
go to var/screenshots/forum-*.png."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from htxso.core.tests.browser import CHROMIUM_ARGS, PHONE, chromium_path, sign_in  # noqa: F401
from htxso.reporting.tests.test_browser_axe import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "mat-khau-thu-nghiem-123"
DESK = {"width": 1366, "height": 900}


@pytest.fixture
def forum(live_server, settings, tmp_path):  # type: ignore[no-untyped-def]
    from htxso.core.roles import Role
    from htxso.core.tests.units_snapshot import restore_units
    from htxso.registry.tests.conftest import make_user
    from htxso.registry.tests.factories import OrganisationFactory
    from htxso.tasks.designations.models import Function
    from htxso.tasks.designations.services import designate
    from htxso.tasks.forum import services
    from htxso.tasks.reference import ensure_agencies

    settings.MEDIA_ROOT = tmp_path
    restore_units()
    ensure_agencies()
    cooperative = OrganisationFactory(
        province_id="19", kind="cooperative", name="HTX Chè Tân Cương"
    )
    make_user("gd-htx", Role.COOPERATIVE_MANAGER, "19", organisation=cooperative)
    make_user("dau-moi-19", Role.PROVINCIAL_OFFICER, "19")
    secretariat = make_user("van-phong", Role.CENTRAL_OFFICER)
    designate(None, secretariat.pk, Function.SECRETARIAT)
    today = dt.date.today()
    held_on = today + dt.timedelta(days=14)
    return services.create_edition(
        secretariat,
        held_on.year,
        "Chuyển đổi số trong khu vực kinh tế tập thể",
        held_on,
        "Hội trường Bộ Tài chính, Hà Nội",
        "08:00 Khai mạc\n09:00 Tham luận của hợp tác xã\n10:30 Đối thoại",
    )


def test_a_cooperative_raises_a_recommendation_and_follows_its_answer_and_task(
    chromium_path,  # noqa: F811
    live_server,
    forum,
):
    from playwright.sync_api import expect, sync_playwright

    from htxso.tasks.models import Agency

    province_agency = Agency.objects.get(code="ubnd-19")
    point_pk = forum.points.get(province_id="19").pk
    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    title = "Khó tiếp cận vốn vay ưu đãi để đầu tư kho lạnh"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        phone = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True)
        coop = phone.new_page()
        sign_in(coop, base, "gd-htx")
        coop.goto(f"{base}/tasks/forum/")
        expect(coop.locator("#theme")).to_have_text("Chuyển đổi số trong khu vực kinh tế tập thể")
        coop.screenshot(path=str(SCREENSHOTS / "forum-edition-phone.png"), full_page=True)
        coop.get_by_role("link", name="Gửi kiến nghị").first.click()
        coop.get_by_role("button", name="Lưu").click()
        expect(coop.locator(".field-error").first).to_be_visible()
        coop.select_option("#id_topic", "credit")
        coop.fill("#id_title", title)
        coop.fill("#id_difficulty", "HTX không có tài sản bảo đảm; quỹ hỗ trợ của tỉnh còn nhỏ.")
        coop.fill(
            "#id_proposal", "Cho vay theo hợp đồng tiêu thụ và tài sản hình thành từ vốn vay."
        )
        coop.get_by_role("button", name="Lưu").click()
        expect(coop.locator("#rec-state")).to_have_text("Chờ phân công cơ quan trả lời")
        expect(coop.locator("#answer-text")).to_have_text("Chưa có trả lời.")

        office = browser.new_context(locale="vi-VN", viewport=DESK)
        desk = office.new_page()
        sign_in(desk, base, "van-phong")
        desk.get_by_text("1 kiến nghị chờ chuyển cơ quan trả lời").click()
        desk.get_by_role("link", name=title).click()
        desk.select_option("#route-form select", value=str(province_agency.pk))
        desk.get_by_role("button", name="Chuyển").click()
        expect(desk.locator("#rec-state")).to_have_text("Chờ cơ quan có thẩm quyền trả lời")

        officer_context = browser.new_context(locale="vi-VN", viewport=DESK)
        officer = officer_context.new_page()
        sign_in(officer, base, "dau-moi-19")
        officer.get_by_text("1 kiến nghị chờ tỉnh trả lời").click()
        officer.get_by_role("link", name=title).click()
        officer.get_by_role("button", name="Gửi trả lời").click()  # empty: refused
        expect(officer.locator("#answer-form .field-error")).to_be_visible()
        officer.fill(
            "#answer-form textarea",
            "Tỉnh tiếp thu; Quỹ hỗ trợ phát triển HTX nhận hợp đồng tiêu thụ làm căn cứ cho vay.",
        )
        officer.get_by_role("button", name="Gửi trả lời").click()
        expect(officer.locator("#rec-state")).to_have_text("Đã trả lời")

        desk.reload()
        due = (dt.date.today() + dt.timedelta(days=60)).strftime("%d/%m/%Y")
        desk.fill("#task-form input[name=due_on]", due)
        desk.get_by_role("button", name="Giao nhiệm vụ").click()
        expect(desk.locator("#progress")).to_contain_text(province_agency.name)
        desk.screenshot(path=str(SCREENSHOTS / "forum-recommendation-desk.png"), full_page=True)

        # The province reports on the task, the secretariat accepts: the raiser sees the percent.
        officer.goto(f"{base}/tasks/")
        officer.get_by_role("link", name=title).click()
        officer.fill("#id_text", "Đang sửa quy chế cho vay của Quỹ.")
        officer.fill("#id_percent", "40")
        officer.get_by_role("button", name="Gửi báo cáo").click()
        expect(officer.locator(".report-state").first).to_have_text("Chờ Văn phòng xem xét")
        desk.goto(f"{base}/tasks/?waiting=on")
        desk.get_by_role("link", name=title).click()
        desk.get_by_role("button", name="Chấp nhận").click()
        expect(desk.locator(".report-state").first).to_have_text("Đã chấp nhận")

        coop.goto(f"{base}/")
        coop.get_by_text("1 kiến nghị của bạn đã có trả lời").click()
        coop.get_by_role("link", name=title).click()
        expect(coop.locator("#answer-text")).to_contain_text("Quỹ hỗ trợ phát triển HTX")
        expect(coop.locator("#task-percent")).to_have_text("40%")
        expect(coop.locator("#progress")).not_to_contain_text("Đang sửa quy chế")  # internal
        coop.screenshot(path=str(SCREENSHOTS / "forum-answer-phone.png"), full_page=True)
        found = [f"raiser's recommendation: {v}" for v in axe_violations(coop)]
        coop.goto(f"{base}/tasks/forum/recommendations/")
        coop.screenshot(path=str(SCREENSHOTS / "forum-list-phone.png"), full_page=True)
        found += [f"list (phone): {v}" for v in axe_violations(coop)]
        # Every forum page and the secretariat's entry pages pass axe-core (the UI kit's rule).
        point = f"{base}/tasks/forum/points/{point_pk}/"
        for page, path in (
            (desk, "/tasks/forum/"),
            (desk, "/tasks/forum/new/"),
            (desk, "/tasks/directives/new/"),
            (desk, "/tasks/new/"),
            (desk, "/tasks/forum/recommendations/"),
            (officer, point.removeprefix(base)),
            (coop, "/tasks/forum/recommendations/new/"),
        ):
            page.goto(f"{base}{path}")
            found += [f"{path}: {v}" for v in axe_violations(page)]
        desk.goto(f"{base}/tasks/forum/")
        desk.screenshot(path=str(SCREENSHOTS / "forum-edition.png"), full_page=True)
        desk.goto(f"{base}/tasks/new/")
        desk.screenshot(path=str(SCREENSHOTS / "tasks-new.png"), full_page=True)
        officer.goto(point)
        officer.screenshot(path=str(SCREENSHOTS / "forum-point.png"), full_page=True)
        browser.close()
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
