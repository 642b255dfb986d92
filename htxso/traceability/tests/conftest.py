"""Fixtures of the traceability tests: a cooperative of Thái Nguyên (19) with its manager, one of
Hà Nội (01) with its, a provincial officer, and a diary ready to harvest (a plot, a crop, a
product with a Vietnamese GTIN)."""

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from htxso.core.models import Commune
from htxso.core.roles import Role
from htxso.registry.tests.conftest import make_user
from htxso.registry.tests.factories import OrganisationFactory
from htxso.traceability import services

DATA = Path(__file__).with_name("data")
GTIN = "8930000000019"  # GS1 Vietnam prefix, check digit 9
GTIN_2 = "8930000000026"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.fixture
def coop(db):
    org_19 = OrganisationFactory(province_id="19", name="HTX Chè Tân Cương")
    org_01 = OrganisationFactory(province_id="01", name="HTX Rau sạch Gia Lâm")
    manager = make_user("quan-ly-19", Role.COOPERATIVE_MANAGER, "19", organisation=org_19)
    manager_01 = make_user("quan-ly-01", Role.COOPERATIVE_MANAGER, "01", organisation=org_01)
    officer = make_user("can-bo-19", Role.PROVINCIAL_OFFICER, "19")
    commune = Commune.objects.filter(province_id="19").order_by("code")[0]
    plot = services.create_plot(manager, org_19.pk, commune.pk, "Đồi chè số 3", 5000)
    crop = services.add_crop(manager, plot.pk, "Chè Kim Tuyên", "crop", dt.date(2026, 1, 5))
    product = services.create_product(
        manager,
        org_19.pk,
        "Chè búp Tân Cương 200 g",
        GTIN,
        certificates=[{"kind": "OCOP", "stars": 4}, {"kind": "VietGAP", "number": "VG-19-001"}],
    )
    return SimpleNamespace(
        org=org_19,
        org_01=org_01,
        manager=manager,
        manager_01=manager_01,
        officer=officer,
        commune=commune,
        plot=plot,
        crop=crop,
        product=product,
    )
