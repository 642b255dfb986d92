"""Evidence attached to the criteria of a self-scoring: checked by its bytes, the manager's
while they may edit, read and downloaded by the province in review, audited, never half
written."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from htxso.assessment import evidence, services
from htxso.assessment.models import Evidence
from htxso.core.models import AuditEntry
from htxso.core.versions import StaleEdit

from .conftest import ROUND_DAY, full_scores

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def stored_files(tmp_path) -> list:
    return [p for p in (tmp_path / "media").rglob("*") if p.is_file()]


@pytest.fixture
def draft(manager, htx):
    return services.start(manager, htx.pk, 2025, today=ROUND_DAY)


def test_the_manager_attaches_evidence_to_a_criterion(manager, draft, tmp_path):
    row = evidence.attach(manager, draft.pk, draft.version, "c01", PDF_file(), "bao-cao.pdf")
    assert (row.criterion, row.content_kind, row.size, row.filename) == (
        "c01",
        "pdf",
        len(PDF),
        "bao-cao.pdf",
    )
    draft.refresh_from_db()
    assert draft.version == 2  # a stale page cannot overwrite it
    assert AuditEntry.objects.filter(action="attach", object_id=str(row.pk)).exists()
    assert len(stored_files(tmp_path)) == 1


def PDF_file(data: bytes = PDF, name: str = "x.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"MZ\x90\x00 not a document", "anh.png"),  # an executable named .png
        (PNG, "bien-ban.pdf"),  # a PNG named .pdf
        (b"", "trong.pdf"),
        (b"%PDF-1.4" + b"0" * 2048, "lon.pdf"),  # over the limit below
    ],
)
def test_a_refused_file_leaves_nothing(manager, draft, tmp_path, settings, data, name):
    settings.ASSESSMENT_MAX_FILE_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        evidence.attach(manager, draft.pk, draft.version, "c02", PDF_file(data, name), name)
    assert any(
        word in " ".join(refused.value.messages) for word in ("PDF, JPEG", "trống", "quá lớn")
    )
    draft.refresh_from_db()
    assert draft.version == 1
    assert not Evidence.objects.exists() and not stored_files(tmp_path)
    assert not AuditEntry.objects.filter(action="attach").exists()


def test_a_criterion_outside_the_rule_set_and_too_many_files(manager, draft, settings):
    with pytest.raises(ValidationError) as refused:
        evidence.attach(manager, draft.pk, draft.version, "c99", PDF_file(), "x.pdf")
    assert "criterion" in refused.value.message_dict
    settings.ASSESSMENT_FILES_PER_CRITERION = 2
    version = draft.version
    for _ in range(2):
        row = evidence.attach(manager, draft.pk, version, "c03", PDF_file(), "x.pdf")
        version = row.classification.version
    with pytest.raises(ValidationError, match="tối đa 2 tệp"):
        evidence.attach(manager, draft.pk, version, "c03", PDF_file(), "x.pdf")
    assert Evidence.objects.count() == 2


def test_a_stale_page_and_other_roles_cannot_attach(manager, draft, officer_19, adviser, htx):
    with pytest.raises(StaleEdit):
        evidence.attach(manager, draft.pk, draft.version + 5, "c01", PDF_file(), "x.pdf")
    with pytest.raises(PermissionDenied):
        evidence.attach(officer_19, draft.pk, draft.version, "c01", PDF_file(), "x.pdf")
    assert not Evidence.objects.exists()


def test_no_evidence_changes_once_submitted(manager, htx):
    c = services.start(manager, htx.pk, 2025, today=ROUND_DAY)
    row = evidence.attach(manager, c.pk, c.version, "c01", PDF_file(), "x.pdf")
    c = services.save_scores(manager, c.pk, row.classification.version, full_scores(c, 70))
    c = services.submit(manager, c.pk, c.version, today=ROUND_DAY)
    with pytest.raises(PermissionDenied):
        evidence.attach(manager, c.pk, c.version, "c01", PDF_file(), "y.pdf")
    with pytest.raises(PermissionDenied):
        evidence.remove(manager, c.pk, c.version, row.pk)
    assert Evidence.objects.count() == 1


def test_removing_deletes_the_file_after_commit(
    manager, draft, tmp_path, django_capture_on_commit_callbacks
):
    row = evidence.attach(manager, draft.pk, draft.version, "c01", PDF_file(), "x.pdf")
    name = row.file.name
    with django_capture_on_commit_callbacks(execute=True):
        evidence.remove(manager, draft.pk, row.classification.version, row.pk)
    assert not Evidence.objects.exists()
    assert not default_storage.exists(name)
    assert AuditEntry.objects.filter(action="detach", object_id=str(row.pk)).exists()


def test_the_province_reads_and_downloads_the_evidence_in_review(
    client, manager, officer_19, officer_01, adviser, central, htx
):
    c = services.start(manager, htx.pk, 2025, today=ROUND_DAY)
    row = evidence.attach(manager, c.pk, c.version, "c05", PDF_file(), "so-sach.pdf")
    c = services.save_scores(manager, c.pk, row.classification.version, full_scores(c, 70))
    services.submit(manager, c.pk, c.version, today=ROUND_DAY)
    url = reverse("assessment:evidence", args=[c.pk, row.pk])
    client.force_login(officer_19)
    page = client.get(reverse("assessment:classification", args=[c.pk]))
    assert "so-sach.pdf" in page.content.decode() and url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/octet-stream"
    for outsider in (officer_01, adviser):  # the adviser is not assigned to this HTX
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(central)
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_the_page_upload_says_why_a_file_is_refused(client, manager, draft, tmp_path):
    client.force_login(manager)
    url = reverse("assessment:evidence-add", args=[draft.pk])
    bad = SimpleUploadedFile("hoa-don.pdf", b"<html>not a pdf</html>")
    response = client.post(url, {"version": draft.version, "criterion": "c01", "file": bad})
    assert response.status_code == 422
    assert "Chỉ nhận tệp PDF, JPEG hoặc PNG" in response.content.decode()
    missing = client.post(url, {"version": draft.version, "criterion": "c01"})
    assert missing.status_code == 422
    assert "Hãy chọn tệp minh chứng" in missing.content.decode()
    good = SimpleUploadedFile("anh.png", PNG)
    response = client.post(url, {"version": draft.version, "criterion": "c01", "file": good})
    assert response.status_code == 302
    assert Evidence.objects.get().content_kind == "png"
    assert len(stored_files(tmp_path)) == 1


def test_the_api_lists_the_evidence_of_a_classification(client, manager, officer_19, draft):
    from htxso.core.tokens import issue_token

    row = evidence.attach(manager, draft.pk, draft.version, "c04", PDF_file(), "luong.pdf")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(None, officer_19, 't')}"}
    body = client.get(f"/api/v1/classifications/{draft.pk}", **auth).json()
    assert [(e["id"], e["criterion"], e["filename"], e["size"]) for e in body["evidence"]] == [
        (row.pk, "c04", "luong.pdf", len(PDF))
    ]
