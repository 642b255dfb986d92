"""The demo (`htxso demo_assessment`, part of `make demo`): past rounds received by the centre,
this year's round in Thái Nguyên with evidence to read, the dashboards stamped."""

import datetime as dt

import pytest

from htxso.assessment.demo import create_demo_assessments
from htxso.assessment.models import Classification, Evidence, ProvinceRound, Stamp
from htxso.registry.tests.factories import OrganisationFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_demo_has_years_of_rounds_sent_to_the_centre_and_evidence(db):
    for province in ("19", "19", "19", "19", "19", "01"):
        OrganisationFactory(province_id=province, established_on=dt.date(2012, 1, 1))
    made = create_demo_assessments()
    assert made == 6 * 5
    years = set(ProvinceRound.objects.values_list("year", flat=True))
    assert len(years) == 5 and ProvinceRound.objects.filter(status="received").count() == 10
    this_year = dt.date.today().year
    assert Classification.objects.filter(year=this_year).exists()
    files = list(Evidence.objects.all())
    assert len(files) == 2  # two of the round's submitted ones carry a report
    for pdf in files:
        assert pdf.file.read().startswith(b"%PDF-") and pdf.classification.year == this_year
    assert set(Stamp.objects.values_list("scope", flat=True)) >= {"19", "01"}
    assert create_demo_assessments() == 0  # safe to run again
