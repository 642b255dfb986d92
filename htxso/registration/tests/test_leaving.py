"""Members leaving through a change application: listed by the founder (picked from the
organisation's current members or by CCCD), reviewed by the office with the CCCD masked, ended
on approval through `registry.services.end_membership` in the decision's transaction; an HTX
never falls under the legal minimum (refused at submit, checked again at approval)."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from htxso.core.cccd import encode_cccd
from htxso.core.models import AuditEntry
from htxso.core.tokens import issue_token
from htxso.core.versions import StaleEdit
from htxso.registration import changes, decisions, leaving, rules, services
from htxso.registration.models import Application, Certificate, LeavingMember, Purpose, Status
from htxso.registry import services as registry
from htxso.registry.models import Membership, Organisation
from htxso.registry.tests.factories import MembershipFactory, OrganisationFactory, PersonFactory

from .conftest import complete, member_facts, upload

TODAY = dt.date.today()


def _fresh(application: Application) -> Application:
    application.refresh_from_db()
    return application


@pytest.fixture
def registered(founder, office_19) -> Organisation:
    """An HTX of 5 founders (the law's minimum), registered today."""
    application = complete(founder)
    application = services.submit(founder, application.pk, application.version)
    application = decisions.take(office_19, application.pk, application.version)
    application = decisions.approve(office_19, application.pk, application.version)
    assert application.organisation_id is not None
    return Organisation.objects.get(pk=application.organisation_id)


def _members(organisation: Organisation) -> list[Membership]:
    return list(leaving.current(organisation.pk).order_by("id"))


def _change(founder, organisation: Organisation, **facts: Any) -> Application:
    application = changes.start_change(founder, organisation.pk, Purpose.CHANGE)
    if facts:
        services.save_draft(founder, application.pk, application.version, **facts)
    for document in rules.load().for_kind(application.kind, Purpose.CHANGE).documents:
        if document.required:
            upload(founder, application, document.code)
    return _fresh(application)


def _admit(founder, application: Application, i: int) -> None:
    services.add_member(founder, application.pk, _fresh(application).version, **member_facts(i))


def _leave(founder, application: Application, **how: Any) -> LeavingMember:
    how.setdefault("left_on", TODAY)
    return leaving.add_leaving(founder, application.pk, _fresh(application).version, **how)


def _approve(office, application: Application) -> Application:
    decisions.take(office, application.pk, _fresh(application).version)
    return decisions.approve(office, application.pk, _fresh(application).version)


def test_members_leave_on_approval_through_the_registry(founder, office_19, registered):
    first = Certificate.objects.get(organisation=registered)
    members = _members(registered)
    application = _change(founder, registered)
    _admit(founder, application, 7)
    _admit(founder, application, 8)
    _leave(founder, application, membership_id=members[0].pk, reason="Chuyển đi nơi khác")
    _leave(founder, application, cccd=members[1].person.cccd)
    application = services.submit(founder, application.pk, _fresh(application).version)
    assert application.status == Status.SUBMITTED
    application = _approve(office_19, application)
    assert application.status == Status.APPROVED
    for membership in members[:2]:
        membership.refresh_from_db()
        assert membership.left_on == TODAY
        # Ended by the registry's service, audited as everywhere, by the deciding officer.
        entry = AuditEntry.objects.get(
            action="end", object_type="registry.membership", object_id=str(membership.pk)
        )
        assert entry.actor_id == office_19.pk and entry.after["left_on"] == TODAY.isoformat()
    organisation = Organisation.objects.get(pk=registered.pk)
    assert organisation.members_count == 5
    assert set(_members(organisation)) == {*members[2:], *_members(organisation)[3:]}
    # The dated entry of the timeline and the new certificate say what changed.
    note = application.events.get(action="approve").note
    assert "kết nạp 2 thành viên" in note and "2 thành viên ra khỏi" in note
    assert members[0].person.full_name in note and members[1].person.full_name in note
    current = Certificate.objects.get(organisation=registered, superseded_at__isnull=True)
    assert current.facts["members"] == 5 and current.facts["changes"] == 1
    first.refresh_from_db()
    assert first.superseded_at is not None


def test_leaving_alone_is_a_change_and_the_minimum_is_refused_at_submit(
    founder, office_19, registered, settings
):
    application = _change(founder, registered)
    _leave(founder, application, membership_id=_members(registered)[0].pk)
    assert "Hồ sơ chưa có nội dung nào thay đổi" not in " ".join(services.missing(application))
    with pytest.raises(ValidationError) as refused:  # 4 members left of an HTX's 5
        services.submit(founder, application.pk, _fresh(application).version)
    assert "chỉ còn 4 thành viên, ít hơn mức tối thiểu 5" in str(refused.value)
    assert _fresh(application).status == Status.DRAFT
    # The minimum is the registry's setting.
    settings.MINIMUM_MEMBERS = {"cooperative": 3}
    services.submit(founder, application.pk, _fresh(application).version)
    _approve(office_19, application)
    assert Organisation.objects.get(pk=registered.pk).members_count == 4


def test_the_minimum_is_checked_again_at_approval(founder, office_19, registered):
    """A member left through the registry's pages while the change waited: the change that
    was fine at submit would now leave 4 members; refused, and nothing is written."""
    members = _members(registered)
    application = _change(founder, registered, name="Hợp tác xã Chè Tân Cương Mới")
    _admit(founder, application, 7)
    _leave(founder, application, membership_id=members[0].pk)
    services.submit(founder, application.pk, _fresh(application).version)
    decisions.take(office_19, application.pk, _fresh(application).version)
    registry.end_membership(office_19, members[4].pk, TODAY)
    with pytest.raises(ValidationError) as refused:
        decisions.approve(office_19, application.pk, _fresh(application).version)
    assert "ít hơn mức tối thiểu 5" in str(refused.value)
    _assert_untouched(application, registered, members[:1], members_count=4)


def _assert_untouched(
    application: Application, registered: Organisation, leaving_: list, members_count: int
) -> None:
    application = _fresh(application)
    assert application.status == Status.IN_REVIEW and not application.events.filter(
        action="approve"
    )
    organisation = Organisation.objects.get(pk=registered.pk)
    assert organisation.name == "Hợp tác xã Chè Tân Cương"
    assert organisation.members_count == members_count
    assert Membership.objects.filter(organisation=registered).count() == 5  # nobody admitted
    for membership in leaving_:
        membership.refresh_from_db()
        assert membership.left_on is None
    assert not AuditEntry.objects.filter(
        action="end", object_id__in=[str(m.pk) for m in leaving_]
    ).exists()
    current = Certificate.objects.get(organisation=registered, superseded_at__isnull=True)
    assert current.application.purpose == Purpose.REGISTER


def test_a_failure_in_the_middle_of_the_approval_undoes_every_write(founder, office_19, registered):
    """The facts are updated, two members admitted and the first leaving member ended before
    the second one's membership is found already ended: the whole decision is undone."""
    members = _members(registered)
    application = _change(founder, registered, name="Hợp tác xã Chè Tân Cương Mới")
    _admit(founder, application, 7)
    _admit(founder, application, 8)
    _leave(founder, application, membership_id=members[0].pk)
    _leave(founder, application, membership_id=members[1].pk)
    services.submit(founder, application.pk, _fresh(application).version)
    decisions.take(office_19, application.pk, _fresh(application).version)
    registry.end_membership(office_19, members[1].pk, TODAY)  # meanwhile, on the registry
    with pytest.raises(ValidationError) as refused:
        decisions.approve(office_19, application.pk, _fresh(application).version)
    assert members[1].person.full_name in str(refused.value)
    assert "đã chấm dứt" in str(refused.value)
    _assert_untouched(application, registered, members[:1], members_count=4)


def test_every_refusal_of_a_leaving_member(founder, founder_2, office_19, registered):
    members = _members(registered)
    application = _change(founder, registered)
    elsewhere = MembershipFactory(organisation=OrganisationFactory(province_id="19"))
    refusals = [
        ({}, "Chọn thành viên ra khỏi hoặc nhập số CCCD"),
        ({"cccd": "123"}, "CCCD"),  # not a CCCD at all
        ({"cccd": elsewhere.person.cccd}, "không phải là thành viên hiện tại"),
        ({"membership_id": elsewhere.pk}, "không phải là thành viên hiện tại"),
        (
            {"membership_id": members[0].pk, "cccd": members[1].person.cccd},
            "không khớp với thành viên đã chọn",
        ),
        (
            {"membership_id": members[0].pk, "left_on": TODAY + dt.timedelta(days=1)},
            "không được sau ngày hôm nay",
        ),
        (
            {"membership_id": members[0].pk, "left_on": members[0].joined_on - dt.timedelta(1)},
            "không được trước ngày gia nhập",
        ),
        ({"membership_id": members[0].pk, "left_on": None}, "Nhập ngày ra khỏi"),
        ({"membership_id": members[0].pk, "reason": "x" * 256}, "255"),
    ]
    version = _fresh(application).version
    for how, message in refusals:
        with pytest.raises(ValidationError) as refused:
            _leave(founder, application, **how)
        assert message in str(refused.value), (how, refused.value)
    assert _fresh(application).version == version and not application.leaving.exists()
    # Listed twice.
    _leave(founder, application, membership_id=members[0].pk)
    with pytest.raises(ValidationError, match="đã có trong danh sách ra khỏi"):
        _leave(founder, application, cccd=members[0].person.cccd)
    # Admitted and leaving: the same person, either way round.
    _admit(founder, application, 7)
    admitted = application.members.get()
    person = PersonFactory(
        cccd=admitted.cccd, full_name=admitted.full_name, birth_date=admitted.birth_date
    )
    also_member = registry.add_membership(None, registered.pk, "official", TODAY, person=person)
    with pytest.raises(ValidationError, match="không vừa kết"):
        _leave(founder, application, membership_id=also_member.pk)
    with pytest.raises(ValidationError, match="danh sách thành viên ra khỏi"):
        services.add_member(
            founder,
            application.pk,
            _fresh(application).version,
            cccd=members[0].person.cccd,
            full_name=members[0].person.full_name,
            birth_date=members[0].person.birth_date,
        )
    # Optimistic locking, and only the founder writes.
    with pytest.raises(StaleEdit):
        leaving.add_leaving(founder, application.pk, version, TODAY, members[2].pk)
    row = application.leaving.get()
    with pytest.raises(StaleEdit):
        leaving.remove_leaving(founder, application.pk, version, row.pk)
    with pytest.raises(Application.DoesNotExist):
        _leave(founder_2, application, membership_id=members[2].pk)
    with pytest.raises(PermissionDenied):
        _leave(office_19, application, membership_id=members[2].pk)
    leaving.remove_leaving(founder, application.pk, _fresh(application).version, row.pk)
    assert not application.leaving.exists()
    # Only a change lists members leaving: not a dissolution, not a registration.
    registration = complete(founder, name="Hợp tác xã Khác")
    with pytest.raises(ValidationError, match="Chỉ hồ sơ đăng ký thay đổi"):
        _leave(founder, registration, membership_id=members[2].pk)


def test_the_pages_list_leaving_members_and_the_office_sees_them_masked(
    client, founder, office_19, registered
):
    members = _members(registered)
    application = _change(founder, registered)
    client.force_login(founder)
    url = reverse("registration:application", args=[application.pk])
    page = client.get(url).content.decode()
    assert 'id="leaving-form"' in page and members[0].person.full_name in page
    assert members[0].person.cccd not in page  # offered masked
    add = reverse("registration:leaving-add", args=[application.pk])
    refused = client.post(
        add,
        {
            "version": application.version,
            "cccd": encode_cccd("19", "male", 1980, 991),
            "left_on": TODAY.strftime("%d/%m/%Y"),
        },
    )
    assert refused.status_code == 422
    assert "không phải là thành viên hiện tại" in refused.content.decode()
    assert not application.leaving.exists()
    bad_date = client.post(add, {"version": application.version, "membership": members[0].pk})
    assert bad_date.status_code == 422 and not application.leaving.exists()
    done = client.post(
        add,
        {
            "version": application.version,
            "membership": members[0].pk,
            "left_on": TODAY.strftime("%d/%m/%Y"),
            "reason": "Nghỉ hưu",
        },
    )
    assert done.status_code == 302
    row = application.leaving.get()
    assert row.full_name == members[0].person.full_name and row.reason == "Nghỉ hưu"
    missing = client.post(
        reverse("registration:leaving-remove", args=[application.pk, row.pk + 99]),
        {"version": _fresh(application).version},
    )
    assert missing.status_code == 404
    _admit(founder, application, 7)
    services.submit(founder, application.pk, _fresh(application).version)
    client.force_login(office_19)
    page = client.get(url).content.decode()
    assert 'id="leaving"' in page and row.full_name in page and "Nghỉ hưu" in page
    assert row.cccd not in page and row.cccd[:3] in page  # masked
    assert 'id="leaving-form"' not in page


def _bearer(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(user, user, 'cổng khác')}"}


def test_the_api_asks_a_change_with_members_leaving(
    client, founder, founder_2, office_19, registered
):
    members = _members(registered)
    path = "/api/v1/applications/changes"

    def post(user: Any, url: str, body: dict) -> Any:
        return client.post(url, body, content_type="application/json", headers=_bearer(user))

    refused = post(
        founder,
        path,
        {
            "organisation_id": registered.pk,
            "name": "Tên mới qua API",
            "leaving": [
                {"cccd": members[0].person.cccd, "left_on": TODAY.isoformat()},
                {"cccd": encode_cccd("19", "male", 1980, 991), "left_on": TODAY.isoformat()},
            ],
        },
    )
    assert refused.status_code == 422, refused.content
    assert "không phải là thành viên hiện tại" in refused.content.decode()
    assert not Application.objects.filter(purpose=Purpose.CHANGE).exists()  # no draft left
    created = post(
        founder,
        path,
        {
            "organisation_id": registered.pk,
            "members": [
                {**member_facts(7), "birth_date": member_facts(7)["birth_date"].isoformat()}
            ],
            "leaving": [
                {"membership_id": members[0].pk, "left_on": TODAY.isoformat(), "reason": "Ốm"}
            ],
        },
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["purpose"] == "change" and data["leaving"][0]["reason"] == "Ốm"
    assert data["leaving"][0]["cccd"] != members[0].person.cccd  # masked
    application = Application.objects.get(pk=data["id"])
    for document in rules.load().for_kind(application.kind, Purpose.CHANGE).documents:
        if document.required:
            upload(founder, application, document.code)
    submitted = post(
        founder,
        f"/api/v1/applications/{application.pk}/submit",
        {"version": _fresh(application).version},
    )
    assert submitted.status_code == 200, submitted.content
    url = f"/api/v1/applications/{application.pk}/decision"
    taken = post(office_19, url, {"version": submitted.json()["version"], "action": "take"})
    approved = post(office_19, url, {"version": taken.json()["version"], "action": "approve"})
    assert approved.status_code == 200, approved.content
    members[0].refresh_from_db()
    assert members[0].left_on == TODAY
    # Another founder may not ask a change of this organisation.
    other = post(founder_2, path, {"organisation_id": registered.pk})
    assert other.status_code == 422


def test_a_household_business_has_nobody_to_leave(client, founder, office_19):
    application = complete(founder, "household_business", name="Hộ kinh doanh Bánh chưng")
    application = services.submit(founder, application.pk, application.version)
    decisions.take(office_19, application.pk, application.version)
    application = decisions.approve(office_19, application.pk, _fresh(application).version)
    assert application.organisation_id is not None
    change = changes.start_change(founder, application.organisation_id, Purpose.CHANGE)
    client.force_login(founder)
    page = client.get(reverse("registration:application", args=[change.pk])).content.decode()
    assert 'id="leaving"' not in page and 'id="leaving-form"' not in page
    with pytest.raises(ValidationError, match="không phải là thành viên hiện tại"):
        _leave(founder, change, cccd=member_facts(3)["cccd"])
