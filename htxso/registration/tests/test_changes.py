"""Changes after registration and dissolution: applications of their own, decided as a
registration is; approval writes the registry through its services, dated, and supersedes the
certificate (a new one for a change, none for a dissolution), never deleting it."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from htxso.core.models import AuditEntry
from htxso.core.roles import Role
from htxso.registration import changes, decisions, rules, services
from htxso.registration.models import Application, Certificate, Purpose, Status
from htxso.registry.choices import Status as OrganisationStatus
from htxso.registry.models import Membership, Organisation, StatusChange
from htxso.registry.tests.conftest import make_user

from .conftest import commune_19, complete, member_facts, upload


def _fresh(application: Application) -> Application:
    application.refresh_from_db()
    return application


def _decide(office, application: Application) -> Application:
    decisions.take(office, application.pk, _fresh(application).version)
    return decisions.approve(office, application.pk, _fresh(application).version)


@pytest.fixture
def registered(founder, office_19) -> Organisation:
    application = complete(founder)
    services.submit(founder, application.pk, application.version)
    application = _decide(office_19, application)
    assert application.organisation_id is not None
    return Organisation.objects.get(pk=application.organisation_id)


def _change(founder, organisation: Organisation, purpose: str = Purpose.CHANGE, **facts):
    application = changes.start_change(founder, organisation.pk, purpose)
    if facts:
        application = services.save_draft(founder, application.pk, application.version, **facts)
    for document in rules.load().for_kind(application.kind, purpose).documents:
        if document.required:
            upload(founder, application, document.code)
    return _fresh(application)


def _submit(founder, application: Application) -> Application:
    return services.submit(founder, application.pk, _fresh(application).version)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Hợp tác xã Chè Tân Cương Xanh"),
        ("street", "Xóm Hồng Thái 2"),
        ("legal_representative", "Lê Văn Đại Diện"),
        ("charter_capital", 900_000_000),
        ("sector", "C"),
        ("phone", "0912345678"),
    ],
)
def test_each_change_kind_reaches_the_registry_and_supersedes_the_certificate(
    field, value, founder, office_19, registered
):
    first = Certificate.objects.get(organisation=registered)
    version = registered.version
    application = _submit(founder, _change(founder, registered, **{field: value}))
    assert application.purpose == Purpose.CHANGE and application.status == Status.SUBMITTED
    application = _decide(office_19, application)
    organisation = Organisation.objects.get(pk=registered.pk)
    assert getattr(organisation, field) == value and organisation.version == version + 1
    # The audit trail dates the change, by the deciding officer.
    entry = AuditEntry.objects.filter(action="update", object_id=str(registered.pk)).latest("at")
    assert entry.actor_id == office_19.pk and entry.after[field] == value
    first.refresh_from_db()
    assert first.superseded_at is not None  # kept, not deleted
    current = Certificate.objects.get(organisation=registered, superseded_at__isnull=True)
    assert current.application_id == application.pk and current.code == first.code
    assert current.facts["changes"] == 1 and current.facts["changed_on"]
    assert Certificate.objects.filter(organisation=registered).count() == 2


def test_a_change_of_address_moves_to_another_commune(founder, office_19, registered):
    from htxso.core.models import Commune

    other = Commune.objects.filter(province_id="19").exclude(pk=commune_19().pk).first()
    application = _submit(founder, _change(founder, registered, commune_id=other.pk))
    _decide(office_19, application)
    assert Organisation.objects.get(pk=registered.pk).commune_id == other.pk
    current = Certificate.objects.get(organisation=registered, superseded_at__isnull=True)
    assert other.name in current.facts["address"]


def test_a_change_admits_members_checked_as_the_registry_checks_them(
    founder, office_19, registered
):
    before = Membership.objects.filter(organisation=registered).count()
    application = _change(founder, registered)
    with pytest.raises(ValidationError):  # nothing changed yet
        _submit(founder, application)
    services.add_member(founder, application.pk, _fresh(application).version, **member_facts(7))
    with pytest.raises(ValidationError):  # a CCCD that does not agree with the birth date
        services.add_member(
            founder,
            application.pk,
            _fresh(application).version,
            **{**member_facts(8), "birth_date": dt.date(1990, 1, 1)},
        )
    _decide(office_19, _submit(founder, application))
    assert Membership.objects.filter(organisation=registered).count() == before + 1
    current = Certificate.objects.get(organisation=registered, superseded_at__isnull=True)
    assert current.facts["members"] == before + 1


def test_dissolution_is_a_dated_status_and_leaves_no_current_certificate(
    founder, office_19, registered
):
    application = _change(founder, registered, Purpose.DISSOLVE)
    with pytest.raises(ValidationError) as refused:  # a dissolution says why
        _submit(founder, application)
    assert "lý do giải thể" in str(refused.value)
    services.save_draft(
        founder, application.pk, _fresh(application).version, statement="Hết vốn hoạt động."
    )
    application = _decide(office_19, _submit(founder, application))
    organisation = Organisation.objects.get(pk=registered.pk)
    assert organisation.status == OrganisationStatus.DISSOLVED
    change = StatusChange.objects.filter(organisation=organisation).first()
    assert change.status == OrganisationStatus.DISSOLVED and change.effective_on == dt.date.today()
    assert change.document_no == application.number and change.reason == "Hết vốn hoạt động."
    assert not Certificate.objects.filter(organisation=organisation, superseded_at__isnull=True)
    assert Certificate.objects.filter(organisation=organisation).count() == 1  # kept
    # A dissolved organisation takes no further change.
    with pytest.raises(ValidationError):
        changes.start_change(founder, organisation.pk, Purpose.CHANGE)


def test_refusals_of_a_change(founder, founder_2, office_19, office_01, registered):
    # Only the founder who registered it, and only an applicant account.
    with pytest.raises(ValidationError):
        changes.start_change(founder_2, registered.pk, Purpose.CHANGE)
    with pytest.raises(PermissionDenied):
        changes.start_change(office_19, registered.pk, Purpose.CHANGE)
    with pytest.raises(ValidationError):
        changes.start_change(founder, registered.pk, "register")
    application = _change(founder, registered, name="Tên mới của hợp tác xã")
    # One open change at a time.
    with pytest.raises(ValidationError):
        changes.start_change(founder, registered.pk, Purpose.DISSOLVE)
    # A change never moves the organisation to another province.
    with pytest.raises(ValidationError):
        services.save_draft(founder, application.pk, _fresh(application).version, province_id="01")
    application = _submit(founder, application)
    # Another province's office does not see it; the office may refuse with a reason.
    with pytest.raises(Application.DoesNotExist):
        decisions.take(office_01, application.pk, application.version)
    decisions.take(office_19, application.pk, _fresh(application).version)
    with pytest.raises(ValidationError):
        decisions.refuse(office_19, application.pk, _fresh(application).version, " ")
    decisions.refuse(office_19, application.pk, _fresh(application).version, "Tên trùng.")
    organisation = Organisation.objects.get(pk=registered.pk)
    assert organisation.name == "Hợp tác xã Chè Tân Cương"
    assert (
        Certificate.objects.filter(organisation=registered, superseded_at__isnull=True).count() == 1
    )
    # Decided once: the refused change is not approved afterwards.
    with pytest.raises(ValidationError):
        decisions.approve(office_19, application.pk, _fresh(application).version)


def test_a_failing_registry_write_leaves_nothing(founder, office_19, registered):
    """A change the registry refuses (the organisation was dissolved meanwhile by the
    province) is not half applied: the application stays in review, the certificate current."""
    application = _submit(founder, _change(founder, registered, name="Tên khác hẳn"))
    decisions.take(office_19, application.pk, _fresh(application).version)
    from htxso.registry import services as registry

    registry.change_status(
        office_19, registered.pk, OrganisationStatus.DISSOLVED, dt.date.today(), "Thu hồi"
    )
    with pytest.raises(ValidationError):
        decisions.approve(office_19, application.pk, _fresh(application).version)
    assert _fresh(application).status == Status.IN_REVIEW
    assert Organisation.objects.get(pk=registered.pk).name == "Hợp tác xã Chè Tân Cương"
    assert Certificate.objects.filter(organisation=registered, superseded_at__isnull=True).exists()


def test_the_commune_office_decides_its_commune_kinds_and_not_unions(founder, office_19):
    commune = commune_19()
    officer = make_user("xa-tan-cuong", Role.COMMUNE_OFFICER, "19", commune_id=commune.pk)
    elsewhere = make_user(
        "xa-khac",
        Role.COMMUNE_OFFICER,
        "19",
        commune_id=type(commune).objects.filter(province_id="19").exclude(pk=commune.pk).first().pk,
    )
    cooperative = complete(founder, "cooperative", name="Hợp tác xã Xã Duyệt")
    union = complete(founder, "cooperative_union", name="Liên hiệp Tỉnh Duyệt")
    for application in (cooperative, union):
        services.submit(founder, application.pk, _fresh(application).version)
    assert _fresh(cooperative).office_commune_id == commune.pk
    assert _fresh(union).office_commune_id is None  # unions stay with the province
    queue = set(Application.objects.reviewable_by(officer).values_list("pk", flat=True))
    assert queue == {cooperative.pk}
    assert not Application.objects.reviewable_by(elsewhere).exists()
    with pytest.raises(Application.DoesNotExist):
        decisions.take(officer, union.pk, _fresh(union).version)
    with pytest.raises(Application.DoesNotExist):
        decisions.take(elsewhere, cooperative.pk, _fresh(cooperative).version)
    # The commune officer approves: the registry is written, the officer named on the decision.
    approved = _decide(officer, cooperative)
    assert approved.status == Status.APPROVED and approved.organisation_id
    decision = AuditEntry.objects.filter(action="approve", object_id=str(approved.pk)).get()
    assert decision.actor_id == officer.pk
    assert approved.events.get(action="approve").actor_id == officer.pk
    # The province still decides the union.
    assert _decide(office_19, union).status == Status.APPROVED


def test_a_dissolution_through_the_pages(client, founder, founder_2, office_19, registered):
    from django.urls import reverse
    from pypdf import PdfReader

    client.force_login(founder_2)  # not the founder of it: the choice is not offered
    response = client.post(
        reverse("registration:mine"), {"organisation": registered.pk, "purpose": "dissolve"}
    )
    assert response.status_code == 422 and not Application.objects.filter(purpose="dissolve")
    client.force_login(founder)
    page = client.get(reverse("registration:mine")).content.decode()
    assert "Đăng ký thay đổi hoặc giải thể" in page and registered.name in page
    response = client.post(
        reverse("registration:mine"), {"organisation": registered.pk, "purpose": "dissolve"}
    )
    application = Application.objects.get(purpose="dissolve")
    assert response.status_code == 302
    page = client.get(reverse("registration:application", args=[application.pk])).content
    assert "Lý do giải thể".encode() in page and b'name="charter_capital"' not in page
    response = client.post(
        reverse("registration:save", args=[application.pk]),
        {"version": application.version, "statement": "Các thành viên thống nhất giải thể."},
    )
    assert response.status_code == 302
    assert _fresh(application).statement == "Các thành viên thống nhất giải thể."
    for document in rules.load().for_kind(application.kind, "dissolve").documents:
        upload(founder, application, document.code)
    _decide(office_19, _submit(founder, application))
    assert Organisation.objects.get(pk=registered.pk).status == OrganisationStatus.DISSOLVED
    # The verification page says the old certificate is no longer current.
    certificate = Certificate.objects.get(organisation=registered)
    from htxso.registration import certificate as certificates

    verify = client.get(reverse("registration:verify", args=[certificates.token(certificate)]))
    assert verify.status_code == 200 and verify.context["verdict"] == "superseded"
    # The certificate issued before stays readable.
    pdf = client.get(reverse("registration:certificate", args=[certificate.serial]))
    assert pdf.status_code == 200
    import io

    assert "Hợp tác xã Chè Tân Cương" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
