"""An approval's queries do not grow with its founding members (the registry adds them set-wise),
and the set-wise path answers as the one-by-one path does: the same people, memberships, audit
entries and refusals."""

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from htxso.core.cccd import encode_cccd
from htxso.core.models import AuditEntry
from htxso.registration import decisions, services
from htxso.registration.models import Application
from htxso.registry import services as registry
from htxso.registry.models import Membership, Organisation, Person, RegistryAggregate
from htxso.registry.tests.factories import OrganisationFactory, PersonFactory

from .conftest import complete


def ready(founder, office, members: int) -> Application:
    """A cooperative's application with `members` founders (people new to the registry),
    taken by the office."""
    application = complete(founder, name=f"Hợp tác xã {members} thành viên")
    application.members.all().delete()  # complete()'s founders are the same in every one
    for i in range(members * 100, members * 100 + members):
        application.refresh_from_db()
        services.add_member(
            founder,
            application.pk,
            application.version,
            encode_cccd("19", "male", 1960 + i % 30, 7000 + i),
            f"Trần Văn Thử {i}",
            dt.date(1960 + i % 30, 2, 1),
        )
    application.refresh_from_db()
    services.submit(founder, application.pk, application.version)
    application.refresh_from_db()
    return decisions.take(office, application.pk, application.version)


def approval_queries(application: Application, office) -> int:
    with CaptureQueriesContext(connection) as captured:
        decisions.approve(office, application.pk, application.version)
    return len(captured)


def test_an_approvals_queries_do_not_grow_with_its_members(founder, office_19):
    approval_queries(ready(founder, office_19, 6), office_19)  # the first: counters created
    five = approval_queries(ready(founder, office_19, 5), office_19)
    twenty = approval_queries(ready(founder, office_19, 20), office_19)
    assert twenty == five
    assert five <= 70  # was 280 with 5 members (about 46 per member)
    big = Organisation.objects.get(name="Hợp tác xã 20 thành viên")
    assert big.members_count == 20 == Membership.objects.filter(organisation=big).count()
    row = RegistryAggregate.objects.get(province_id="19", kind="cooperative", status="active")
    assert (row.organisations, row.members) == (3, 31)
    entries = AuditEntry.objects.filter(action="create")
    assert entries.filter(object_type="registry.person").count() == 31
    assert entries.filter(object_type="registry.membership").count() == 31
    member = Membership.objects.filter(organisation=big).select_related("person").first()
    assert member is not None and member.person.province_id == "19"
    assert entries.filter(object_type="registry.membership", object_id=str(member.pk)).exists()


def facts(i: int, **changed: Any) -> registry.MemberFacts:
    year = 1970 + i
    listed = registry.MemberFacts(
        kind="official",
        cccd=encode_cccd("19", "female", year, 800 + i),
        full_name=f"Lê Thị Mẫu {i}",
        birth_date=dt.date(year, 5, 5),
        capital_contributed=1_000_000,
    )
    return dataclasses.replace(listed, **changed)


def test_a_registered_person_with_matching_facts_is_linked_not_copied(office_19):
    org = OrganisationFactory(province_id="19")
    known = PersonFactory(
        cccd=facts(1).cccd, full_name="LÊ THỊ MẪU 1", birth_date=dt.date(1971, 5, 5)
    )
    made = registry.add_person_members(office_19, org.pk, dt.date.today(), [facts(0), facts(1)])
    assert [m.person_id for m in made][1] == known.pk
    assert Person.objects.filter(cccd=facts(1).cccd).count() == 1
    org.refresh_from_db()
    assert org.members_count == 2


@pytest.mark.parametrize(
    "bad",
    [
        {"full_name": " "},  # no name
        {"birth_date": dt.date(1999, 1, 1)},  # the CCCD says 1972
        {"cccd": "123"},  # not a CCCD
        {"capital_contributed": -1},  # the database's check
        {"kind": "associate"},  # an associate member with capital
    ],
)
def test_one_bad_person_refuses_the_whole_list_as_one_by_one_would(office_19, bad):
    org = OrganisationFactory(province_id="19")
    listed = [facts(0), facts(1), facts(2, **bad)]
    with pytest.raises(ValidationError) as batch:
        registry.add_person_members(office_19, org.pk, dt.date.today(), listed)
    assert not Membership.objects.exists() and not Person.objects.exists()
    with pytest.raises(ValidationError) as single:
        for m in listed:
            registry.add_person_member(
                office_19, org.pk, m.kind, dt.date.today(), m.cccd, m.full_name,
                m.birth_date, m.capital_contributed,
            )  # fmt: skip
    assert batch.value.messages == single.value.messages


def test_a_mismatch_is_audited_and_refused_as_one_by_one(office_19):
    org = OrganisationFactory(province_id="19")
    PersonFactory(  # in Hà Nội: not in the officer's sight, so the refusal is a probe
        cccd=facts(1).cccd,
        full_name="Phạm Văn Khác",
        birth_date=dt.date(1971, 1, 2),
        province_id="01",
    )
    with pytest.raises(ValidationError) as exc:
        registry.add_person_members(office_19, org.pk, dt.date.today(), [facts(0), facts(1)])
    assert "số CCCD, họ và tên, ngày sinh phải đúng" in " ".join(exc.value.messages)
    assert AuditEntry.objects.filter(action="identity_mismatch", actor=office_19).count() == 1


def test_a_cccd_twice_in_the_list_is_refused(office_19):
    org = OrganisationFactory(province_id="19")
    with pytest.raises(ValidationError) as exc:
        registry.add_person_members(office_19, org.pk, dt.date.today(), [facts(0), facts(0)])
    assert "Người này đang là thành viên của tổ chức." in " ".join(exc.value.messages)
    assert not Membership.objects.exists()


def test_an_active_member_is_not_added_twice(office_19):
    org = OrganisationFactory(province_id="19")
    registry.add_person_members(office_19, org.pk, dt.date.today(), [facts(0)])
    with pytest.raises(ValidationError):
        registry.add_person_members(office_19, org.pk, dt.date.today(), [facts(1), facts(0)])
    assert Membership.objects.count() == 1
    org.refresh_from_db()
    assert org.members_count == 1
