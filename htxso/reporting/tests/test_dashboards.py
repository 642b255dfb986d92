"""Dashboards, downloads and report pages, through HTTP: who sees live or released figures, an
approval reaching the dashboard at once, chart tables, the SDMX endpoints read back by sdmx1
and validated against the official XSDs, completeness, and the report form's errors."""

import importlib.util
import io
from pathlib import Path

import pytest
import sdmx as sdmx1
from django.urls import reverse
from lxml import etree
from openpyxl import load_workbook

from htxso.registry import services as registry_services
from htxso.registry.tests.factories import OrganisationFactory
from htxso.reporting import dashboards, services, statistics
from htxso.reporting.models import NATIONAL, IndicatorCell, Report, ReportStatus

from .conftest import LAST_YEAR, THIS_YEAR, good_values


def _approved(actor_fill, reviewer, annual, org, **values):
    report = services.open_report(actor_fill, annual, LAST_YEAR, org)
    services.save_values(actor_fill, report.pk, good_values(**values))
    services.submit(actor_fill, report.pk)
    return services.approve(reviewer, report.pk)


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(
            c if isinstance(c, bytes) else c.encode() for c in response.streaming_content
        )
    return response.content


def _panel(client, area=NATIONAL):
    path = (
        reverse("statistics:dashboard")
        if area == NATIONAL
        else reverse("statistics:province", args=[area])
    )
    response = client.get(path)
    assert response.status_code == 200
    return response.context["data"]


def _headline(data, code, kind="_T"):
    return next(h for h in data["headline"] if h["code"] == code and h["kind"] == kind)


def test_an_approved_report_shows_at_once_live_and_only_after_release_publicly(
    client, annual, htx, manager, officer_19, central
):
    before = _panel(client)
    assert _headline(before, "revenue")["value"] is None  # nothing released yet
    _approved(manager, officer_19, annual, htx, revenue="1.250.000", costs="1.100.000")
    client.force_login(central)
    live = _panel(client)
    assert live["live"] is True
    assert _headline(live, "revenue")["value"] == 1_250_000
    assert _headline(live, "revenue")["period"] == LAST_YEAR
    client.logout()
    assert _headline(_panel(client), "revenue")["value"] is None  # public: not released
    services.release(central, LAST_YEAR)
    # One cooperative's figures stay hidden (test_public_figures_of_fewer_than_three_…).
    assert _headline(_panel(client), "revenue")["value"] is None
    _htx_reports(2, annual, officer_19, revenue="1.250.000", costs="1.100.000")
    public = _panel(client)
    assert public["live"] is False
    assert _headline(public, "revenue")["value"] == 3 * 1_250_000
    assert _headline(public, "revenue")["reports"] == 3  # what the figure rests on
    assert _headline(public, "avg_income")["reports"] == 3  # a ratio of the same reports
    # The running half-year is not released: the public sees no current registry count.
    assert _headline(public, "organisations")["period"] != statistics.running_period().code


def test_a_provincial_officer_sees_live_figures_of_their_own_province_only(
    client, annual, htx, manager, officer_19, officer_01
):
    _approved(manager, officer_19, annual, htx, revenue="900", costs="800", profit="100")
    client.force_login(officer_19)
    assert _headline(_panel(client, "19"), "revenue")["value"] == 900
    assert _panel(client, NATIONAL)["live"] is False
    client.force_login(officer_01)
    assert _panel(client, "19")["live"] is False
    assert _headline(_panel(client, "19"), "revenue")["value"] is None


def test_a_registry_write_changes_the_live_count_in_the_same_request(client, reference, central):
    client.force_login(central)
    count = _headline(_panel(client, "19"), "organisations", "cooperative")["value"] or 0
    org = OrganisationFactory(province_id="19")
    assert _headline(_panel(client, "19"), "organisations", "cooperative")["value"] == count + 1
    registry_services.change_status(None, org.pk, "dissolved", org.established_on, "Thử")
    # A cell that falls to zero is not kept: absent means zero.
    assert (_headline(_panel(client, "19"), "organisations", "cooperative")["value"] or 0) == count


def test_a_province_dashboard_is_named_from_the_province_list_and_an_unknown_code_is_404(
    client, reference
):
    response = client.get(reverse("statistics:province", args=["19"]))
    assert response.status_code == 200
    assert response.context["province"] == {"code": "19", "name": "Thái Nguyên"}
    assert '<h1 class="h3 me-auto mb-0">Thái Nguyên</h1>' in response.content.decode()
    for code in ("00", "99", "x"):
        assert client.get(reverse("statistics:province", args=[code])).status_code == 404


def test_cards_show_progress_against_sourced_targets(client, reference, central):
    for _ in range(3):
        OrganisationFactory(province_id="19")
    client.force_login(central)
    data = _panel(client, "19")
    card = next(
        c for c in data["cards"] if c["code"] == "organisations" and c["kind"] == "cooperative"
    )
    assert card["target"] == 1000 and card["target_year"] == 2030
    assert card["value"] >= 3
    assert card["achieved"] == round(100 * card["value"] / 1000, 1)
    assert "Thái Nguyên" in card["source"]
    national = _panel(client)
    assert {c["target_year"] for c in national["cards"]} == {2025, 2030}
    assert any("1318" in c["source"] for c in national["cards"])


def test_projection_is_a_least_squares_line():
    # x is the time of each figure: the end of 2021 is 2022.0; read at the end of 2030.
    points = [(2022.0, 100.0), (2023.0, 110.0), (2024.0, 120.0)]
    assert dashboards.project(points, 2030) == pytest.approx(190.0)
    assert dashboards.project(points[:1], 2030) is None


def test_chart_tables_download_as_xlsx_with_the_panel_figures(
    client, annual, htx, manager, officer_19, central
):
    _approved(manager, officer_19, annual, htx, revenue="2.000", costs="1.800", profit="200")
    client.force_login(central)
    response = client.get(reverse("statistics:chart-xlsx", args=["trend-business"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    year_row = next(r for r in rows[2:] if r and r[0] == LAST_YEAR)
    assert year_row[header.index("Doanh thu thuần")] == 2000
    assert client.get(reverse("statistics:chart-xlsx", args=["nope"])).status_code == 404
    bad_area = client.get(reverse("statistics:chart-xlsx", args=["map"]), {"area": "99"})
    assert bad_area.status_code == 404


def _schema():
    spec = importlib.util.find_spec("sdmxthon")
    assert spec and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations)), "schemas", "SDMXMessage.xsd")
    return etree.XMLSchema(etree.parse(str(path), etree.XMLParser(no_network=True)))


def test_sdmx_downloads_validate_and_read_back_equal_to_the_cube(
    client, annual, htx, manager, officer_19, central
):
    _approved(manager, officer_19, annual, htx)
    client.force_login(central)
    structure = _body(client.get(reverse("statistics:sdmx-structure")))
    data = _body(client.get(reverse("statistics:sdmx-data")))
    schema = _schema()
    for document in (structure, data):
        tree = etree.fromstring(document, etree.XMLParser(no_network=True))
        assert schema.validate(tree), schema.error_log
    message = sdmx1.read_sdmx(io.BytesIO(structure))
    dsd = message.structure["DSD_HTX"]
    read = sdmx1.read_sdmx(io.BytesIO(data), structure=dsd)
    got = {}
    for obs in read.data[0].obs:
        key = {k: str(v.value) for k, v in obs.key.values.items()}
        dims = ("INDICATOR", "REF_AREA", "ORG_KIND", "SECTOR", "STATUS", "TIME_PERIOD")
        got[tuple(key[d] for d in dims)] = float(obs.value)
    published = {c: None for c in ("revenue", "organisations", "workers", "members")}
    expected = {
        (c.indicator, c.area, c.kind, c.sector, c.status, c.period.replace("S", "-S")): float(
            c.value
        )
        for c in IndicatorCell.objects.filter(indicator__in=list(published))
    }
    assert expected and all(got[k] == v for k, v in expected.items())
    # Internal indicators (the income mass) are not published.
    assert not any(k[0] == "income_mass" for k in got)
    csv_text = _body(client.get(reverse("statistics:sdmx-csv"))).decode()
    lines = csv_text.splitlines()
    assert lines[0].startswith("DATAFLOW,INDICATOR,REF_AREA")
    assert len(lines) - 1 == len(got)


def test_public_sdmx_holds_released_periods_only(client, annual, htx, manager, officer_19, central):
    _approved(manager, officer_19, annual, htx)
    lines = _body(client.get(reverse("statistics:sdmx-csv"))).decode().splitlines()
    assert len(lines) == 1  # header only: nothing released
    services.release(central, LAST_YEAR)
    lines = _body(client.get(reverse("statistics:sdmx-csv"))).decode().splitlines()
    periods = {line.split(",")[6] for line in lines[1:]}
    assert periods and periods <= {LAST_YEAR, f"{LAST_YEAR}-S1", f"{LAST_YEAR}-S2"}


def test_export_xlsx_streams_the_visible_cube(client, annual, htx, manager, officer_19, central):
    _approved(manager, officer_19, annual, htx)
    client.force_login(central)
    response = client.get(reverse("statistics:export-xlsx"))
    sheet = load_workbook(io.BytesIO(_body(response)), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Mã chỉ tiêu"
    revenue = [
        r
        for r in rows[1:]
        if r[0] == "revenue" and r[2] == NATIONAL and r[4] == "_T" and r[5] == "_T" and r[6] == "_T"
    ]
    assert revenue and revenue[0][8] == 1250


def test_release_page_refuses_a_running_period_and_other_roles(
    client, reference, central, officer_19
):
    client.force_login(officer_19)
    assert client.post(reverse("statistics:releases"), {"period": "2024"}).status_code == 403
    client.force_login(central)
    response = client.post(reverse("statistics:releases"), {"period": THIS_YEAR}, follow=True)
    assert "Chỉ công bố được kỳ đã kết thúc." in response.content.decode()
    response = client.post(reverse("statistics:releases"), {"period": "20x"}, follow=True)
    assert "không hợp lệ" in response.content.decode()


def test_completeness_counts_expected_received_and_lists_the_missing(
    client, annual, htx, manager, officer_19, central
):
    other = OrganisationFactory(province_id="19", established_on=htx.established_on)
    statistics.refresh_registry(None)
    statistics.rebuild_registry_period(statistics.Period(int(LAST_YEAR), 2))
    report = services.open_report(manager, annual, LAST_YEAR, htx)
    services.save_values(manager, report.pk, good_values())
    services.submit(manager, report.pk)
    client.force_login(officer_19)
    response = client.get(
        reverse("reporting:completeness"), {"form": "htx-annual", "period": LAST_YEAR}
    )
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r["province"].code == "19")
    assert row["expected"] == 2 and row["received"] == 1 and row["approved"] == 0
    assert row["overdue"] is True  # 15/01 of this year has passed
    assert [r["province"].code for r in response.context["rows"]] == ["19"]  # own province only
    missing = [o.pk for o in response.context["missing"]]
    assert missing == [other.pk]


def test_report_page_keeps_typed_input_and_explains_errors(client, annual, htx, manager):
    report = services.open_report(manager, annual, LAST_YEAR, htx)
    client.force_login(manager)
    url = reverse("reporting:report", args=[report.pk])
    response = client.post(
        url, {**good_values(revenue="1,5"), "action": "save", "version": report.version}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "không dùng dấu phẩy" in page and 'value="1,5"' in page
    report.refresh_from_db()
    assert "revenue" not in report.values
    # Submitting with profit above revenue: saved as a draft, submission refused.
    response = client.post(
        url, {**good_values(profit="9.999"), "action": "submit", "version": report.version}
    )
    assert response.status_code == 422
    assert "Lợi nhuận không được lớn hơn doanh thu." in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    # A stale version: 409, nothing written.
    stale = client.post(url, {**good_values(), "action": "save", "version": report.version - 1})
    assert stale.status_code == 409
    ok = client.post(url, {**good_values(), "action": "submit", "version": report.version})
    assert ok.status_code == 302
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_review_on_the_page_requires_a_comment_to_return(client, annual, htx, manager, officer_19):
    report = services.open_report(manager, annual, LAST_YEAR, htx)
    services.save_values(manager, report.pk, good_values())
    report = services.submit(manager, report.pk)
    client.force_login(officer_19)
    url = reverse("reporting:report", args=[report.pk])
    response = client.post(url, {"action": "return", "comment": " ", "version": report.version})
    assert response.status_code == 422
    assert "Cần ghi rõ lý do trả lại." in response.content.decode()
    response = client.post(url, {"action": "approve", "version": report.version})
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).status == ReportStatus.APPROVED
    client.force_login(manager)
    assert (
        client.post(
            url, {**good_values(), "action": "save", "version": report.version + 1}
        ).status_code
        == 403
    )


def _htx_reports(count, annual, officer_19, **values):
    """`count` approved last-year reports of new HTX in Thái Nguyên (filled by the officer)."""
    for _ in range(count):
        org = OrganisationFactory(province_id="19")
        _approved(officer_19, officer_19, annual, org, **values)


def test_public_figures_of_fewer_than_three_reports_are_suppressed(
    client, annual, officer_19, central
):
    _htx_reports(2, annual, officer_19)
    services.release(central, LAST_YEAR)
    public = _panel(client, "19")
    assert _headline(public, "revenue")["value"] is None  # two cooperatives' own figures
    lines = _body(client.get(reverse("statistics:sdmx-csv"))).decode().splitlines()
    assert not [line for line in lines if line.split(",")[1] == "revenue"]
    assert [line for line in lines if line.split(",")[1] == "reports_approved"]  # counts stay
    client.force_login(central)
    assert _headline(_panel(client, "19"), "revenue")["value"] == 2 * 1250  # live: all
    client.logout()
    _htx_reports(1, annual, officer_19)
    assert _headline(_panel(client, "19"), "revenue")["value"] == 3 * 1250
    revenue = [
        line
        for line in _body(client.get(reverse("statistics:sdmx-csv"))).decode().splitlines()
        if line.split(",")[1] == "revenue"
    ]
    assert revenue and all(
        int(line.split(",")[7]) >= 3750 for line in revenue if ",_T,_T,_T," in line
    )


def test_unpublished_indicators_are_hidden_from_public_pages(client, annual, officer_19, central):
    from htxso.reporting.models import Indicator

    _htx_reports(3, annual, officer_19)
    services.release(central, LAST_YEAR)
    Indicator.objects.filter(code="revenue").update(is_published=False)
    public = _panel(client)
    assert "revenue" not in {h["code"] for h in public["headline"]}
    business = next(t for t in public["trends"] if t["id"] == "trend-business")
    assert [s["name"] for s in business["series"]] == ["Lợi nhuận trước thuế"]
    assert "revenue" not in {code for code, _name in public["map_choices"]}
    assert (
        client.get(reverse("statistics:dashboard"), {"map": "revenue"}).context["data"]["map"][
            "indicator"
        ]
        == "organisations"
    )
    # The published average income still shows: it rests on internal (unpublished) sums.
    assert _headline(public, "avg_income")["value"] == 4500
    client.force_login(central)
    assert "revenue" in {h["code"] for h in _panel(client)["headline"]}


def test_a_target_whose_year_has_ended_is_judged_on_its_figure_at_the_end(
    client, reference, central
):
    from htxso.reporting.models import Indicator, Target
    from htxso.reporting.periods import Period

    OrganisationFactory(province_id="19")
    statistics.rebuild_registry_period(Period(int(LAST_YEAR), 2))
    Target.objects.create(
        indicator=Indicator.objects.get(code="organisations"),
        kind="cooperative",
        area="19",
        year=int(LAST_YEAR),
        value=1,
        comparison="<=",
        label="Thử: tối đa 1 HTX",
        source_document="Thử nghiệm",
    )
    client.force_login(central)
    card = next(c for c in _panel(client, "19")["cards"] if c["target_year"] == int(LAST_YEAR))
    assert card["closed"] and card["period"] == f"{LAST_YEAR}S2" and card["projection"] is None
    assert card["value"] == 1 and card["met"] is True  # "<=" honoured
    OrganisationFactory(province_id="19")  # the running half-year moves, the closed card not
    card = next(c for c in _panel(client, "19")["cards"] if c["target_year"] == int(LAST_YEAR))
    assert card["value"] == 1 and card["met"] is True


def test_rebuild_recomputes_report_indicators_from_the_values(annual, htx, manager, officer_19):
    from htxso.reporting.models import Indicator

    _approved(manager, officer_19, annual, htx)
    Indicator.objects.create(
        code="costs",
        name="Chi phí",
        name_en="Costs",
        definition="Tổng chi phí",
        formula="Tổng trường costs",
        unit="mvnd",
        source="report",
        measure={"report": "htx-annual", "sum": "costs"},
        periodicity="year",
    )
    statistics.rebuild_reports()
    cell = IndicatorCell.objects.get(
        indicator="costs", period=LAST_YEAR, area=NATIONAL, kind="_T", sector="_T", status="_T"
    )
    assert cell.value == 1100
    report = Report.objects.get(organisation=htx)
    assert report.contribution["measures"]["costs"] == 1100
    services.return_report(officer_19, report.pk, "Sửa lại")  # reopening subtracts it all
    assert not IndicatorCell.objects.filter(indicator="costs").exists()


def test_a_report_form_post_without_its_version_is_refused(client, annual, htx, manager):
    report = services.open_report(manager, annual, LAST_YEAR, htx)
    client.force_login(manager)
    response = client.post(
        reverse("reporting:report", args=[report.pk]), {**good_values(), "action": "save"}
    )
    assert response.status_code == 422
    assert Report.objects.get(pk=report.pk).version == report.version


def test_reference_changes_leave_an_audit_trail_and_a_rerun_none(reference):
    from htxso.core.models import AuditEntry

    from .conftest import reference_data

    data = reference_data()
    before = AuditEntry.objects.filter(action="load_reference").count()
    services.load_reference(data)
    assert AuditEntry.objects.filter(action="load_reference").count() == before
    data["targets"][0]["value"] = 135000
    services.load_reference(data)
    entry = AuditEntry.objects.filter(action="load_reference").latest("id")
    assert entry.object_type == "reporting.target"
    assert (entry.before, entry.after) == ({"value": 134000}, {"value": 135000})
    data["targets"][0]["comparison"] = "=>"
    with pytest.raises(services.ValidationError):
        services.load_reference(data)
