"""The pages: a founder's journey by form posts, the office's queue and decision, the guarded
file download, the certificate PDF read back (every diacritic), the verification page for a
genuine, a superseded and a forged certificate, the public lookup; and the API."""

import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from htxso.core.api import api as ninja_api
from htxso.core.tokens import issue_token
from htxso.registration import certificate as certificates
from htxso.registration import decisions, services
from htxso.registration.models import Application, Certificate, Status
from htxso.registration.schemas import LookupOut

from .conftest import PDF, commune_19, complete, member_facts


def _approved(founder, office):
    application = complete(founder)
    services.submit(founder, application.pk, application.version)
    application.refresh_from_db()
    decisions.take(office, application.pk, application.version)
    application.refresh_from_db()
    return decisions.approve(office, application.pk, application.version)


def test_a_founder_applies_through_the_pages(client, founder, office_19):
    client.force_login(founder)
    response = client.post(
        reverse("registration:mine"),
        {"kind": "cooperative", "province": "19", "name": "HTX Trà Xanh"},
    )
    application = Application.objects.get()
    assert response.status_code == 302 and application.status == Status.DRAFT
    url = reverse("registration:application", args=[application.pk])
    page = client.get(url).content.decode()
    assert "Còn thiếu trước khi nộp" in page and "Điều lệ" in page
    response = client.post(
        reverse("registration:save", args=[application.pk]),
        {"version": 1, "name": "HTX Trà Xanh Tân Cương", "sector": "A", "commune": commune_19().pk},
    )
    assert response.status_code == 302
    for i in range(5):
        application.refresh_from_db()
        facts = member_facts(i)
        response = client.post(
            reverse("registration:member-add", args=[application.pk]),
            {
                "version": application.version,
                "cccd": facts["cccd"],
                "full_name": facts["full_name"],
                "birth_date": facts["birth_date"].strftime("%d/%m/%Y"),
                "kind": "official",
            },
        )
        assert response.status_code == 302, response.content.decode()[:500]
    for code in (
        "application_form",
        "charter",
        "founding_resolution",
        "member_list",
        "representatives",
    ):
        application.refresh_from_db()
        response = client.post(
            reverse("registration:upload", args=[application.pk]),
            {
                "version": application.version,
                "document": code,
                "file": SimpleUploadedFile(f"{code}.pdf", PDF),
            },
        )
        assert response.status_code == 302
    application.refresh_from_db()
    response = client.post(
        reverse("registration:submit", args=[application.pk]), {"version": application.version}
    )
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED and application.due_on
    client.force_login(office_19)
    queue = client.get(reverse("registration:queue")).content.decode()
    assert application.number in queue and "ngày làm việc" in queue


def test_a_bad_file_is_a_422_with_a_vietnamese_reason(client, founder):
    client.force_login(founder)
    application = services.start(founder, "cooperative", "19", name="HTX Tệp xấu")
    response = client.post(
        reverse("registration:upload", args=[application.pk]),
        {"version": 1, "document": "charter", "file": SimpleUploadedFile("charter.pdf", b"MZ\x90")},
    )
    assert response.status_code == 422
    assert "Chỉ nhận tệp PDF, JPEG hoặc PNG" in response.content.decode()


def test_dossier_files_are_attachments_for_whom_sees_the_application(
    client, founder, founder_2, office_19, office_01
):
    application = complete(founder)
    stored = application.files.first()
    url = reverse("registration:file", args=[application.pk, stored.pk])
    for user, expected in ((founder, 200), (office_19, 200), (founder_2, 404), (office_01, 404)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == expected
        if expected == 200:
            assert response["Content-Disposition"].startswith("attachment")
            assert response["Content-Type"] == "application/octet-stream"
    client.logout()
    assert client.get(url).status_code == 302


def test_the_certificate_pdf_says_it_in_vietnamese(client, founder, office_19):
    application = _approved(founder, office_19)
    cert = Certificate.objects.get(application=application)
    client.force_login(founder)
    response = client.get(reverse("registration:certificate", args=[cert.serial]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỢP TÁC XÃ",
        f"Mã số: {cert.code}",
        "Hợp tác xã Chè Tân Cương",
        "Xóm Đồng Kiệm, Xã Tân Cương, Thái Nguyên",
        "500.000.000 đồng",
        "Nguyễn Thị Ánh A",
        "Quét mã QR để kiểm tra",
    ):
        assert expected in text, expected


def test_verification_tells_genuine_superseded_and_forged(client, founder, office_19):
    application = _approved(founder, office_19)
    first = Certificate.objects.get(application=application)
    token = certificates.token(first)
    page = client.get(reverse("registration:verify", args=[token]))
    assert page.status_code == 200 and 'data-verdict="current"' in page.content.decode()
    second = decisions.issue_certificate(application, application.organisation, first.code)
    page = client.get(reverse("registration:verify", args=[token])).content.decode()
    assert 'data-verdict="superseded"' in page and second.serial in page
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    page = client.get(reverse("registration:verify", args=[forged]))
    assert page.status_code == 404 and 'data-verdict="forged"' in page.content.decode()
    bare = client.get(reverse("registration:verify", args=[first.serial]))
    assert 'data-verdict="forged"' in bare.content.decode()  # an id alone proves nothing


def test_public_lookup_by_code_and_unaccented_name(client, founder, office_19):
    application = _approved(founder, office_19)
    code = Certificate.objects.get(application=application).code
    for q in (code, "che tan cuong", "Chè Tân"):
        page = client.get(reverse("registration:lookup"), {"q": q}).content.decode()
        assert "Hợp tác xã Chè Tân Cương" in page, q
    api = client.get("/api/v1/registrations", {"q": "che tan cuong"}).json()
    assert api[0]["code"] == code and api[0]["certificate"]
    # Plain rows (#24 item 4): the answer is the one built from the instances before.
    o, cert = application.organisation, Certificate.objects.get(application=application)
    old = {
        "organisation_id": o.pk, "name": o.name, "kind": o.kind, "code": o.tax_code or cert.code,
        "province_id": o.province_id, "status": o.status, "certificate": cert.serial,
        "certificate_issued_at": cert.issued_at,
    }  # fmt: skip
    dumped = LookupOut.model_validate(old).model_dump()
    assert api == [json.loads(ninja_api.renderer.render(None, dumped, response_status=200))]


def test_the_queue_is_the_offices(client, founder):
    client.force_login(founder)
    assert client.get(reverse("registration:queue")).status_code == 403


def test_the_api_creates_submits_and_reads(client, founder):
    headers = {"Authorization": f"Bearer {issue_token(founder, founder, 'cổng khác')}"}
    body = {
        "kind": "cooperative_group",
        "province_id": "19",
        "commune_id": commune_19().pk,
        "name": "Tổ hợp tác Rau sạch",
        "sector": "A",
        "members": [
            {**member_facts(i), "birth_date": member_facts(i)["birth_date"].isoformat()}
            for i in range(2)
        ],
    }
    created = client.post(
        "/api/v1/applications", body, content_type="application/json", headers=headers
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert any("Hợp đồng hợp tác" in m for m in data["missing"])
    refused = client.post(
        f"/api/v1/applications/{data['id']}/submit",
        {"version": data["version"]},
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 422
    read = client.get(f"/api/v1/applications/{data['id']}", headers=headers).json()
    assert read["status"] == "draft" and read["events"][0]["action"] == "start"


def test_the_homes_show_the_office_queue_and_the_founder_applications(client, founder, office_19):
    application = complete(founder)
    services.submit(founder, application.pk, application.version)
    client.force_login(office_19)
    home = client.get("/").content.decode()
    assert 'id="panel-registration"' in home and reverse("registration:queue") in home
    assert "1 hồ sơ chờ giải quyết, trong đó 1 hồ sơ chưa nhận xử lý." in home
    client.force_login(founder)
    home = client.get("/").content.decode()
    assert 'id="panel-founder"' in home and "Hợp tác xã Chè Tân Cương" in home
