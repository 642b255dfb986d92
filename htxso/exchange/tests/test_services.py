"""The write path of import jobs (`exchange.services`): one SHA-256, audited steps, the owner
rule and the status rules, the same for the pages and the command."""

import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from htxso.core.models import AuditEntry
from htxso.exchange import services
from htxso.exchange.layouts import ORGANISATION_LAYOUT
from htxso.exchange.models import ImportJob, JobStatus

DATA = ("\ufeff" + ",".join(str(c.header) for c in ORGANISATION_LAYOUT.columns) + "\r\n").encode()


@pytest.fixture(autouse=True)
def _files(media):
    return media


def test_create_job_hashes_once_stores_and_audits(officer_19):
    upload = SimpleUploadedFile("to-chuc.csv", DATA, content_type="text/csv")
    job = services.create_job(officer_19, "organisations", "upsert", upload, upload.name)
    assert job.sha256 == hashlib.sha256(DATA).hexdigest()
    assert job.size == len(DATA) and job.status == JobStatus.QUEUED
    assert job.file.read() == DATA
    entry = AuditEntry.objects.get(action="import_upload")
    assert entry.actor == officer_19 and entry.object_id == str(job.pk)
    assert entry.after["sha256"] == job.sha256 and entry.after["kind"] == "organisations"


def test_a_plain_binary_file_works_too_for_the_system(db):
    job = services.create_job(None, "organisations", "create", io.BytesIO(DATA), "a.csv")
    assert job.sha256 == hashlib.sha256(DATA).hexdigest() and job.size == len(DATA)
    assert job.created_by is None


def test_commit_and_rerun_follow_the_status(officer_19):
    job = services.create_job(officer_19, "organisations", "upsert", io.BytesIO(DATA), "a.csv")
    with pytest.raises(ValidationError, match="Chỉ ghi được"):
        services.request_commit(officer_19, job)
    with pytest.raises(ValidationError, match="Chỉ chạy lại"):
        services.rerun(officer_19, job)
    assert not AuditEntry.objects.filter(action__in=["import_commit", "import_rerun"]).exists()
    services.start(officer_19, job)
    job.refresh_from_db()
    assert job.status == JobStatus.INVALID  # a header without rows
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    job.refresh_from_db()
    services.rerun(officer_19, job)
    assert AuditEntry.objects.filter(action="import_rerun", actor=officer_19).count() == 1


def test_only_the_owner_runs_a_job(officer_19, officer_01):
    job = services.create_job(officer_19, "organisations", "upsert", io.BytesIO(DATA), "a.csv")
    for step in (services.start, services.request_commit, services.rerun):
        with pytest.raises(PermissionDenied, match="Chỉ người tải tệp lên"):
            step(officer_01, job)
