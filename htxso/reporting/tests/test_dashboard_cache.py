"""The dashboards' panels are cached between requests (`dashboard_cache`) and every kind of
write a dashboard shows moves their stamp in its own transaction: the next request after a
registry write, an approval, a release, a rebuild or a catalogue change shows it. The key
keeps audiences and languages apart."""

import json
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from htxso.registry import services as registry_services
from htxso.registry.tests.factories import OrganisationFactory
from htxso.reporting import dashboard_cache, services, statistics
from htxso.reporting.models import Indicator, Report, Target

from .conftest import LAST_YEAR
from .test_dashboards import _approved, _headline, _htx_reports, _panel


def _rendered(client, area="19"):
    """The panel as the page's HTML carries it (the rendered figures are cached too)."""
    html = client.get(reverse("statistics:province", args=[area])).content.decode()
    found = re.search(r'<script id="panel-data" type="application/json">(.*?)</script>', html)
    assert found
    return json.loads(found.group(1))


def test_a_second_request_reads_the_cached_panel_with_a_few_queries(client, reference, central):
    client.force_login(central)
    path = reverse("statistics:province", args=["19"])
    with CaptureQueriesContext(connection) as cold:
        first = client.get(path).context["data"]
    with CaptureQueriesContext(connection) as warm:
        second = client.get(path).context["data"]
    assert second == first
    assert len(warm) < len(cold)
    cube_reads = [q for q in warm if "reporting_indicatorcell" in q["sql"]]
    assert cube_reads == []  # the figures come from the cache


def test_a_registry_write_through_the_services_shows_on_the_next_request(
    client, reference, central
):
    client.force_login(central)
    org = OrganisationFactory(province_id="19")
    count = _headline(_panel(client, "19"), "organisations", "cooperative")["value"]
    national = _headline(_panel(client), "organisations")["value"]
    registry_services.change_status(None, org.pk, "dissolved", org.established_on, "Thử")
    assert (_headline(_panel(client, "19"), "organisations", "cooperative")["value"] or 0) == (
        count - 1
    )
    assert (_headline(_panel(client), "organisations")["value"] or 0) == national - 1


def test_an_approval_shows_live_on_the_next_request(client, annual, htx, manager, officer_19):
    client.force_login(officer_19)
    assert _headline(_panel(client, "19"), "revenue")["value"] is None
    assert _headline(_rendered(client), "revenue")["value"] is None
    _approved(manager, officer_19, annual, htx, revenue="900", costs="800", profit="100")
    assert _headline(_panel(client, "19"), "revenue")["value"] == 900
    assert _headline(_rendered(client), "revenue")["value"] == 900
    report = Report.objects.get(organisation=htx)
    services.return_report(officer_19, report.pk, "Sửa lại")  # reopening takes it out again
    assert _headline(_panel(client, "19"), "revenue")["value"] is None


def test_a_release_shows_publicly_on_the_next_request(client, annual, officer_19, central):
    _htx_reports(3, annual, officer_19)
    assert _headline(_panel(client, "19"), "revenue")["value"] is None  # cached: not released
    assert _headline(_rendered(client), "revenue")["value"] is None
    services.release(central, LAST_YEAR)
    assert _headline(_panel(client, "19"), "revenue")["value"] == 3 * 1250
    assert _headline(_rendered(client), "revenue")["value"] == 3 * 1250


def test_a_rebuild_shows_on_the_next_request(client, annual, htx, manager, officer_19, central):
    _approved(manager, officer_19, annual, htx, revenue="900", costs="800", profit="100")
    client.force_login(central)
    assert _headline(_panel(client), "revenue")["value"] == 900
    # The values changed behind the cube (a correction loaded in bulk): the rebuild shows it.
    report = Report.objects.get(organisation=htx)
    Report.objects.filter(pk=report.pk).update(values={**report.values, "revenue": 1000})
    assert _headline(_panel(client), "revenue")["value"] == 900  # cached, nothing written
    statistics.rebuild_reports()
    assert _headline(_panel(client), "revenue")["value"] == 1000


def test_catalogue_and_target_changes_show_on_the_next_request(client, annual, officer_19, central):
    _htx_reports(3, annual, officer_19)
    services.release(central, LAST_YEAR)
    assert "revenue" in {h["code"] for h in _panel(client)["headline"]}
    revenue = Indicator.objects.get(code="revenue")
    revenue.is_published = False
    revenue.save()
    assert "revenue" not in {h["code"] for h in _panel(client)["headline"]}
    cards = len(_panel(client, "19")["cards"])
    target = Target.objects.create(
        indicator=Indicator.objects.get(code="organisations"),
        area="19",
        year=int(LAST_YEAR) + 5,
        value=10,
        label="Thử: 10 HTX",
        source_document="Thử nghiệm",
    )
    assert len(_panel(client, "19")["cards"]) == cards + 1
    target.delete()
    assert len(_panel(client, "19")["cards"]) == cards


def test_audiences_and_languages_are_kept_apart(client, annual, htx, manager, officer_19):
    _approved(manager, officer_19, annual, htx, revenue="900", costs="800", profit="100")
    client.force_login(officer_19)
    assert _panel(client, "19")["live"] is True
    assert _panel(client)["live"] is False  # the same officer, the nation: released only
    client.logout()
    public = _panel(client, "19")
    assert public["live"] is False and _headline(public, "revenue")["value"] is None
    assert _headline(_rendered(client), "revenue")["value"] is None  # not the officer's page
    vi = _headline(public, "organisations")["name"]
    client.cookies["django_language"] = "en"
    en = client.get(reverse("statistics:province", args=["19"]), HTTP_ACCEPT_LANGUAGE="en")
    assert _headline(en.context["data"], "organisations")["name"] != vi


def test_a_rolled_back_write_leaves_the_stamp_as_it_was(reference):
    from htxso.core.stamps import current

    before = current([dashboard_cache.SCOPE])
    with pytest.raises(RuntimeError), transaction.atomic():
        dashboard_cache.bump()
        assert current([dashboard_cache.SCOPE]) != before
        raise RuntimeError
    assert current([dashboard_cache.SCOPE]) == before
    dashboard_cache.bump()
    assert current([dashboard_cache.SCOPE]) != before


def test_a_new_static_build_is_another_key(reference, central, monkeypatch):
    """The rendered part names hashed static URLs: after a deploy whose manifest differs, the
    old entry is not served (it would point at files that are gone)."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    before = dashboard_cache.key(central, "19", "")
    monkeypatch.setattr(staticfiles_storage, "manifest_hash", "build-2", raising=False)
    after = dashboard_cache.key(central, "19", "")
    assert after != before
    assert dashboard_cache.key(central, "19", "") == after
