"""The import API through HTTP (exchange/api.py): real multipart uploads run inline as the
pages' jobs do — dry run, findings, commit, re-run — with the owner rules (another user's job
is 404, a job seen but not uploaded is 403), refused files and filter values as 422 in the one
error shape, and keyset paging."""

import csv
import datetime as dt
import hashlib
import io
import time

import pytest
from django.core.cache import cache, caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from htxso.core import jobs as core_jobs
from htxso.core.cccd import encode_cccd
from htxso.core.models import AuditEntry
from htxso.core.roles import Role
from htxso.exchange import jobs
from htxso.exchange.layouts import MEMBER_LAYOUT
from htxso.exchange.models import ImportIssue, ImportJob, JobStatus
from htxso.registry.models import Membership
from htxso.registry.tests.conftest import make_user
from htxso.registry.tests.factories import OrganisationFactory
from htxso.registry.tests.test_api import assert_error, token_for

BASE = "/api/v1"


@pytest.fixture(autouse=True)
def _inline(media):
    """Jobs run in the request (conftest `media`); throttling buckets start empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def central(db):
    """A central officer: sees the registry, imports nothing."""
    return make_user("trung-uong", Role.CENTRAL_OFFICER)


@pytest.fixture
def htx(db):
    return OrganisationFactory(province_id="19")


def members_csv(tax_code: str, rows: int = 3, bad_rows: tuple[int, ...] = ()) -> bytes:
    """A members file in the template's columns; a bad row has a CCCD of five digits."""
    out = io.StringIO()
    writer = csv.writer(out)
    keys = [c.key for c in MEMBER_LAYOUT.columns]
    writer.writerow([str(c.header) for c in MEMBER_LAYOUT.columns])
    for i in range(rows):
        row = dict.fromkeys(keys, "")
        row.update(
            organisation_tax_code=tax_code,
            cccd="12345" if i in bad_rows else encode_cccd("19", "male", 1980, 700 + i),
            full_name=f"Trần Văn Nhập {i}",
            member_kind="Thành viên chính thức",
            joined_on="01/06/2020",
        )
        writer.writerow([row[k] for k in keys])
    return out.getvalue().encode("utf-8-sig")


def upload(client, user, content: bytes, name: str = "thanh-vien.csv", **fields):
    body = {"kind": "members", "strategy": "upsert", **fields}
    if content is not None:
        body["file"] = SimpleUploadedFile(name, content, "text/csv")
    headers = token_for(user) if user is not None else {}
    return client.post(f"{BASE}/imports", body, **headers)


def get(client, user, path: str, **params):
    headers = token_for(user) if user is not None else {}
    return client.get(f"{BASE}{path}", params, **headers)


def post(client, user, path: str):
    headers = token_for(user) if user is not None else {}
    return client.post(f"{BASE}{path}", **headers)


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# -- the happy path ------------------------------------------------------------------------------


def test_upload_dry_run_then_commit(client, officer_19, htx):
    content = members_csv(htx.tax_code)
    response = upload(client, officer_19, content)
    assert response.status_code == 202, response.content
    body = response.json()
    job = ImportJob.objects.get()
    assert body["id"] == job.pk and job.created_by == officer_19
    assert (body["kind"], body["strategy"], body["status"]) == ("members", "upsert", "valid")
    assert body["filename"] == "thanh-vien.csv" and body["size"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert (body["rows"], body["error_rows"], body["issues_total"]) == (3, 0, 0)
    assert body["encoding"] == "utf-8-sig" and body["progress"] is None
    assert body["finished_at"] and body["committed_at"] is None
    assert Membership.objects.count() == 0  # a dry run writes nothing

    assert _ids(get(client, officer_19, "/imports")) == [job.pk]
    detail = get(client, officer_19, f"/imports/{job.pk}").json()
    assert detail["summary"] == job.summary and detail["message"] == ""
    assert get(client, officer_19, f"/imports/{job.pk}/findings").json()["items"] == []

    committed = post(client, officer_19, f"/imports/{job.pk}/commit")
    assert committed.status_code == 202, committed.content
    assert committed.json()["status"] == "done" and committed.json()["committed_at"]
    assert Membership.objects.filter(organisation=htx).count() == 3
    actions = set(
        AuditEntry.objects.filter(object_type="exchange.importjob", actor=officer_19).values_list(
            "action", flat=True
        )
    )
    assert actions == {"import_upload", "import_commit", "import"}  # "import": the creations


def test_a_session_may_upload_with_its_csrf_token(officer_19, htx):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(officer_19)
    file = SimpleUploadedFile("tv.csv", members_csv(htx.tax_code), "text/csv")
    refused = browser.post(f"{BASE}/imports", {"kind": "members", "file": file})
    assert_error(refused, 403, "csrf_failed")
    assert not ImportJob.objects.exists()
    browser.get(reverse("exchange:index"))  # the page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    file = SimpleUploadedFile("tv.csv", members_csv(htx.tax_code), "text/csv")
    accepted = browser.post(
        f"{BASE}/imports", {"kind": "members", "file": file}, HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 202, accepted.content
    assert accepted.json()["strategy"] == "upsert"  # the default, as on the page


# -- findings and the steps a job's status refuses -----------------------------------------------


def test_findings_of_an_invalid_job_and_its_commit_refused(client, officer_19, htx):
    response = upload(client, officer_19, members_csv(htx.tax_code, rows=4, bad_rows=(1, 3)))
    body = response.json()
    assert response.status_code == 202 and body["status"] == "invalid"
    assert body["error_rows"] == 2
    findings = get(client, officer_19, f"/imports/{body['id']}/findings", severity="error")
    items = findings.json()["items"]
    assert [item["row"] for item in items] == [3, 5]  # file rows: the header is row 1
    assert {item["value"] for item in items} == {"12345"}
    assert all(item["severity"] == "error" and item["message"] for item in items)
    assert get(client, officer_19, f"/imports/{body['id']}/findings", severity="warning").json()[
        "items"
    ] == [item for item in findings.json()["items"] if item["severity"] == "warning"]

    refused = assert_error(
        post(client, officer_19, f"/imports/{body['id']}/commit"), 422, "validation_error"
    )
    assert refused["message"]["vi"] == "Chỉ ghi được lượt nhập đã kiểm tra xong và không có lỗi."
    assert refused["message"]["en"].startswith("Only an import job that has been checked")
    assert not AuditEntry.objects.filter(action="import_commit").exists()
    assert Membership.objects.count() == 0


def test_a_failed_job_is_rerun_and_only_a_failed_one(client, officer_19, htx):
    job_id = upload(client, officer_19, members_csv(htx.tax_code)).json()["id"]
    refused = assert_error(
        post(client, officer_19, f"/imports/{job_id}/rerun"), 422, "validation_error"
    )
    assert refused["message"]["vi"] == "Chỉ chạy lại được lượt nhập bị thất bại."
    ImportJob.objects.filter(pk=job_id).update(status=JobStatus.FAILED, message="Worker died")
    rerun = post(client, officer_19, f"/imports/{job_id}/rerun")
    assert rerun.status_code == 202, rerun.content
    assert rerun.json()["status"] == "valid" and rerun.json()["message"] == ""
    assert AuditEntry.objects.filter(action="import_rerun", actor=officer_19).count() == 1


def test_a_running_job_shows_its_progress(client, officer_19, htx, monkeypatch):
    job_id = upload(client, officer_19, members_csv(htx.tax_code)).json()["id"]
    assert get(client, officer_19, f"/imports/{job_id}").json()["progress"] is None
    # As a worker leaves it mid-run: the status row committed, its beat in the "jobs" cache.
    ImportJob.objects.filter(pk=job_id).update(
        status=JobStatus.VALIDATING, started_at=timezone.now(), finished_at=None
    )
    caches["jobs"].set(
        f"import-progress:{job_id}", {"phase": "rows", "fraction": 0.25, "beat": time.time()}
    )
    body = get(client, officer_19, f"/imports/{job_id}").json()
    assert body["status"] == "validating"
    assert body["progress"] == {"phase": "rows", "fraction": 0.25}
    assert jobs.progress_of(job_id)["phase"] == "rows"
    # A job whose worker stopped beating reads as failed (core.jobs.reap), never as running.
    caches["jobs"].set(f"import-progress:{job_id}", {"phase": "rows", "beat": 0.0})
    ImportJob.objects.filter(pk=job_id).update(started_at=timezone.now() - dt.timedelta(hours=1))
    monkeypatch.setattr(core_jobs, "_reaped_at", None)  # this process looked a moment ago
    body = get(client, officer_19, f"/imports/{job_id}").json()
    assert body["status"] == "failed" and body["progress"] is None and body["message"]


# -- who: anonymous, another user, a role that does not import ---------------------------------


def test_anonymous_gets_401_everywhere(client, officer_19, htx):
    job_id = upload(client, officer_19, members_csv(htx.tax_code)).json()["id"]
    for response in (
        get(client, None, "/imports"),
        get(client, None, f"/imports/{job_id}"),
        get(client, None, f"/imports/{job_id}/findings"),
        post(client, None, f"/imports/{job_id}/commit"),
        post(client, None, f"/imports/{job_id}/rerun"),
        upload(client, None, members_csv(htx.tax_code)),
    ):
        assert_error(response, 401, "unauthenticated")
    assert ImportJob.objects.count() == 1


def test_another_users_job_is_not_found_and_the_admin_may_not_write_it(
    client, officer_19, officer_01, system_admin, htx
):
    job_id = upload(client, officer_19, members_csv(htx.tax_code)).json()["id"]
    assert _ids(get(client, officer_01, "/imports")) == []
    for path in (f"/imports/{job_id}", f"/imports/{job_id}/findings"):
        assert_error(get(client, officer_01, path), 404, "not_found")
    for step in ("commit", "rerun"):
        assert_error(post(client, officer_01, f"/imports/{job_id}/{step}"), 404, "not_found")
    # The system admin sees every job, but a job is written only by whoever uploaded it.
    assert _ids(get(client, system_admin, "/imports")) == [job_id]
    assert get(client, system_admin, f"/imports/{job_id}").status_code == 200
    forbidden = assert_error(
        post(client, system_admin, f"/imports/{job_id}/commit"), 403, "forbidden"
    )
    assert forbidden["message"]["vi"].startswith("Chỉ người tải tệp lên")
    assert ImportJob.objects.get(pk=job_id).status == JobStatus.VALID
    assert not AuditEntry.objects.filter(action="import_commit").exists()


def test_a_role_that_does_not_import_is_refused_and_nothing_is_kept(
    client, central, public_user, htx, media
):
    for user in (central, public_user):
        refused = assert_error(upload(client, user, members_csv(htx.tax_code)), 403, "forbidden")
        assert refused["message"]["en"] == "Your role may not import data into the registry."
        assert _ids(get(client, user, "/imports")) == []  # a list of nothing, not an error
    assert not ImportJob.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "vi"),
    [
        ("anh.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Tệp không phải XLSX hay CSV."),
        ("doi-ten.xlsx", b"a,b\n1,2\n", "Tệp không phải XLSX hay CSV."),
        ("bao-cao.pdf", b"%PDF-1.4\n", "Chỉ nhận tệp .xlsx hoặc .csv."),
    ],
)
def test_a_refused_file_is_422_naming_file(client, officer_19, media, name, content, vi):
    body = assert_error(upload(client, officer_19, content, name=name), 422, "validation_error")
    assert [error["field"] for error in body["errors"]] == ["file"]
    assert body["errors"][0]["message"]["vi"].startswith(vi)
    assert not ImportJob.objects.exists()
    assert not AuditEntry.objects.filter(action="import_upload").exists()
    assert not [p for p in media.rglob("*") if p.is_file()]  # a refused file is not kept


def test_an_empty_or_too_large_file_is_422(client, officer_19, htx, settings):
    empty = assert_error(upload(client, officer_19, b""), 422, "validation_error")
    assert [error["field"] for error in empty["errors"]] == ["file"]
    settings.IMPORT_MAX_BYTES = 2**20
    big = upload(client, officer_19, members_csv(htx.tax_code) + b"x" * 2**20)
    body = assert_error(big, 422, "validation_error")
    assert body["errors"][0]["field"] == "file"
    assert body["errors"][0]["message"]["vi"] == "Tệp quá lớn (tối đa 1 MB)."
    assert body["errors"][0]["message"]["en"] == "The file is too large (maximum 1 MB)."
    assert not ImportJob.objects.exists()


def test_missing_file_and_unknown_kind_are_422_naming_them(client, officer_19, htx):
    body = assert_error(upload(client, officer_19, None), 422, "validation_error")
    assert [error["field"] for error in body["errors"]] == ["file"]
    body = assert_error(
        upload(client, officer_19, members_csv(htx.tax_code), kind="people"),
        422,
        "validation_error",
    )
    assert [error["field"] for error in body["errors"]] == ["kind"]
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/imports", {"status": "xyz"}, "status"),
        ("/imports", {"kind": "people"}, "kind"),
        ("/imports", {"strategy": "replace"}, "strategy"),
        ("/imports", {"cursor": "not-a-cursor"}, "cursor"),
        ("/imports", {"limit": "0"}, "limit"),
        ("/imports/{job}/findings", {"severity": "fatal"}, "severity"),
        ("/imports/{job}/findings", {"cursor": "eyJ4Ijp9"}, "cursor"),
    ],
)
def test_bad_filter_values_are_422_naming_the_parameter(
    client, officer_19, htx, path, params, field
):
    job_id = upload(client, officer_19, members_csv(htx.tax_code)).json()["id"]
    response = get(client, officer_19, path.format(job=job_id), **params)
    body = assert_error(response, 422, "validation_error")
    assert [error["field"] for error in body["errors"]] == [field]


# -- lists: filters and keyset paging ------------------------------------------------------------


def test_filters_and_pages_of_jobs(client, officer_19, htx):
    valid = [upload(client, officer_19, members_csv(htx.tax_code)).json()["id"] for _ in range(3)]
    invalid = upload(client, officer_19, members_csv(htx.tax_code, bad_rows=(0,))).json()["id"]
    assert _ids(get(client, officer_19, "/imports", status="invalid")) == [invalid]
    assert _ids(get(client, officer_19, "/imports", status="valid")) == valid[::-1]
    assert _ids(get(client, officer_19, "/imports", kind="organisations")) == []
    assert _ids(get(client, officer_19, "/imports", strategy="upsert", kind="members")) == [
        invalid,
        *valid[::-1],
    ]
    first = get(client, officer_19, "/imports", limit=3).json()
    assert [item["id"] for item in first["items"]] == [invalid, *valid[:0:-1]]
    second = get(client, officer_19, "/imports", limit=3, cursor=first["next_cursor"]).json()
    assert [item["id"] for item in second["items"]] == [valid[0]]
    assert second["next_cursor"] is None


def test_findings_are_paged_by_row(client, officer_19, htx):
    body = upload(client, officer_19, members_csv(htx.tax_code, rows=5, bad_rows=(0, 2, 4))).json()
    expected = list(
        ImportIssue.objects.filter(job_id=body["id"]).order_by("row", "id").values_list("pk")
    )
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = get(client, officer_19, f"/imports/{body['id']}/findings", **params).json()
        seen += [(item["id"],) for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected and len(seen) >= 3


def test_the_import_page_filters_with_the_same_form(client, officer_19, htx):
    good = upload(client, officer_19, members_csv(htx.tax_code)).json()["id"]
    bad = upload(client, officer_19, members_csv(htx.tax_code, bad_rows=(0,))).json()["id"]
    client.force_login(officer_19)
    page = client.get(reverse("exchange:index"), {"status": "invalid"})
    assert page.status_code == 200
    listed = {job.pk for job in page.context["jobs"]}
    assert listed == {bad} and good not in listed
    assert page.context["filters"]["status"].value() == "invalid"
    everything = client.get(reverse("exchange:index"), {"status": "nonsense"})
    assert {job.pk for job in everything.context["jobs"]} == {good, bad}  # filters nothing
