"""A template downloaded with the interface in English imports: its headers are matched in every
language of the interface, while the job itself runs (and reports) in Vietnamese."""

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from htxso.exchange import importers
from htxso.exchange.layouts import LAYOUTS, MEMBER_LAYOUT, ORGANISATION_LAYOUT
from htxso.exchange.models import ImportIssue, ImportJob, JobStatus, Severity
from htxso.registry.choices import MemberKind, OrganisationKind, Sector
from htxso.registry.models import Membership, Organisation
from htxso.registry.tests.factories import OrganisationFactory, valid_cccd
from htxso.tabular.workbooks import header_text, template_workbook

from .test_importers import errors, make_job

pytestmark = pytest.mark.usefixtures("media")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _vietnamese():
    """LocaleMiddleware activates the request's language in this thread; don't leak it."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=list(LAYOUTS))
@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_template_headers_of_every_language_map_back(layout, language):
    with translation.override(language):
        headers = [header_text(c) for c in layout.columns]
    mapping, unknown = layout.match_headers(headers)  # in Vietnamese, as a job runs
    assert unknown == []
    assert [c.key for c in mapping.values()] == [c.key for c in layout.columns]


def test_english_headers_are_english():
    """The check above means something only if the English headers differ."""
    with translation.override("en"):
        headers = [str(c.header) for c in ORGANISATION_LAYOUT.columns]
    assert "Tax code" in headers and "Commune/ward" in headers
    assert "Organisation ID on HTX Số" in headers


def _filled(data: bytes, layout, values: dict, extra: dict | None = None) -> bytes:
    """The template with its example row replaced by `values` (by column key), and `extra`
    columns (header → value) after the layout's."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    for index, column in enumerate(layout.columns, start=1):
        sheet.cell(row=2, column=index, value=values.get(column.key))
    for offset, (header, value) in enumerate((extra or {}).items(), start=sheet.max_column + 1):
        sheet.cell(row=1, column=offset, value=header)
        sheet.cell(row=2, column=offset, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _english_group() -> dict[str, object]:
    with translation.override("en"):
        return {
            "kind": str(OrganisationKind.COOPERATIVE_GROUP.label),
            "name": "Tổ hợp tác Chè Tân Cương",
            "sector": f"A - {Sector.A.label}",
            "province": "Thái Nguyên",
            "commune": "Xã Tân Cương",
            "established_on": "15/03/2020",
            "is_high_tech": translation.gettext("Không"),
            "in_value_chain": translation.gettext("Có"),
        }


def test_an_english_organisation_template_imports(officer_19):
    with translation.override("en"):
        data = template_workbook(ORGANISATION_LAYOUT)
    headers = [c.value for c in load_workbook(io.BytesIO(data)).worksheets[0][1]]
    assert "Tax code" in headers and "Organisation name *" in headers
    job = make_job(
        "organisations",
        _filled(data, ORGANISATION_LAYOUT, _english_group()),
        officer_19,
        name="organisations.xlsx",
    )
    report = importers.run(job, commit=True)
    assert errors(report) == []
    assert report.findings == []  # every English header recognised
    created = Organisation.objects.get()
    assert (created.kind, created.name, created.is_agricultural) == (
        OrganisationKind.COOPERATIVE_GROUP,
        "Tổ hợp tác Chè Tân Cương",
        True,
    )
    assert (created.in_value_chain, created.is_high_tech) == (True, False)


def test_an_english_member_template_imports(officer_19):
    organisation = OrganisationFactory(province_id="19")
    with translation.override("en"):
        data = template_workbook(MEMBER_LAYOUT)
        row = {
            "organisation_tax_code": organisation.tax_code,
            "cccd": valid_cccd("male", 1980),
            "full_name": "Lê Văn Tâm",
            "gender": "Male",
            "birth_date": "15/05/1980",
            "member_kind": str(MemberKind.OFFICIAL.label),
            "joined_on": "01/06/2020",
        }
    job = make_job("members", _filled(data, MEMBER_LAYOUT, row), officer_19, name="members.xlsx")
    report = importers.run(job, commit=True)
    assert report.findings == []
    assert Membership.objects.get().kind == MemberKind.OFFICIAL


def test_an_english_template_through_the_pages_runs_in_vietnamese(client, officer_19):
    """Download and upload with the interface in English; the job reads the English headers
    and reports in Vietnamese, as a worker would."""
    client.force_login(officer_19)
    download = client.get(reverse("exchange:template", args=["organisations"]), **EN)
    assert download.status_code == 200
    data = _filled(
        download.content, ORGANISATION_LAYOUT, _english_group(), extra={"Notes": "new group"}
    )
    upload = SimpleUploadedFile("organisations.xlsx", data, XLSX)
    response = client.post(
        reverse("exchange:index"),
        {"kind": "organisations", "strategy": "upsert", "file": upload},
        **EN,
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == JobStatus.VALID, list(job.issues.values_list("message", flat=True))
    assert job.summary["organisations"]["created"] == 1
    issue = ImportIssue.objects.get(job=job)
    assert (issue.column, issue.severity) == ("Notes", Severity.WARNING)
    assert issue.message == "Cột không được nhận dạng, bỏ qua."
    client.post(reverse("exchange:job-commit", args=[job.pk]), **EN)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert Organisation.objects.get().name == "Tổ hợp tác Chè Tân Cương"
