"""The one write path of the registry: validation, permissions, audit, counts, aggregates."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from htxso.core.cccd import FEMALE, MALE
from htxso.core.models import AuditEntry, Commune
from htxso.core.roles import Role
from htxso.registry import services
from htxso.registry.choices import MemberKind, OrganisationKind, Sector, Status
from htxso.registry.models import (
    Membership,
    Organisation,
    Person,
    RegistryAggregate,
    StatusChange,
)

from .conftest import make_user
from .factories import (
    CooperativeGroupFactory,
    HouseholdFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    UnionFactory,
    valid_cccd,
    valid_tax_code,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
TOMORROW = TODAY + dt.timedelta(days=1)


def messages(info: pytest.ExceptionInfo[ValidationError]) -> str:
    """Every message of a raised ValidationError, as one string."""
    return " ".join(info.value.messages)


def counts() -> tuple[int, int, int, int, int]:
    return (
        Organisation.objects.count(),
        StatusChange.objects.count(),
        Membership.objects.count(),
        Person.objects.count(),
        AuditEntry.objects.count(),
    )


def aggregate(province: str, kind: str, status: str, agricultural: bool):
    return RegistryAggregate.objects.filter(
        province_id=province, kind=kind, status=status, is_agricultural=agricultural
    ).first()


@pytest.fixture
def tan_cuong() -> Commune:
    return Commune.objects.get(province_id="19", name="Xã Tân Cương")


@pytest.fixture
def hanoi_commune() -> Commune:
    return Commune.objects.filter(province_id="01").order_by("code")[0]


# -- create_organisation --------------------------------------------------------------------


class TestCreateOrganisation:
    def test_tax_code_is_normalised(self):
        code = valid_tax_code()
        spaced = f" {code[:4]} {code[4:7]}.{code[7:]} "
        org = OrganisationFactory(tax_code=spaced)
        org.refresh_from_db()
        assert org.tax_code == code

    def test_branch_tax_code_is_normalised(self):
        org = UnionFactory(tax_code="0301175691013")
        assert Organisation.objects.get(pk=org.pk).tax_code == "0301175691-013"

    def test_invalid_tax_code_is_rejected_in_vietnamese(self):
        before = counts()
        with pytest.raises(ValidationError) as exc:
            OrganisationFactory(tax_code="0100233480")  # wrong check digit
        assert "chữ số kiểm tra" in messages(exc)
        assert counts() == before

    def test_new_organisation_is_active_since_establishment(self, tan_cuong):
        org = OrganisationFactory(commune_id=tan_cuong.code, established_on=dt.date(2019, 5, 4))
        org.refresh_from_db()
        assert org.status == Status.ACTIVE
        assert org.status_since == dt.date(2019, 5, 4)
        assert org.version == 1
        assert org.members_count == 0
        history = list(org.status_history.all())
        assert [(h.status, h.effective_on) for h in history] == [
            (Status.ACTIVE, dt.date(2019, 5, 4))
        ]

    def test_search_keys_are_computed(self):
        org = OrganisationFactory(name="Hợp tác xã Chè Đồng Hỷ", short_name="HTX Đồng Hỷ")
        org.refresh_from_db()
        assert org.name_key == "htx che dong hy"
        assert org.search_key.split(" ")[:4] == ["htx", "che", "dong", "hy"]

    def test_duplicate_tax_code_is_rejected_and_nothing_written(self):
        code = valid_tax_code()
        OrganisationFactory(tax_code=code)
        before = counts()
        aggregates = list(RegistryAggregate.objects.values_list("province_id", "organisations"))
        with pytest.raises(ValidationError) as exc:
            OrganisationFactory(tax_code=f"{code[:5]} {code[5:]}")
        assert "Mã số thuế này đã được đăng ký cho tổ chức khác." in messages(exc)
        assert counts() == before
        assert list(RegistryAggregate.objects.values_list("province_id", "organisations")) == (
            aggregates
        )

    def test_commune_of_another_province_is_rejected(self, hanoi_commune):
        before = counts()
        with pytest.raises(ValidationError) as exc:
            OrganisationFactory(province_id="19", commune_id=hanoi_commune.code)
        assert exc.value.message_dict["commune"] == [
            f"Xã/phường {hanoi_commune.name} không thuộc tỉnh/thành phố đã chọn."
        ]
        assert counts() == before

    def test_cooperative_without_tax_code_is_rejected(self):
        before = counts()
        with pytest.raises(ValidationError) as exc:
            OrganisationFactory(tax_code="")
        assert "Hợp tác xã phải có mã số HTX (mã số thuế)." in messages(exc)
        assert counts() == before

    def test_cooperative_group_may_have_no_tax_code(self):
        group = CooperativeGroupFactory(tax_code="")
        assert Organisation.objects.get(pk=group.pk).tax_code is None

    def test_future_establishment_is_rejected(self):
        with pytest.raises(ValidationError) as exc:
            OrganisationFactory(established_on=TOMORROW)
        assert exc.value.message_dict["established_on"] == ["Ngày không được ở tương lai."]

    def test_unknown_field_is_rejected(self):
        with pytest.raises(ValidationError) as exc:
            OrganisationFactory(members_count=99)
        assert "Trường không hợp lệ: members_count" in messages(exc)

    def test_audit_entry_records_actor_action_and_after(self, officer_19):
        org = OrganisationFactory(actor=officer_19, name="HTX Kiểm toán")
        entry = AuditEntry.objects.get(object_type="registry.organisation", object_id=str(org.pk))
        assert entry.actor == officer_19
        assert entry.action == "create"
        assert entry.before is None
        assert entry.after["name"] == "HTX Kiểm toán"
        assert entry.after["tax_code"] == org.tax_code
        assert entry.after["province"] == "19"
        assert entry.after["status"] == Status.ACTIVE
        history = org.status_history.get()
        assert history.recorded_by == officer_19

    def test_system_actor_is_recorded_as_no_one(self):
        org = OrganisationFactory(actor=None)
        entry = AuditEntry.objects.get(object_type="registry.organisation", object_id=str(org.pk))
        assert entry.actor is None
        assert org.status_history.get().recorded_by is None

    def test_aggregate_of_the_province_is_updated(self):
        assert aggregate("19", OrganisationKind.COOPERATIVE, Status.ACTIVE, True) is None
        OrganisationFactory()
        OrganisationFactory()
        OrganisationFactory(sector=Sector.H, is_agricultural=False)
        row = aggregate("19", OrganisationKind.COOPERATIVE, Status.ACTIVE, True)
        assert row.organisations == 2
        assert (
            aggregate("19", OrganisationKind.COOPERATIVE, Status.ACTIVE, False).organisations == 1
        )
        assert not RegistryAggregate.objects.exclude(province_id="19").exists()

    def test_officer_may_create_only_in_own_province(self, officer_01, officer_19):
        before = counts()
        with pytest.raises(PermissionDenied):
            OrganisationFactory(actor=officer_01, province_id="19")
        assert counts() == before
        assert OrganisationFactory(actor=officer_19, province_id="19").pk

    def test_public_user_may_not_create(self, public_user):
        with pytest.raises(PermissionDenied):
            OrganisationFactory(actor=public_user)


# -- update_organisation --------------------------------------------------------------------


class TestUpdateOrganisation:
    def test_version_increments_and_change_is_saved(self):
        org = OrganisationFactory(name="HTX Cũ")
        updated = services.update_organisation(None, org.pk, 1, name="HTX Mới")
        assert updated.version == 2
        org.refresh_from_db()
        assert (org.name, org.version, org.name_key) == ("HTX Mới", 2, "htx moi")
        again = services.update_organisation(None, org.pk, 2, phone="0208123456")
        assert again.version == 3

    def test_stale_version_raises_and_changes_nothing(self):
        org = OrganisationFactory(name="HTX Gốc")
        # Someone else changed the record meanwhile (a status change also bumps the version).
        services.change_status(None, org.pk, Status.SUSPENDED, dt.date(2024, 1, 1))
        audit_before = AuditEntry.objects.count()
        with pytest.raises(services.StaleEdit) as exc:
            services.update_organisation(None, org.pk, 1, name="HTX Sửa từ bản cũ")
        assert exc.value.current_version == 2
        assert "vui lòng tải lại" in str(exc.value)
        org.refresh_from_db()
        assert (org.name, org.version) == ("HTX Gốc", 2)
        assert AuditEntry.objects.count() == audit_before

    def test_edit_based_on_the_current_version_succeeds(self):
        org = OrganisationFactory(name="HTX Gốc")
        services.change_status(None, org.pk, Status.SUSPENDED, dt.date(2024, 1, 1))
        services.update_organisation(None, org.pk, 2, name="HTX Sửa đúng bản")
        org.refresh_from_db()
        assert (org.name, org.version) == ("HTX Sửa đúng bản", 3)

    def test_audit_before_and_after_hold_only_changed_fields(self, officer_19):
        org = OrganisationFactory(name="HTX Trước", phone="0208111111")
        services.update_organisation(
            officer_19, org.pk, 1, name="HTX Sau", phone="0208111111", charter_capital=5_000_000
        )
        entry = AuditEntry.objects.filter(object_id=str(org.pk), action="update").get()
        assert entry.actor == officer_19
        assert entry.before == {"name": "HTX Trước", "charter_capital": None}
        assert entry.after == {"name": "HTX Sau", "charter_capital": 5_000_000}

    def test_tax_code_is_normalised_and_duplicates_rejected(self):
        taken = OrganisationFactory().tax_code
        org = OrganisationFactory()
        new_code = valid_tax_code()
        services.update_organisation(None, org.pk, 1, tax_code=f"{new_code[:3]} {new_code[3:]}")
        org.refresh_from_db()
        assert org.tax_code == new_code
        with pytest.raises(ValidationError) as exc:
            services.update_organisation(None, org.pk, 2, tax_code=taken)
        assert "Mã số thuế này đã được đăng ký cho tổ chức khác." in messages(exc)
        org.refresh_from_db()
        assert (org.tax_code, org.version) == (new_code, 2)

    def test_commune_of_another_province_is_rejected(self, hanoi_commune):
        org = OrganisationFactory()
        with pytest.raises(ValidationError) as exc:
            services.update_organisation(None, org.pk, 1, commune_id=hanoi_commune.code)
        assert "commune" in exc.value.message_dict
        org.refresh_from_db()
        assert org.commune_id is None

    def test_status_cannot_be_changed_through_update(self):
        org = OrganisationFactory()
        with pytest.raises(ValidationError):
            services.update_organisation(None, org.pk, 1, status=Status.DISSOLVED)
        assert Organisation.objects.get(pk=org.pk).status == Status.ACTIVE

    def test_moving_province_refreshes_both_aggregates(self):
        org = OrganisationFactory(province_id="19")
        services.update_organisation(None, org.pk, 1, province_id="01")
        assert aggregate("19", OrganisationKind.COOPERATIVE, Status.ACTIVE, True) is None
        assert aggregate("01", OrganisationKind.COOPERATIVE, Status.ACTIVE, True).organisations == 1

    def test_officer_of_another_province_is_denied(self, officer_01):
        org = OrganisationFactory(name="HTX Không đổi")
        with pytest.raises(PermissionDenied):
            services.update_organisation(officer_01, org.pk, 1, name="HTX Bị đổi")
        org.refresh_from_db()
        assert (org.name, org.version) == ("HTX Không đổi", 1)

    def test_officer_of_the_province_succeeds(self, officer_19):
        org = OrganisationFactory()
        services.update_organisation(officer_19, org.pk, 1, name="HTX Cán bộ tỉnh sửa")
        assert Organisation.objects.get(pk=org.pk).name == "HTX Cán bộ tỉnh sửa"

    def test_manager_may_not_edit_another_organisation(self):
        own, other = OrganisationFactory(), OrganisationFactory()
        manager = make_user("quan-ly", Role.COOPERATIVE_MANAGER, organisation=own)
        with pytest.raises(PermissionDenied):
            services.update_organisation(manager, other.pk, 1, phone="0208999999")

    def test_manager_may_edit_own_organisation(self):
        own = OrganisationFactory()
        manager = make_user("quan-ly", Role.COOPERATIVE_MANAGER, organisation=own)
        services.update_organisation(manager, own.pk, 1, phone="0208999999")
        assert Organisation.objects.get(pk=own.pk).phone == "0208999999"

    def test_public_and_inactive_users_are_denied(self, public_user, officer_19):
        org = OrganisationFactory()
        officer_19.is_active = False
        officer_19.save()
        for actor in (public_user, officer_19):
            with pytest.raises(PermissionDenied):
                services.update_organisation(actor, org.pk, 1, name="HTX Không được sửa")

    def test_officer_may_not_move_organisation_out_of_own_province(self, officer_19):
        org = OrganisationFactory(province_id="19")
        with pytest.raises(PermissionDenied):
            services.update_organisation(officer_19, org.pk, 1, province_id="01")


# -- change_status --------------------------------------------------------------------------


class TestChangeStatus:
    def test_history_and_organisation_are_updated(self, officer_19):
        org = OrganisationFactory(established_on=dt.date(2015, 3, 1))
        change = services.change_status(
            officer_19,
            org.pk,
            Status.SUSPENDED,
            dt.date(2024, 2, 1),
            reason="Tạm ngừng theo đề nghị",
            document_no="12/QĐ-UBND",
        )
        org.refresh_from_db()
        assert (org.status, org.status_since, org.version) == (
            Status.SUSPENDED,
            dt.date(2024, 2, 1),
            2,
        )
        assert (change.status, change.effective_on, change.recorded_by) == (
            Status.SUSPENDED,
            dt.date(2024, 2, 1),
            officer_19,
        )
        assert [(h.status, h.effective_on) for h in org.status_history.all()] == [
            (Status.SUSPENDED, dt.date(2024, 2, 1)),
            (Status.ACTIVE, dt.date(2015, 3, 1)),
        ]
        entry = AuditEntry.objects.get(object_id=str(org.pk), action="change_status")
        assert entry.before == {"status": Status.ACTIVE, "status_since": "2015-03-01"}
        assert entry.after == {"status": Status.SUSPENDED, "status_since": "2024-02-01"}

    def test_aggregates_follow_the_status(self):
        org = OrganisationFactory()
        services.change_status(None, org.pk, Status.DISSOLVED, dt.date(2025, 1, 2))
        assert aggregate("19", OrganisationKind.COOPERATIVE, Status.ACTIVE, True) is None
        assert (
            aggregate("19", OrganisationKind.COOPERATIVE, Status.DISSOLVED, True).organisations == 1
        )

    def test_today_is_allowed_but_future_is_rejected(self):
        org = OrganisationFactory()
        with pytest.raises(ValidationError) as exc:
            services.change_status(None, org.pk, Status.SUSPENDED, TOMORROW)
        assert exc.value.message_dict["effective_on"] == ["Ngày không được ở tương lai."]
        assert Organisation.objects.get(pk=org.pk).status == Status.ACTIVE
        services.change_status(None, org.pk, Status.SUSPENDED, TODAY)
        assert Organisation.objects.get(pk=org.pk).status == Status.SUSPENDED

    def test_date_before_establishment_is_rejected(self):
        org = OrganisationFactory(established_on=dt.date(2015, 3, 1))
        with pytest.raises(ValidationError) as exc:
            services.change_status(None, org.pk, Status.SUSPENDED, dt.date(2015, 2, 28))
        assert exc.value.message_dict["effective_on"] == [
            "Ngày hiệu lực không được trước ngày thành lập."
        ]
        assert org.status_history.count() == 1

    def test_date_before_last_change_is_rejected(self):
        org = OrganisationFactory(established_on=dt.date(2015, 3, 1))
        services.change_status(None, org.pk, Status.SUSPENDED, dt.date(2022, 6, 1))
        with pytest.raises(ValidationError) as exc:
            services.change_status(None, org.pk, Status.ACTIVE, dt.date(2022, 5, 31))
        assert "01/06/2022" in messages(exc)

    def test_same_status_is_rejected(self):
        org = OrganisationFactory()
        audit_before = AuditEntry.objects.count()
        with pytest.raises(ValidationError) as exc:
            services.change_status(None, org.pk, Status.ACTIVE, dt.date(2024, 1, 1))
        assert exc.value.message_dict["status"] == ["Tổ chức đang ở tình trạng này."]
        assert org.status_history.count() == 1
        assert AuditEntry.objects.count() == audit_before

    def test_unknown_status_is_rejected(self):
        org = OrganisationFactory()
        with pytest.raises(ValidationError) as exc:
            services.change_status(None, org.pk, "sleeping", dt.date(2024, 1, 1))
        assert exc.value.message_dict["status"] == ["Tình trạng không hợp lệ."]

    def test_officer_of_another_province_is_denied(self, officer_01):
        org = OrganisationFactory()
        with pytest.raises(PermissionDenied):
            services.change_status(officer_01, org.pk, Status.SUSPENDED, dt.date(2024, 1, 1))
        org.refresh_from_db()
        assert (org.status, org.version) == (Status.ACTIVE, 1)
        assert org.status_history.count() == 1

    def test_officer_of_the_province_succeeds(self, officer_19):
        org = OrganisationFactory()
        services.change_status(officer_19, org.pk, Status.NOT_OPERATING, dt.date(2024, 1, 1))
        assert Organisation.objects.get(pk=org.pk).status == Status.NOT_OPERATING


# -- create_person ----------------------------------------------------------------------------


class TestCreatePerson:
    def test_cccd_is_decoded_into_gender_and_birth_year(self):
        number = valid_cccd(FEMALE, 1987)
        person = services.create_person(
            None, f"{number[:3]} {number[3:6]} {number[6:]}", "Lê Thị Hoa"
        )
        person.refresh_from_db()
        assert (person.cccd, person.gender, person.birth_year) == (number, FEMALE, 1987)

    def test_born_in_the_2000s(self):
        person = PersonFactory(sex=MALE, born=2004)
        assert person.cccd[3] == "2"
        assert (person.gender, person.birth_year) == (MALE, 2004)

    def test_matching_gender_and_birth_year_are_accepted(self):
        person = services.create_person(
            None, valid_cccd(MALE, 1975), "Trần Văn An", gender=MALE, birth_year=1975
        )
        assert person.pk

    def test_gender_mismatch_is_rejected(self):
        before = counts()
        with pytest.raises(ValidationError) as exc:
            services.create_person(None, valid_cccd(FEMALE, 1980), "Phạm Thị Lan", gender=MALE)
        assert exc.value.message_dict["gender"] == ["Giới tính không khớp với số CCCD."]
        assert counts() == before

    def test_birth_year_mismatch_is_rejected(self):
        with pytest.raises(ValidationError) as exc:
            services.create_person(None, valid_cccd(MALE, 1980), "Phạm Văn Nam", birth_year=1981)
        assert exc.value.message_dict["birth_year"] == ["Năm sinh không khớp với số CCCD."]

    def test_invalid_cccd_is_rejected(self):
        with pytest.raises(ValidationError) as exc:
            services.create_person(None, "12345", "Đỗ Văn Bình")
        assert "12 chữ số" in messages(exc)

    def test_duplicate_cccd_is_rejected(self):
        number = valid_cccd()
        services.create_person(None, number, "Nguyễn Văn Một")
        before = counts()
        with pytest.raises(ValidationError) as exc:
            services.create_person(None, number, "Nguyễn Văn Hai")
        assert "Số CCCD này đã có trong cơ sở dữ liệu." in messages(exc)
        assert counts() == before

    def test_person_without_cccd(self):
        first = services.create_person(None, "", "Người Không Giấy")
        second = services.create_person(None, None, "Người Không Giấy Hai")
        assert first.cccd is None and second.cccd is None

    def test_audit_entry(self, officer_19):
        person = PersonFactory(actor=officer_19)
        entry = AuditEntry.objects.get(object_type="registry.person", object_id=str(person.pk))
        assert (entry.actor, entry.action, entry.after["cccd"]) == (
            officer_19,
            "create",
            person.cccd,
        )

    def test_public_user_may_not_create_people(self, public_user):
        with pytest.raises(PermissionDenied):
            PersonFactory(actor=public_user)


# -- add_membership / end_membership ------------------------------------------------------------


class TestMemberships:
    def test_members_count_is_incremented(self):
        org = OrganisationFactory()
        for _ in range(3):
            MembershipFactory(organisation=org)
        org.refresh_from_db()
        assert org.members_count == 3
        assert Membership.objects.filter(organisation=org, province_id="19").count() == 3
        row = aggregate("19", OrganisationKind.COOPERATIVE, Status.ACTIVE, True)
        assert row.members == 3

    def test_audit_entry(self, officer_19):
        membership = MembershipFactory(actor=officer_19)
        entry = AuditEntry.objects.get(
            object_type="registry.membership", object_id=str(membership.pk)
        )
        assert (entry.actor, entry.action) == (officer_19, "create")
        assert entry.after["kind"] == MemberKind.OFFICIAL

    def test_under_18_is_rejected(self):
        org = OrganisationFactory()
        minor = PersonFactory(born=2010)
        before = counts()
        with pytest.raises(ValidationError) as exc:
            MembershipFactory(organisation=org, person=minor, joined_on=dt.date(2026, 1, 1))
        assert exc.value.message_dict["person"] == [
            "Thành viên là cá nhân phải đủ 18 tuổi khi gia nhập."
        ]
        assert counts() == before
        assert Organisation.objects.get(pk=org.pk).members_count == 0

    def test_under_18_by_birth_date_is_rejected(self):
        org = OrganisationFactory()
        minor = PersonFactory(born=2008, birth_date=dt.date(2008, 12, 1))
        with pytest.raises(ValidationError):
            MembershipFactory(organisation=org, person=minor, joined_on=dt.date(2026, 1, 1))

    def test_second_active_membership_of_same_person_is_rejected(self):
        org = OrganisationFactory()
        person = PersonFactory()
        MembershipFactory(organisation=org, person=person)
        before = counts()
        with pytest.raises(ValidationError) as exc:
            MembershipFactory(organisation=org, person=person, joined_on=dt.date(2021, 1, 1))
        assert "Người này đang là thành viên của tổ chức." in messages(exc)
        assert counts() == before
        assert Organisation.objects.get(pk=org.pk).members_count == 1

    def test_same_person_may_join_another_organisation(self):
        person = PersonFactory()
        MembershipFactory(person=person)
        MembershipFactory(person=person, organisation=CooperativeGroupFactory())
        assert person.memberships.count() == 2

    def test_union_member_must_be_a_cooperative(self):
        union = UnionFactory()
        htx = OrganisationFactory()
        group = CooperativeGroupFactory()
        link = MembershipFactory(organisation=union, person=None, member_organisation=htx)
        assert link.member_organisation == htx
        with pytest.raises(ValidationError) as exc:
            MembershipFactory(organisation=union, person=None, member_organisation=group)
        assert "Thành viên của liên hiệp HTX phải là hợp tác xã." in messages(exc)
        union.refresh_from_db()
        assert union.members_count == 1

    def test_only_a_union_has_organisation_members(self):
        htx, other = OrganisationFactory(), OrganisationFactory()
        with pytest.raises(ValidationError) as exc:
            MembershipFactory(organisation=htx, person=None, member_organisation=other)
        assert "Chỉ liên hiệp HTX mới có thành viên là hợp tác xã." in messages(exc)

    def test_same_cooperative_cannot_join_a_union_twice(self):
        union, htx = UnionFactory(), OrganisationFactory()
        MembershipFactory(organisation=union, person=None, member_organisation=htx)
        with pytest.raises(ValidationError) as exc:
            MembershipFactory(organisation=union, person=None, member_organisation=htx)
        assert "Tổ chức này đang là thành viên của tổ chức." in messages(exc)

    def test_member_must_be_a_person_or_an_organisation(self):
        with pytest.raises(ValidationError) as exc:
            MembershipFactory(person=None)
        assert "Thành viên phải là một cá nhân hoặc một tổ chức." in messages(exc)

    def test_household_business_has_no_members(self):
        household = HouseholdFactory()
        with pytest.raises(ValidationError) as exc:
            MembershipFactory(organisation=household)
        assert "Hộ kinh doanh không có thành viên." in messages(exc)
        assert Organisation.objects.get(pk=household.pk).members_count == 0

    def test_joining_before_establishment_or_in_future_is_rejected(self):
        org = OrganisationFactory(established_on=dt.date(2015, 3, 1))
        with pytest.raises(ValidationError) as exc:
            MembershipFactory(organisation=org, joined_on=dt.date(2015, 2, 1))
        assert "joined_on" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            MembershipFactory(organisation=org, joined_on=TOMORROW)
        assert exc.value.message_dict["joined_on"] == ["Ngày không được ở tương lai."]

    def test_associate_without_capital_contributes_nothing(self):
        with pytest.raises(ValidationError) as exc:
            MembershipFactory(kind=MemberKind.ASSOCIATE, capital_contributed=1_000_000)
        assert "capital_contributed" in exc.value.message_dict

    def test_end_membership_decrements_count(self, officer_19):
        org = OrganisationFactory()
        first = MembershipFactory(organisation=org)
        MembershipFactory(organisation=org)
        ended = services.end_membership(officer_19, first.pk, dt.date(2024, 6, 30))
        assert ended.left_on == dt.date(2024, 6, 30)
        org.refresh_from_db()
        assert org.members_count == 1
        assert Membership.objects.active().filter(organisation=org).count() == 1
        entry = AuditEntry.objects.get(object_id=str(first.pk), action="end")
        assert entry.before == {"left_on": None}
        assert entry.after == {"left_on": "2024-06-30"}
        assert aggregate("19", OrganisationKind.COOPERATIVE, Status.ACTIVE, True).members == 1

    def test_cannot_end_twice(self):
        membership = MembershipFactory()
        services.end_membership(None, membership.pk, dt.date(2024, 6, 30))
        with pytest.raises(ValidationError) as exc:
            services.end_membership(None, membership.pk, dt.date(2024, 7, 30))
        assert "Tư cách thành viên này đã chấm dứt." in messages(exc)
        assert Organisation.objects.get(pk=membership.organisation_id).members_count == 0
        assert Membership.objects.get(pk=membership.pk).left_on == dt.date(2024, 6, 30)

    def test_cannot_end_before_joining_or_in_future(self):
        membership = MembershipFactory(joined_on=dt.date(2020, 1, 1))
        with pytest.raises(ValidationError) as exc:
            services.end_membership(None, membership.pk, dt.date(2019, 12, 31))
        assert "Ngày chấm dứt không được trước ngày gia nhập." in messages(exc)
        with pytest.raises(ValidationError):
            services.end_membership(None, membership.pk, TOMORROW)
        assert Organisation.objects.get(pk=membership.organisation_id).members_count == 1

    def test_person_may_rejoin_after_leaving(self):
        org = OrganisationFactory()
        person = PersonFactory()
        old = MembershipFactory(organisation=org, person=person, joined_on=dt.date(2018, 1, 1))
        services.end_membership(None, old.pk, dt.date(2020, 1, 1))
        MembershipFactory(organisation=org, person=person, joined_on=dt.date(2022, 1, 1))
        org.refresh_from_db()
        assert org.members_count == 1
        assert Membership.objects.filter(organisation=org, person=person).count() == 2

    def test_officer_of_another_province_is_denied(self, officer_01):
        org = OrganisationFactory()
        membership = MembershipFactory(organisation=org)
        with pytest.raises(PermissionDenied):
            MembershipFactory(actor=officer_01, organisation=org)
        with pytest.raises(PermissionDenied):
            services.end_membership(officer_01, membership.pk, dt.date(2024, 1, 1))
        org.refresh_from_db()
        assert org.members_count == 1
        assert Membership.objects.get(pk=membership.pk).left_on is None

    def test_officer_of_the_province_succeeds(self, officer_19):
        org = OrganisationFactory()
        membership = MembershipFactory(actor=officer_19, organisation=org)
        services.end_membership(officer_19, membership.pk, dt.date(2024, 1, 1))
        assert Organisation.objects.get(pk=org.pk).members_count == 0
