"""Designations (secretariat, committee, focal points) replace `Agency.focal_points`: every
pair on it that the new rules allow becomes a focal-point designation in force from the day of
the migration (a central officer for a ministry or another body, a province's officer for its
own province's people's committee); other pairs gave no right before either and are dropped."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def focal_points_to_designations(apps, schema_editor):  # type: ignore[no-untyped-def]
    Agency = apps.get_model("tasks", "Agency")
    Designation = apps.get_model("tasks", "Designation")
    today = timezone.localdate()
    made = []
    for agency in Agency.objects.prefetch_related("focal_points"):
        for user in agency.focal_points.all():
            if not user.is_active:
                continue
            if agency.kind == "province":
                allowed = user.role == "provincial_officer" and (
                    user.province_id == agency.province_id
                )
            else:
                allowed = user.role == "central_officer"
            if allowed:
                made.append(
                    Designation(
                        user=user,
                        function="focal_point",
                        agency=agency,
                        starts_on=today,
                        note="Chuyển từ danh sách đầu mối của cơ quan",
                    )
                )
    Designation.objects.bulk_create(made)


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("tasks", "0004_tally"),
    ]

    operations = [
        migrations.CreateModel(
            name="Designation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "function",
                    models.CharField(
                        choices=[
                            ("secretariat", "Văn phòng Ban Chỉ đạo"),
                            ("committee", "Thành viên Ban Chỉ đạo (chỉ xem)"),
                            ("focal_point", "Đầu mối của cơ quan"),
                        ],
                        max_length=12,
                        verbose_name="vai trò",
                    ),
                ),
                ("starts_on", models.DateField(verbose_name="hiệu lực từ")),
                ("ends_on", models.DateField(blank=True, null=True, verbose_name="kết thúc ngày")),
                (
                    "note",
                    models.CharField(
                        blank=True, max_length=300, verbose_name="ghi chú (số quyết định)"
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "agency",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="designations",
                        to="tasks.agency",
                        verbose_name="cơ quan",
                    ),
                ),
                (
                    "assigned_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "ended_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="task_designations",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="cán bộ",
                    ),
                ),
            ],
            options={
                "verbose_name": "chỉ định",
                "verbose_name_plural": "chỉ định",
                "ordering": ["function", "agency__name", "user__username", "-starts_on"],
                "indexes": [models.Index(fields=["user", "ends_on"], name="tasks_desig_user")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("agency__isnull", False), ("function", "focal_point"))
                        | models.Q(
                            models.Q(("function", "focal_point"), _negated=True),
                            ("agency__isnull", True),
                        ),
                        name="tasks_desig_agency",
                    )
                ],
            },
        ),
        migrations.RunPython(focal_points_to_designations, migrations.RunPython.noop),
        migrations.RemoveField(model_name="agency", name="focal_points"),
    ]
