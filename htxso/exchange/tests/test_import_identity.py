"""A member import links people registered outside the importer's scope only with the facts on
their card, never rewrites their record, and cannot be used to enumerate CCCDs (issue #14)."""

import datetime as dt

import pytest

from htxso.core.models import AuditEntry
from htxso.exchange import importers
from htxso.registry.models import Membership, Person
from htxso.registry.tests.factories import OrganisationFactory, PersonFactory

from .test_importers import errors, member, member_job

pytestmark = pytest.mark.usefixtures("media")
MISMATCH = "Không xác minh được cá nhân: số CCCD, họ và tên, ngày sinh phải đúng như trên thẻ CCCD."


@pytest.fixture
def org(db):
    return OrganisationFactory()


def _row(org, person, **values):
    facts = {"full_name": person.full_name, "birth_date": "09/07/1980", **values}
    return member(org, cccd=person.cccd, **facts)


def test_wrong_facts_are_an_error_and_the_attempt_is_audited_even_in_a_dry_run(
    org, officer_19, stranger
):
    rows = [member(org), _row(org, stranger, full_name="Tên Đoán")]
    report = importers.run(member_job(rows, officer_19), commit=False)
    found = errors(report)
    assert [(f.row, f.message) for f in found] == [(3, MISMATCH)]
    assert "Đỗ Thị" not in " ".join(f.message + f.value for f in report.findings)
    entry = AuditEntry.objects.get(action="identity_mismatch")
    assert (entry.actor, entry.object_id) == (officer_19, str(stranger.pk))


def test_a_missing_birth_date_does_not_verify_someone_registered_elsewhere(
    org, officer_19, stranger
):
    report = importers.run(
        member_job([_row(org, stranger, birth_date="")], officer_19), commit=True
    )
    assert [f.message for f in errors(report)] == [MISMATCH]
    assert not Membership.objects.filter(organisation=org).exists()


def test_matching_facts_link_without_rewriting_the_registered_record(org, officer_19, stranger):
    rows = [_row(org, stranger, phone="0999999999", street="Nhà mới", full_name="ĐỖ THỊ HÀ NỘI")]
    report = importers.run(member_job(rows, officer_19), commit=True)
    assert errors(report) == []
    assert Membership.objects.filter(organisation=org, person=stranger).exists()
    stranger.refresh_from_db()
    assert (stranger.full_name, stranger.phone, stranger.province_id) == (
        "Đỗ Thị Hà Nội",
        "0912345678",
        "01",
    )
    assert not AuditEntry.objects.filter(action="import_update").exists()


def test_people_in_scope_are_updated_as_before(org, officer_19):
    mine = PersonFactory(province_id="19", phone="0922222222")
    rows = [
        member(org, cccd=mine.cccd, full_name=mine.full_name, birth_date="", phone="0933333333")
    ]
    assert errors(importers.run(member_job(rows, officer_19), commit=True)) == []
    mine.refresh_from_db()
    assert mine.phone == "0933333333"


def test_a_file_of_guesses_is_refused_whole_without_naming_rows(org, officer_19, settings):
    settings.IDENTITY_MISMATCH_LIMIT = 3
    people = [PersonFactory(province_id="01") for _ in range(5)]
    rows = [member(org, cccd=p.cccd, full_name="Đoán Bừa", birth_date="01/01/1980") for p in people]
    report = importers.run(member_job(rows, officer_19), commit=False)
    found = errors(report)
    assert len(found) == 1 and found[0].row == 1
    assert "hơn số lần còn lại trong ngày" in found[0].message
    assert not any(ch.isdigit() for ch in found[0].message)  # not even how many
    assert AuditEntry.objects.filter(action="identity_mismatch").count() == 5
    assert Person.objects.filter(full_name="Đoán Bừa").count() == 0


def test_a_system_admin_sees_everyone_and_links_as_before(org, system_admin, stranger):
    rows = [_row(org, stranger)]
    assert errors(importers.run(member_job(rows, system_admin), commit=True)) == []
    assert Membership.objects.filter(organisation=org, person=stranger).exists()


def test_the_summary_does_not_tell_a_registered_cccd_from_a_new_one(org, officer_19, stranger):
    known = importers.run(member_job([_row(org, stranger)], officer_19), commit=False)
    new = importers.run(member_job([member(org, born=1980)], officer_19), commit=False)
    assert known.findings == new.findings == []  # no warning either
    assert known.summary == new.summary
    assert known.summary["people"] == {"created": 1, "updated": 0, "unchanged": 0}


def test_with_no_budget_left_every_member_import_is_refused(org, officer_19, settings):
    settings.IDENTITY_MISMATCH_LIMIT = 1
    person = PersonFactory(province_id="01", birth_date=dt.date(1980, 1, 2))
    guess = member(org, cccd=person.cccd, full_name="Đoán", birth_date="02/01/1980")
    assert len(errors(importers.run(member_job([guess], officer_19), commit=False))) == 1
    # Now a file of nothing but new people is refused too: the answer cannot depend on the file.
    report = importers.run(member_job([member(org)], officer_19), commit=False)
    found = errors(report)
    assert len(found) == 1 and "tạm khóa đến hết ngày" in found[0].message


def test_a_membership_does_not_hand_over_the_persons_record(org, officer_19, stranger):
    assert errors(importers.run(member_job([_row(org, stranger)], officer_19), True)) == []
    # Now a member in Thái Nguyên: a second file cannot rewrite who they are or where they live.
    again = _row(org, stranger, full_name="Tên Mới", birth_date="01/01/1980", phone="0988888888")
    report = importers.run(member_job([again], officer_19), commit=True)
    assert errors(report) == []
    stranger.refresh_from_db()
    assert (stranger.full_name, stranger.birth_date, stranger.province_id) == (
        "Đỗ Thị Hà Nội",
        dt.date(1980, 7, 9),
        "01",
    )
    assert stranger.phone == "0988888888"  # contact details are the cooperative's to keep
    assert "giữ như đã đăng ký" in report.findings[0].message  # and the file is told
