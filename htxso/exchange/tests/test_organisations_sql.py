"""The organisation import's SQL lane (#17, `organisations_sql`): the rows it takes or leaves
give the row lane's findings on files made to trip it (codes and names repeated in other
spellings, names outside the quick alphabet, old addresses between errors, blank lines), and it
really takes the clean rows."""

import pytest
from django.db import connection

from htxso.exchange import organisations_sql
from htxso.exchange.layouts import ORGANISATION_LAYOUT
from htxso.exchange.tests.test_importers import csv_bytes, make_job, organisation, table
from htxso.exchange.tests.test_organisations_setwise import both, existing  # noqa: F401
from htxso.registry.tests.factories import valid_tax_code

pytestmark = [
    pytest.mark.usefixtures("media"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL lane is PostgreSQL's"),
]


def tricky_rows() -> list[dict]:
    code = valid_tax_code("19")
    return [
        organisation(),
        organisation(tax_code=f" {code} "),  # the same code as two rows below, spaced
        organisation(name="Hợp tác xã  Rau   Sạch"),
        organisation(tax_code=code),
        organisation(kind="Tổ hợp tác", tax_code="", name="Tổ Hợp Tác Lúa"),
        organisation(kind="Tổ hợp tác", tax_code="", name="tổ hợp tác  lúa"),  # same name
        organisation(kind="Tổ hợp tác", tax_code="", name="Tổ hợp tác Straße"),  # outside
        organisation(kind="Tổ hợp tác", tax_code="", name="TỔ HỢP TÁC STRASSE"),
        organisation(
            province="Thái Nguyên", legacy_district="Thành phố Thái Nguyên", commune="Xã Tân Cương"
        ),
        organisation(established_on="31/02/2020"),
        organisation(
            province="Thái Nguyên", legacy_district="Thành phố Thái Nguyên", commune="Xã Tân Cương"
        ),
        {},  # a blank line
        organisation(tax_code=valid_tax_code("19") + "-001"),
        organisation(tax_code="0100000000"),
        organisation(status="Đang hoạt động", status_since="01/01/2013"),
        organisation(kind="Tổ hợp tác", tax_code="", name="Tổ hợp tác Chè Đang Làm"),  # on HTX Số
        organisation(name="Hợp tác xã \u0043he\u0300"),  # decomposed accents: not NFC
        organisation(phone="0" * 25),  # longer than the field
        organisation(),
    ]


def taken(monkeypatch) -> list[int]:
    """The rows the SQL lane takes, run by run."""
    clean: list[int] = []
    real = organisations_sql.Lane.counts

    def spy(lane):
        counts = real(lane)
        clean.append(counts[0])
        return counts

    monkeypatch.setattr(organisations_sql.Lane, "counts", spy)
    return clean


def test_tricky_files_are_reported_the_same(existing, officer_19, monkeypatch):  # noqa: F811
    clean = taken(monkeypatch)
    findings, summary, _state = both(tricky_rows(), officer_19, monkeypatch)
    assert clean == [6], "the SQL lane takes the rows nothing is shared with"
    assert summary[2] >= 5, findings


def test_a_dry_run_of_tricky_files_is_the_same(existing, monkeypatch):  # noqa: F811
    both(tricky_rows(), None, monkeypatch, commit=False)


def test_only_old_addresses_after_the_last_other_row(officer_19, monkeypatch, db):
    old = {"province": "Thái Nguyên", "legacy_district": "Thành phố Thái Nguyên"}
    rows = [organisation(name=""), organisation(**old, commune="Xã Tân Cương")]
    clean = taken(monkeypatch)
    findings, _summary, _state = both(rows, officer_19, monkeypatch, commit=False)
    assert [f[4] for f in findings] == ["error", "conversion"] and clean == [1]
    findings, _summary, state = both(rows[1:], officer_19, monkeypatch)
    assert [f[4] for f in findings] == ["conversion"] and len(state["imported"]) == 1


def test_a_file_copy_cannot_read_goes_to_the_batched_lane(officer_19, monkeypatch, db):
    cells = table(ORGANISATION_LAYOUT, [organisation(), organisation()])
    cells[2].append("một ô thừa")  # a ragged row
    job = make_job("organisations", csv_bytes(cells), officer_19)
    ran = []
    real = organisations_sql.Lane.run

    def spy(lane, *args):
        ran.append(real(lane, *args))
        return ran[-1]

    monkeypatch.setattr(organisations_sql.Lane, "run", spy)
    from htxso.exchange import importers

    report = importers.run(job, commit=True)
    assert ran == [False]
    assert report.summary["organisations"]["created"] == 2


def test_an_organisation_the_lane_created_shows_its_import_in_its_history(
    officer_19, client, monkeypatch, db
):
    from django.urls import reverse

    from htxso.exchange import importers
    from htxso.registry.models import Organisation

    clean = taken(monkeypatch)
    name = "Hợp tác xã Lịch Sử Nhập"
    job = make_job(
        "organisations",
        csv_bytes(table(ORGANISATION_LAYOUT, [organisation(name=name), organisation()])),
        officer_19,
    )
    importers.run(job, commit=True)
    assert clean == [2]
    created = Organisation.objects.get(name=name)
    client.force_login(officer_19)
    page = client.get(reverse("registry:history", args=[created.pk])).content.decode()
    assert "Tạo mới khi nhập từ tệp" in page and job.filename in page
    assert "Chưa có thay đổi nào" not in page


def test_name_columns_blank_throughout_or_in_part(officer_19, monkeypatch, db):
    """A name column of '' only is not joined to the names (`Lane._free`); one with a cell of
    spaces, or with other names, still is: the same findings and rows as the batched lane,
    the short and English names in the search key."""
    clean = taken(monkeypatch)
    blank = [organisation(short_name=""), organisation(short_name="")]
    both(blank, officer_19, monkeypatch)
    assert clean == [2]
    some = [
        organisation(short_name="", name_en="Tan Cuong Tea Cooperative"),
        organisation(short_name="", name_en="  "),  # spaces only: the batched lane's
        organisation(short_name="HTX Chè Tân", name_en=""),
    ]
    clean.clear()
    _findings, summary, state = both(some, officer_19, monkeypatch)
    assert clean == [2] and summary[2] == 0
    keys = {v for row in state["organisations"] for v in row if isinstance(v, str)}
    assert any(k.endswith("tan cuong tea cooperative") for k in keys), keys
    assert any(k.endswith("htx che tan") for k in keys), keys
