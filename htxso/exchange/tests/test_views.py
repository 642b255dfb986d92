"""The import pages: upload → dry-run report → commit, with the owner rules."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from htxso.core import jobs as core_jobs
from htxso.core.cccd import encode_cccd
from htxso.core.models import AuditEntry
from htxso.exchange import jobs
from htxso.exchange.layouts import MEMBER_LAYOUT, ORGANISATION_LAYOUT
from htxso.exchange.models import ImportJob, JobStatus
from htxso.registry.models import Membership, Person
from htxso.registry.tests.conftest import make_user
from htxso.registry.tests.factories import OrganisationFactory


@pytest.fixture(autouse=True)
def _inline_jobs(settings, tmp_path):
    settings.JOBS_BACKEND = "inline"
    settings.MEDIA_ROOT = tmp_path


def _file(tax_code: str, rows: int = 3, bad_row: int | None = None) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    keys = [c.key for c in MEMBER_LAYOUT.columns]
    writer.writerow([str(c.header) for c in MEMBER_LAYOUT.columns])
    for i in range(rows):
        row = dict.fromkeys(keys, "")
        row.update(
            organisation_tax_code=tax_code,
            cccd="12345" if i == bad_row else encode_cccd("19", "male", 1980, 900 + i),
            full_name=f"Lê Văn Tâm {i}",
            member_kind="Thành viên chính thức",
            joined_on="01/06/2020",
        )
        writer.writerow([row[k] for k in keys])
    return SimpleUploadedFile("thanh-vien.csv", out.getvalue().encode("utf-8-sig"), "text/csv")


def test_upload_reports_then_commit_writes(client, officer_19):
    organisation = OrganisationFactory(province_id="19")
    client.force_login(officer_19)
    response = client.post(
        reverse("exchange:index"),
        {"kind": "members", "strategy": "upsert", "file": _file(organisation.tax_code)},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "exchange:job", args=[job.pk]
    )
    assert job.status == JobStatus.VALID and job.encoding == "utf-8-sig"
    assert Person.objects.count() == 0  # a dry run writes nothing
    page = client.get(reverse("exchange:job", args=[job.pk])).content.decode()
    assert "Ghi vào cơ sở dữ liệu" in page
    client.post(reverse("exchange:job-commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.committed_at is not None
    assert Membership.objects.filter(organisation=organisation).count() == 3
    assert AuditEntry.objects.filter(action="import", actor=officer_19).count() == 1
    client.post(reverse("exchange:job-commit", args=[job.pk]))  # a second click: refused
    assert Membership.objects.count() == 3


def test_a_bad_row_is_shown_and_commit_refused(client, officer_19):
    organisation = OrganisationFactory(province_id="19")
    client.force_login(officer_19)
    client.post(
        reverse("exchange:index"),
        {"kind": "members", "strategy": "upsert", "file": _file(organisation.tax_code, bad_row=1)},
    )
    job = ImportJob.objects.get()
    assert job.status == JobStatus.INVALID and job.error_rows == 1
    page = client.get(reverse("exchange:job", args=[job.pk])).content.decode()
    assert "Số CCCD phải gồm đúng 12 chữ số." in page and "<td>3</td>" in page
    assert "commit-button" not in page
    client.post(reverse("exchange:job-commit", args=[job.pk]))
    assert Person.objects.count() == 0
    report = client.get(reverse("exchange:job-findings", args=[job.pk]))
    assert report.status_code == 200 and report.content[:2] == b"PK"


def test_only_the_uploader_commits(client, officer_19):
    organisation = OrganisationFactory(province_id="19")
    client.force_login(officer_19)
    client.post(
        reverse("exchange:index"),
        {"kind": "members", "strategy": "upsert", "file": _file(organisation.tax_code)},
    )
    job = ImportJob.objects.get()
    other = make_user("can-bo-khac", "provincial_officer", "19")
    client.force_login(other)
    assert client.post(reverse("exchange:job-commit", args=[job.pk])).status_code == 404
    admin = make_user("quan-tri-khac", "system_admin")
    client.force_login(admin)
    assert client.get(reverse("exchange:job", args=[job.pk])).status_code == 200
    assert client.post(reverse("exchange:job-commit", args=[job.pk])).status_code == 403
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("danh-sach.xls", b"\xd0\xcf\x11\xe0", "Chỉ nhận tệp .xlsx hoặc .csv."),
        ("danh-sach.pdf", b"%PDF-1.4", "Chỉ nhận tệp .xlsx hoặc .csv."),
        ("trong.csv", b"", "Tập tin được gửi là rỗng."),
    ],
)
def test_bad_uploads_are_refused_in_vietnamese(client, officer_19, name, content, message):
    client.force_login(officer_19)
    response = client.post(
        reverse("exchange:index"),
        {"kind": "members", "strategy": "upsert", "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_a_failed_job_can_be_rerun(client, officer_19, monkeypatch):
    from htxso.exchange import importers

    organisation = OrganisationFactory(province_id="19")
    client.force_login(officer_19)
    real_run = importers.run

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("htxso.exchange.jobs.run", crash)
    client.post(
        reverse("exchange:index"),
        {"kind": "members", "strategy": "upsert", "file": _file(organisation.tax_code)},
    )
    job = ImportJob.objects.get()
    assert job.status == JobStatus.FAILED and "không có dữ liệu nào được ghi" in job.message
    monkeypatch.setattr("htxso.exchange.jobs.run", real_run)
    client.post(reverse("exchange:job-rerun", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.VALID and job.attempts == 2


# --- the job page: reaping stale jobs, the summary ------------------------------------------


def _reap_queries(context) -> int:
    """How often `jobs.reap` looked for running jobs (by status; a page reads its own job by
    pk, and marking a stale job failed is an UPDATE)."""
    return sum(
        q["sql"].startswith("SELECT") and '"exchange_importjob"."status" IN' in q["sql"]
        for q in context.captured_queries
    )


@pytest.fixture
def running_job(officer_19, settings, media, monkeypatch):
    """A job whose worker died long ago (no heartbeat in the test's own jobs cache), and a
    fresh reap clock (another test's page may have reaped a moment ago)."""
    monkeypatch.setattr(core_jobs, "_reaped_at", None)
    settings.JOB_STALE = 60
    job = ImportJob.objects.create(
        kind="members",
        strategy="upsert",
        filename="thanh-vien.csv",
        file="imports/thanh-vien.csv",
        sha256="0" * 64,
        created_by=officer_19,
        status=JobStatus.VALIDATING,
        started_at=timezone.now() - dt.timedelta(minutes=10),
    )
    return job


def test_polls_reap_at_most_once_per_heartbeat(client, officer_19, running_job, settings):
    settings.JOB_HEARTBEAT = 30
    client.force_login(officer_19)
    url = reverse("exchange:job-progress", args=[running_job.pk])
    with CaptureQueriesContext(connection) as context:
        first = client.get(url)
        second = client.get(url)
    assert _reap_queries(context) == 1
    assert first.status_code == second.status_code == 200
    running_job.refresh_from_db()
    assert running_job.status == JobStatus.FAILED  # the first poll found it stale
    assert first["HX-Refresh"] == "true"
    # Once a heartbeat has passed, the next poll looks again.
    settings.JOB_HEARTBEAT = 0
    with CaptureQueriesContext(connection) as context:
        client.get(url)
    assert _reap_queries(context) == 1


def test_the_job_page_and_the_index_share_the_throttle(client, officer_19, running_job, settings):
    settings.JOB_HEARTBEAT = 30
    client.force_login(officer_19)
    with CaptureQueriesContext(connection) as context:
        client.get(reverse("exchange:index"))
        client.get(reverse("exchange:job", args=[running_job.pk]))
        client.get(reverse("exchange:job-progress", args=[running_job.pk]))
    assert _reap_queries(context) == 1


def test_a_throttled_reap_skips_the_query_but_a_plain_one_always_looks(
    running_job, settings, django_assert_num_queries
):
    settings.JOB_HEARTBEAT = 30
    ImportJob.objects.filter(pk=running_job.pk).update(started_at=timezone.now())
    assert jobs.reap(every=settings.JOB_HEARTBEAT) == 0  # looked: nothing stale yet
    ImportJob.objects.filter(pk=running_job.pk).update(
        started_at=timezone.now() - dt.timedelta(minutes=10)
    )
    with django_assert_num_queries(0):
        assert jobs.reap(every=settings.JOB_HEARTBEAT) == 0  # within the heartbeat: no query
    running_job.refresh_from_db()
    assert running_job.status == JobStatus.VALIDATING
    assert jobs.reap() == 1  # the CLI and tests: every call looks
    assert jobs.reap() == 0


def test_the_job_summary_has_labels_not_code_keys(client, officer_19):
    organisation = OrganisationFactory(province_id="19")
    client.force_login(officer_19)
    client.post(
        reverse("exchange:index"),
        {"kind": "members", "strategy": "upsert", "file": _file(organisation.tax_code)},
    )
    job = ImportJob.objects.get()
    page = client.get(reverse("exchange:job", args=[job.pk])).content.decode()
    summary = page[page.index('id="job-summary"') : page.index("</dl>")]
    assert '">Người</dt>' in summary
    assert "Tư cách thành viên" in summary
    assert "Thêm mới: 3 · Cập nhật: 0 · Không đổi: 0" in summary
    for key in ("people", "memberships", "created", "updated", "unchanged"):
        assert key not in summary
    with translation.override("en"):
        english = client.get(reverse("exchange:job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    summary = english.content.decode()
    summary = summary[summary.index('id="job-summary"') : summary.index("</dl>")]
    assert "People" in summary and "Created: 3 · Updated: 0 · Unchanged: 0" in summary


def test_the_organisation_summary_names_status_changes(client, officer_19):
    client.force_login(officer_19)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(c.header) for c in ORGANISATION_LAYOUT.columns])
    values = {
        "kind": "Tổ hợp tác",
        "name": "Tổ hợp tác Chè Tân Cương",
        "sector": "A",
        "province": "Thái Nguyên",
        "established_on": "15/03/2020",
        "status": "Tạm ngừng kinh doanh",
        "status_since": "01/01/2024",
    }
    writer.writerow([values.get(c.key, "") for c in ORGANISATION_LAYOUT.columns])
    upload = SimpleUploadedFile("to-chuc.csv", out.getvalue().encode("utf-8-sig"), "text/csv")
    client.post(
        reverse("exchange:index"), {"kind": "organisations", "strategy": "upsert", "file": upload}
    )
    job = ImportJob.objects.get()
    assert job.status == JobStatus.VALID
    page = client.get(reverse("exchange:job", args=[job.pk])).content.decode()
    assert "Thêm mới: 1 · Cập nhật: 0 · Không đổi: 0 · Đổi tình trạng: 1" in page
    assert "status_changes" not in page


# --- the upload: checked by its bytes; the file back to its owner only --------------------------


def test_a_disguised_file_is_refused_by_its_bytes_and_not_kept(client, officer_19, tmp_path):
    client.force_login(officer_19)
    disguised = SimpleUploadedFile(
        "thanh-vien.xlsx",
        b"Ho ten,CCCD\r\nA,1\r\n",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response = client.post(
        reverse("exchange:index"), {"kind": "members", "strategy": "upsert", "file": disguised}
    )
    assert response.status_code == 400
    assert "Tệp không phải XLSX hay CSV" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_the_uploaded_file_goes_back_to_its_owner_only(client, officer_19, officer_01):
    organisation = OrganisationFactory(province_id="19")
    client.force_login(officer_19)
    upload = _file(organisation.tax_code)
    client.post(
        reverse("exchange:index"), {"kind": "members", "strategy": "upsert", "file": upload}
    )
    job = ImportJob.objects.get()
    url = reverse("exchange:job-file", args=[job.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    upload.seek(0)
    assert b"".join(response.streaming_content) == upload.read()
    client.force_login(officer_01)
    assert client.get(url).status_code == 404
