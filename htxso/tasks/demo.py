"""Demo follow-up data, so `make demo` shows the dashboards alive: the agencies; the directive
7470/VPCP-NN giving ministries the eight task groups the domain notes list (the 2022 forum's
conclusions; the directive's date is a demo value to check against the original); a provincial
steering committee's directive to Thái Nguyên (the demo officer's province) with monthly and
quarterly reports; reports in every state. Deadlines are set around today so every status shows.
Written through the services (the system acting). Never run this on a real system."""

import datetime as dt

from django.db import transaction

from htxso.core import facts
from htxso.core.models import User

from . import services
from .designations.demo import demo_designations
from .models import Agency, Directive, Task
from .reference import ensure_agencies


def _known(codes: str) -> str:
    """The codes among `codes` that reporting's catalogue has (loaded before the demo tasks in
    `make demo`; a demo run alone links no indicator)."""
    found = facts.indicators(codes.split(","))
    return ",".join(c for c in codes.split(",") if c in found)


NATIONAL = "7470/VPCP-NN"
PROVINCIAL = "125/KH-BCĐ"
# (agency, task, days from today to the deadline, percent accepted: None none, 100 done)
GROUPS = (
    (
        "bo-tc",
        "Xây dựng cơ sở dữ liệu chuyên ngành về HTX, kết nối với cơ sở dữ liệu quốc gia và các"
        " ngành; các nền tảng số về thị trường, khoa học công nghệ, tư vấn pháp lý, đào tạo,"
        " sàn thương mại điện tử",
        40,
        60,
    ),
    (
        "bo-tp",
        "Hoàn thiện thể chế, khung pháp lý cho chuyển đổi số trong khu vực kinh tế tập thể, HTX",
        -20,
        100,
    ),
    (
        "bo-tc",
        "Đề xuất chính sách hỗ trợ HTX chuyển đổi số (kỹ thuật, tài chính, đội ngũ tư vấn)",
        -10,
        40,
    ),
    (
        "bo-nnmt",
        "Hướng dẫn các địa phương tháo gỡ vướng mắc, bố trí kinh phí chuyển đổi số cho HTX"
        " và sản phẩm OCOP",
        3,
        30,
    ),
    (
        "bo-ct",
        "Hỗ trợ HTX đổi mới phương thức sản xuất, tiêu thụ sản phẩm trên sàn thương mại điện tử",
        90,
        None,
    ),
    (
        "lmhtx",
        "Khảo sát thực trạng, tư vấn lộ trình chuyển đổi số phù hợp cho HTX; hướng dẫn thủ tục"
        " để HTX tiếp cận hỗ trợ của Nhà nước",
        25,
        20,
    ),
    (
        "bo-vhttdl",
        "Truyền thông chính sách về chuyển đổi số trong khu vực kinh tế tập thể",
        -40,
        100,
    ),
    (
        "vpcp",
        "Tổng hợp tình hình phối hợp giữa các bộ, ngành và địa phương, báo cáo Thủ tướng Chính phủ",
        60,
        None,
    ),
)


def _focal_points() -> tuple[User, User, User | None]:
    """The secretariat, Thái Nguyên's officer and the Ministry of Finance's focal point (with
    their designations: designations/demo.py)."""
    people = demo_designations()
    secretariat = people["vanphongbcd"]
    return secretariat, people.get("tinh.thainguyen") or secretariat, people.get("daumoi.botc")


def _accept(
    secretariat: User, author: User, task_id: int, percent: int, text: str, on: dt.date
) -> None:
    task = Task.objects.get(pk=task_id)
    report = services.report_progress(
        None, task.pk, task.version, text, percent, on=on, author=author
    )
    services.review_report(None, report.pk, report.version, True)


@transaction.atomic
def create_demo_tasks() -> int:
    """The demo directives and tasks (again: nothing new). Returns the tasks created."""
    ensure_agencies()
    secretariat, officer, finance = _focal_points()
    if Directive.objects.filter(number=NATIONAL).exists():
        return 0
    today = services.today()
    national = services.create_directive(
        None,
        NATIONAL,
        dt.date(2022, 12, 30),
        "Văn phòng Chính phủ",
        "Thông báo kết luận về Diễn đàn Kinh tế hợp tác, hợp tác xã: tám nhóm nhiệm vụ thúc đẩy"
        " chuyển đổi số trong khu vực kinh tế tập thể",
    )
    agencies = dict(Agency.objects.values_list("code", "pk"))
    created = 0
    for code, title, days, percent in GROUPS:
        task = services.create_task(
            None,
            national.pk,
            title,
            agencies[code],
            lead_id=agencies[code],
            coordinating_ids=[agencies["lmhtx"]] if code != "lmhtx" else [agencies["bo-nnmt"]],
            due_on=today + dt.timedelta(days=days),
            expected_output="Báo cáo kết quả, đề xuất gửi Văn phòng Chính phủ",
            indicator_codes=_known("organisations,value_chain_share") if code == "bo-tc" else "",
        )
        created += 1
        if percent is not None:
            on = today  # partial progress reported today; a done task on time or 3 days late
            if percent == 100:
                late = days > -30
                on = task.effective_due_on + dt.timedelta(days=3 if late else -5)
            author = finance if code == "bo-tc" and finance else secretariat
            _accept(secretariat, author, task.pk, percent, "Đã triển khai theo kế hoạch.", on)
    provincial = services.create_directive(
        None,
        PROVINCIAL,
        today.replace(month=1, day=15),
        "Ban Chỉ đạo phát triển kinh tế tập thể tỉnh Thái Nguyên",
        "Kế hoạch thực hiện Nghị quyết 20-NQ/TW về kinh tế tập thể năm nay",
    )
    province = agencies.get("ubnd-19")
    if province is None:
        return created
    year = today.year
    for title, recurrence, starts, ends in (
        (
            "Báo cáo tình hình thành lập mới HTX, tổ hợp tác hằng tháng",
            "monthly",
            dt.date(year, 1, 1),
            dt.date(year, 12, 31),
        ),
        (
            "Báo cáo kết quả hỗ trợ HTX ứng dụng công nghệ cao hằng quý",
            "quarterly",
            dt.date(year, 1, 1),
            dt.date(year + 1, 12, 31),
        ),
        (
            "Báo cáo tổng kết năm về kinh tế tập thể",
            "yearly",
            dt.date(year, 1, 1),
            dt.date(year, 12, 31),
        ),
    ):
        services.create_task(
            None,
            provincial.pk,
            title,
            province,
            recurrence=recurrence,
            starts_on=starts,
            ends_on=ends,
            report_day=5,
        )
        created += 1
    task = services.create_task(
        None,
        provincial.pk,
        "Rà soát, giải thể các HTX ngừng hoạt động",
        province,
        due_on=today + dt.timedelta(days=20),
        expected_output="Danh sách HTX ngừng hoạt động và quyết định giải thể",
        indicator_codes=_known("organisations"),
    )
    services.report_progress(
        None,
        task.pk,
        task.version,
        "Đã rà soát 120/180 HTX; đang lập danh sách.",
        65,
        author=officer,
    )
    return created + 1
