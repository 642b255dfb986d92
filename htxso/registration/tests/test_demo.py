"""The demo applications: every state, a live queue, safe to run again."""

from django.core.management import call_command

from htxso.core.models import User
from htxso.registration.inbox import provide
from htxso.registration.models import Application, Certificate, Status


def test_demo_applications_in_every_state(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo_registration")
    assert set(Application.objects.values_list("status", flat=True)) == set(Status.values)
    assert Certificate.objects.count() == 1
    call_command("demo_registration")  # again: nothing new
    assert Application.objects.count() == 10
    change = Application.objects.get(purpose="change")  # a member admitted, one leaving
    assert change.status == Status.SUBMITTED and change.members.count() == 1
    assert change.leaving.get().reason == "Chuyển đi xa."
    founder = User.objects.get(username="nophoso")
    titles = [item.title for item in provide(founder) if item.count]
    assert any("cần sửa đổi" in t for t in titles) and any("nháp" in t for t in titles)


def test_the_office_inbox_counts_its_province_only(db, settings, tmp_path):
    from htxso.core.roles import Role
    from htxso.registry.tests.conftest import make_user

    settings.MEDIA_ROOT = tmp_path
    call_command("demo_registration")
    office_19 = make_user("cb-19", Role.PROVINCIAL_OFFICER, "19")
    office_01 = make_user("cb-01", Role.PROVINCIAL_OFFICER, "01")
    waiting = next(i for i in provide(office_19) if i.source == "registration")
    assert (
        waiting.count == 5 and waiting.deadline is not None
    )  # submitted×2 and a change, in review, resubmitted
    assert [i.count for i in provide(office_01)] == [0]
