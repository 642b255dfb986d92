"""Demo forum data, so `make demo` shows the forum alive: the edition of this year (held 30
days ago, 2022's theme as the domain notes give it — programme and delegates are demo values),
Thái Nguyên's connection point with its host, attendance and delegates, recommendations in
every state from a cooperative, a union and the province, one answered and turned into a task
with progress. Written through the services. Never run this on a real system."""

import datetime as dt

from django.db import transaction

from htxso.core.models import User
from htxso.core.roles import Role
from htxso.registry.models import Organisation

from .. import services as tasks
from ..models import Agency, Task
from . import services
from .models import ConnectionPoint, Edition, Topic

PROGRAMME = """08:00 Đón tiếp đại biểu tại điểm cầu chính và các điểm cầu tỉnh, thành phố
08:30 Khai mạc; báo cáo đề dẫn về chuyển đổi số trong khu vực kinh tế tập thể
09:15 Tham luận của hợp tác xã, liên hiệp hợp tác xã và các địa phương
10:30 Đối thoại giữa hợp tác xã với các bộ, ngành về khó khăn, kiến nghị
11:30 Phát biểu chỉ đạo của lãnh đạo Chính phủ; bế mạc"""

RECOMMENDATIONS = (
    (
        Topic.CREDIT,
        "Khó tiếp cận vốn vay ưu đãi để đầu tư kho lạnh",
        "HTX không có tài sản bảo đảm; quỹ hỗ trợ phát triển HTX của tỉnh còn nhỏ.",
        "Cho phép dùng hợp đồng tiêu thụ và tài sản hình thành từ vốn vay làm tài sản bảo đảm.",
    ),
    (
        Topic.TECHNOLOGY,
        "Hỗ trợ chi phí phần mềm kế toán và truy xuất nguồn gốc",
        "Chi phí thuê phần mềm hằng năm vượt khả năng của HTX nhỏ.",
        "Nhà nước hỗ trợ 50% chi phí trong 3 năm đầu; dùng chung nền tảng HTX Số.",
    ),
    (
        Topic.LAND,
        "Thủ tục thuê đất xây dựng nhà sơ chế kéo dài",
        "Hồ sơ thuê đất qua nhiều cấp, kéo dài trên 12 tháng.",
        "Giao cấp tỉnh quyết định và rút ngắn thời gian giải quyết xuống 60 ngày.",
    ),
)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


@transaction.atomic
def create_demo_forum() -> int:
    """The demo edition (again: nothing new). Returns the recommendations raised."""
    today = tasks.today()
    if Edition.objects.filter(year=today.year).exists():
        return 0
    secretariat = _user("vanphongbcd") or _user("admin")
    officer, manager = _user("tinh.thainguyen"), _user("quanly.htx")
    if secretariat is None:
        return 0
    held_on = max(today - dt.timedelta(days=30), dt.date(today.year, 1, 1))
    edition = services.create_edition(
        secretariat,
        today.year,
        "Chuyển đổi số trong khu vực kinh tế tập thể, hợp tác xã: thực trạng và giải pháp",
        held_on,
        "Hội trường Bộ Tài chính, Hà Nội",
        PROGRAMME,
    )
    point = ConnectionPoint.objects.get(edition=edition, province_id="19")
    ConnectionPoint.objects.filter(pk=point.pk).update(
        place="Hội trường Ủy ban nhân dân tỉnh Thái Nguyên", attendance=86
    )
    raisers = [u for u in (manager, officer) if u is not None and u.province_id] or [secretariat]
    union = Organisation.objects.filter(kind="cooperative_union", province_id="19").first()
    made = []
    for i, (topic, title, difficulty, proposal) in enumerate(RECOMMENDATIONS):
        raiser = raisers[i % len(raisers)]
        on = held_on - dt.timedelta(days=20 - i) if i < 2 else held_on + dt.timedelta(days=5)
        made.append(
            services.raise_recommendation(
                raiser, edition.pk, topic, title, difficulty, proposal, on
            )
        )
    if union is not None:
        union_manager, _ = User.objects.get_or_create(
            username="demo.lienhiep",
            defaults={
                "role": Role.COOPERATIVE_MANAGER,
                "organisation_id": union.pk,
                "province_id": union.province_id,
                "first_name": "Giám đốc liên hiệp HTX",
            },
        )
        made.append(
            services.raise_recommendation(
                union_manager,
                edition.pk,
                Topic.MARKET,
                "Xây dựng sàn giao dịch nông sản cấp vùng cho các liên hiệp",
                "Liên hiệp HTX thiếu kênh kết nối trực tiếp với doanh nghiệp chế biến.",
                "Bộ Công Thương chủ trì kết nối cung cầu định kỳ theo vùng.",
                held_on - dt.timedelta(days=3),
            )
        )
    finance = Agency.objects.get(code="bo-tc")
    province = Agency.objects.filter(province_id="19").first()
    first = services.route(secretariat, made[0].pk, made[0].version, finance.pk)
    first = services.answer(
        secretariat,
        first.pk,
        first.version,
        "Bộ Tài chính tiếp thu; đang sửa đổi quy định về tài sản bảo đảm của Quỹ hỗ trợ"
        " phát triển HTX, dự kiến trình trong quý tới.",
    )
    first = services.to_task(secretariat, first.pk, first.version, today + dt.timedelta(days=60))
    assert first.task_id is not None
    task = Task.objects.get(pk=first.task_id)
    report = tasks.report_progress(
        None, task.pk, task.version, "Đã lấy ý kiến dự thảo.", 40, author=secretariat
    )
    tasks.review_report(None, report.pk, report.version, True)
    if province is not None and len(made) > 2:
        services.route(secretariat, made[2].pk, made[2].version, province.pk)
    return len(made)
