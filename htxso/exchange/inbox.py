"""Exchange's part of the inbox (`core.inbox`): the user's registry imports that finished,
failed, or were checked and wait for the user to write them."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from htxso.core import inbox

from .models import ImportJob


def imports(user: Any) -> list[inbox.Item]:
    titles = inbox.JobTitles(
        done=_("%(count)s lượt nhập dữ liệu đã ghi xong"),
        failed=_("%(count)s lượt nhập dữ liệu thất bại hoặc có lỗi"),
        valid=_("%(count)s lượt nhập dữ liệu đã kiểm tra xong, chờ bạn ghi"),
    )
    return inbox.job_items(
        ImportJob.objects.visible_to(user),
        user,
        titles,
        reverse("exchange:index"),
        lambda pk: reverse("exchange:job", args=[pk]),
        "exchange",
    )


def register() -> None:
    inbox.register(imports, "exchange")
