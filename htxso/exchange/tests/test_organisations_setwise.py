"""The organisation import's lanes give the same answer (#17): for a messy file the set-wise
lanes (PostgreSQL: `organisations_sql` takes the rows SQL can vouch for, `organisations_bulk`
the others, in batches) report every finding, in order, as the row-by-row lane does through
the page services, and write the same organisations, status history, audit and aggregates —
the SQL lane's new organisations audited by one entry on the import naming their ids instead
of one each. Batches of three rows, so that every rule meets a batch boundary."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction

from htxso.core.audit import AuditEntry
from htxso.exchange import importers, organisations_bulk, organisations_sql
from htxso.exchange.layouts import ORGANISATION_LAYOUT
from htxso.exchange.tests.test_importers import csv_bytes, make_job, organisation, table
from htxso.registry import services
from htxso.registry.choices import Sector, Status
from htxso.registry.models import Organisation, RegistryAggregate, StatusChange
from htxso.registry.tests.factories import (
    CooperativeGroupFactory,
    OrganisationFactory,
    valid_tax_code,
)

pytestmark = [
    pytest.mark.usefixtures("media"),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the batched lane runs on PostgreSQL"
    ),
]

NOT_COMPARED = {"id", "created_at", "updated_at"}


def _plain(data: dict | None, names: dict[int, str]) -> dict | None:
    if data is None:
        return None
    return {k: (names.get(v, v) if k == "id" else v) for k, v in data.items()}


def registry_state() -> dict[str, Any]:
    """What the registry holds, with ids given as names (sequences do not roll back)."""
    names = dict(Organisation.objects.values_list("pk", "name"))
    fields = [f.attname for f in Organisation._meta.concrete_fields]
    fields = [f for f in fields if f not in NOT_COMPARED]
    organisations = sorted(Organisation.objects.values_list(*fields), key=repr)
    history = sorted(
        (names[o], s, d, r, n, u)
        for o, s, d, r, n, u in StatusChange.objects.values_list(
            "organisation_id", "status", "effective_on", "reason", "document_no", "recorded_by_id"
        )
    )
    imported: set[str] = set()  # created by the SQL lane: one entry on the import names them
    for entry in AuditEntry.objects.filter(action="import_create"):
        for low, high in entry.after["ids"]:
            imported |= {names[pk] for pk in range(low, high + 1)}
        assert entry.after["organisations"] == sum(h - lo + 1 for lo, h in entry.after["ids"])
    audit = sorted(
        (
            (
                e.action,
                e.object_type,
                names.get(int(e.object_id), e.object_id) if e.object_id.isdigit() else "",
                e.object_repr,
                e.actor_id,
                repr(_plain(e.before, names)),
                repr(_plain(e.after, names)),
            )
            for e in AuditEntry.objects.filter(object_type="registry.organisation")
        ),
        key=repr,
    )
    aggregates = sorted(
        RegistryAggregate.objects.values_list(
            "province_id", "kind", "status", "is_agricultural", "organisations", "members"
        )
    )
    return {
        "organisations": organisations,
        "history": history,
        "audit": audit,
        "imported": imported,
        "aggregates": aggregates,
    }


def same_audit(slow: dict, fast: dict) -> None:
    """The row lane's entries, but for the organisations the SQL lane created: one entry on
    the import names those instead of their "create" and "change_status" entries."""
    assert not slow["imported"]
    expected = [
        e
        for e in slow["audit"]
        if not (e[0] in ("create", "change_status") and e[2] in fast["imported"])
    ]
    assert fast["audit"] == expected
    for key in ("organisations", "history", "aggregates"):
        assert fast[key] == slow[key], key


def outcome(rows: list[dict], actor, set_wise: bool, monkeypatch, commit=True, strategy="upsert"):
    monkeypatch.setattr(organisations_bulk, "SETWISE", set_wise)
    job = make_job("organisations", csv_bytes(table(ORGANISATION_LAYOUT, rows)), actor, strategy)
    with transaction.atomic():
        report = importers.run(job, commit=commit)
        state = registry_state()
        transaction.set_rollback(True)
    findings = [(f.row, f.column, f.value, f.message, str(f.severity)) for f in report.findings]
    summary = (report.rows, report.total, report.error_rows, report.summary)
    return findings, summary, state


def both(rows: list[dict], actor, monkeypatch, sql=True, **kwargs):
    monkeypatch.setattr(organisations_bulk, "BATCH", 3)
    monkeypatch.setattr(organisations_sql, "SQL", sql)
    slow = outcome(rows, actor, False, monkeypatch, **kwargs)
    fast = outcome(rows, actor, True, monkeypatch, **kwargs)
    assert fast[0] == slow[0]  # findings, in order
    assert fast[1] == slow[1]  # rows, totals, error rows, summary
    if kwargs.get("commit", True):  # a dry run's writes are rolled back (the row lane's)
        same_audit(slow[2], fast[2])  # organisations, history, audit entries, aggregates
    return fast


def good_rows() -> list[dict]:
    """New organisations of every shape the lane writes itself."""
    return [
        organisation(),
        organisation(status="Tạm ngừng kinh doanh", status_since="01/01/2023"),
        organisation(status="Đang hoạt động", status_since="01/01/2023"),
        organisation(status="Ngừng hoạt động", status_since="15/03/2012"),  # the founding day
        organisation(kind="Tổ hợp tác", tax_code="", name="Tổ hợp tác Rau Sạch"),
        organisation(kind="Liên hiệp hợp tác xã", members_declared="4"),
        organisation(sector=f"G - {Sector.G.label}", agricultural_type=""),
        organisation(farming="Phi nông nghiệp"),
        organisation(province="Thái Nguyên", commune="Xã Tân Cương", members_declared="12"),
        organisation(
            province="Thái Nguyên", legacy_district="Thành phố Thái Nguyên", commune="Xã Tân Cương"
        ),
        organisation(email="htx@example.vn", website="https://htx.example.vn"),
    ]


@pytest.fixture
def existing(db):
    """The registry before the file: an HTX to update, one the file leaves as it is, groups of
    the names a file row repeats (one active, one dissolved)."""
    updated = OrganisationFactory(name="HTX Cũ Cần Sửa", province_id="19")
    kept = OrganisationFactory(name="HTX Giữ Nguyên", province_id="19")
    CooperativeGroupFactory(name="Tổ hợp tác Chè Đang Làm", province_id="19")
    closed = CooperativeGroupFactory(name="Tổ hợp tác Chè Cũ", province_id="19")
    services.change_status(None, closed.pk, Status.DISSOLVED, dt.date(2024, 6, 30))
    return updated, kept


def messy_rows(updated: Organisation, kept: Organisation) -> list[dict]:
    repeated = valid_tax_code("19")
    future = f"01/01/{dt.date.today().year + 1}"
    return [
        *good_rows(),
        organisation(tax_code=updated.tax_code, name="HTX Cũ Đã Sửa"),  # an update
        organisation(tax_code=kept.tax_code, name=kept.name, established_on="01/03/2015"),
        organisation(tax_code=repeated),
        organisation(tax_code=repeated),  # the same code twice in the file
        organisation(tax_code="0101234567"),  # a wrong check digit
        organisation(tax_code=""),  # an HTX without a tax code
        organisation(organisation_id="999999999"),  # no such organisation
        organisation(organisation_id=str(kept.pk), tax_code=updated.tax_code),  # disagree
        organisation(kind="Tổ hợp tác", tax_code="", name="Tổ hợp tác Rau Sạch"),  # again
        organisation(kind="Tổ hợp tác", tax_code="", name="Tổ hợp tác Chè Đang Làm"),
        organisation(kind="Tổ hợp tác", tax_code="", name="Tổ hợp tác Chè Cũ"),  # a warning
        organisation(members_declared="3"),  # an HTX below the minimum
        organisation(members_declared="nhiều"),
        organisation(established_on=future),
        organisation(status="Tạm ngừng kinh doanh"),  # no date for it
        organisation(status_since="01/01/2020"),  # a date without a status
        organisation(status="Đã giải thể", status_since="01/01/2010"),  # before the founding
        organisation(status="Đã giải thể", status_since=future),
        organisation(email="khong-phai-email"),
        organisation(kind="Công ty cổ phần"),
        organisation(province="Hà Nội", commune=""),  # not the officer's province
        organisation(commune="Xã Không Có Thật"),
        organisation(name=""),
        organisation(charter_capital="-5"),
        organisation(),
    ]


def test_a_messy_file_is_reported_and_written_the_same(existing, officer_19, monkeypatch):
    findings, summary, _state = both(messy_rows(*existing), officer_19, monkeypatch)
    assert len({f[0] for f in findings if f[4] == "error"}) >= 15
    assert summary[3]["organisations"]["updated"] == 2  # both registered HTX: the file differs


def test_a_clean_file_lands_the_same(existing, officer_19, monkeypatch):
    rows = [*good_rows(), organisation(tax_code=existing[0].tax_code, name="HTX Cũ Đã Sửa")]
    findings, summary, state = both(rows, officer_19, monkeypatch)
    counts = summary[3]["organisations"]
    assert not [f for f in findings if f[4] == "error"], findings
    assert counts == {"created": 11, "updated": 1, "unchanged": 0, "status_changes": 2}
    assert not [f for f in findings if f[4] == "error"]
    actions = [a[0] for a in state["audit"]]
    # One row goes by the batched lane (SQL leaves e-mail and web addresses to Python)...
    assert actions.count("create") == 4 + 1 and actions.count("change_status") == 1
    assert len(state["imported"]) == 10  # ...the others by SQL, one entry on the import
    _f, _s, batched = both(rows, officer_19, monkeypatch, sql=False)
    actions = [a[0] for a in batched["audit"]]
    assert actions.count("create") == 4 + 11 and actions.count("change_status") == 1 + 2


def test_a_dry_run_and_the_system_as_actor_are_the_same(existing, monkeypatch):
    both(messy_rows(*existing), None, monkeypatch, commit=False)
    _findings, summary, state = both(good_rows(), None, monkeypatch, commit=False)
    assert summary[3]["organisations"]["created"] == 11
    assert len(state["organisations"]) == 4  # checked, not even written to be rolled back
    both(good_rows(), None, monkeypatch)


def test_strategies_are_the_same(existing, officer_19, monkeypatch):
    rows = messy_rows(*existing)
    both(rows, officer_19, monkeypatch, strategy="create")
    both(rows, officer_19, monkeypatch, strategy="update")


def test_the_batched_lane_alone_is_the_same(existing, officer_19, monkeypatch):
    both(messy_rows(*existing), officer_19, monkeypatch, sql=False)


def test_the_batched_lane_runs_on_postgresql(existing, officer_19, monkeypatch):
    """Not the row lane under another name: new organisations are not written one by one."""
    calls = {"create_organisation": 0, "create_organisations": 0}
    one, many = services.create_organisation, services.create_organisations

    def spy_one(*args, **kwargs):
        calls["create_organisation"] += 1
        return one(*args, **kwargs)

    def spy_many(*args, **kwargs):
        calls["create_organisations"] += 1
        return many(*args, **kwargs)

    monkeypatch.setattr(services, "create_organisation", spy_one)
    monkeypatch.setattr(services, "create_organisations", spy_many)
    monkeypatch.setattr(organisations_sql, "SQL", False)
    _findings, summary, state = outcome(good_rows(), officer_19, True, monkeypatch)
    assert calls["create_organisation"] == 0 and calls["create_organisations"] >= 1
    assert summary[3]["organisations"]["created"] == len(state["organisations"]) - 4 == 11


def _indexes() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1",
            [Organisation._meta.db_table],
        )
        return cursor.fetchall()


@pytest.mark.parametrize("rebuild_from", [1, 10**9])
def test_a_large_commit_lands_the_same_through_the_stage(
    existing, officer_19, monkeypatch, settings, rebuild_from
):
    """A commit's new organisations wait in the stage and move in at the end — with the
    table's indexes rebuilt when the import at least doubles it — and the registry ends as
    the row lane leaves it, indexes and foreign keys included."""
    settings.IMPORT_REBUILD_ORGANISATIONS = rebuild_from
    before = _indexes()
    moved = []
    real = services.OrganisationStage.flush

    def spy(stage):
        moved.append((stage.rows, stage.rebuild()))
        return real(stage)

    monkeypatch.setattr(services.OrganisationStage, "flush", spy)
    rows = [*good_rows(), organisation(tax_code=existing[0].tax_code, name="HTX Cũ Đã Sửa")]
    _findings, _summary, state = both(rows, officer_19, monkeypatch)
    assert moved == [(11, rebuild_from == 1)]
    assert len(state["organisations"]) == 4 + 11 and len(state["history"]) == 4 + 1 + 11 + 2
    assert _indexes() == before


def test_a_refused_commit_stages_nothing_it_keeps(existing, officer_19, monkeypatch, settings):
    settings.IMPORT_REBUILD_ORGANISATIONS = 1
    rows = [*good_rows(), organisation(name="")]
    _findings, summary, state = outcome(rows, officer_19, True, monkeypatch)
    assert summary[2] == 1 and len(state["organisations"]) == 4
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'stage_registry_%%'")
        assert cursor.fetchone()[0] == 0
