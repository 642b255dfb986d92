"""The demo chain: written once through the services, public where marked, and its lot's
trace page alive."""

from htxso.core.roles import Role
from htxso.registry.tests.conftest import make_user
from htxso.registry.tests.factories import OrganisationFactory
from htxso.traceability import query
from htxso.traceability.demo import _gtin, _sscc, create_demo_traceability
from htxso.traceability.models import Event


def test_the_demo_chain_is_written_once_and_traceable(client, db):
    org = OrganisationFactory(province_id="19")
    OrganisationFactory(province_id="01")
    make_user("quanly.htx", Role.COOPERATIVE_MANAGER, "19", organisation=org)
    assert create_demo_traceability() == 8
    assert create_demo_traceability() == 0
    assert Event.objects.count() == 8
    lot = f"https://id.gs1.org/01/0{_gtin(102)}/10/TC-2604-A"
    assert f"https://id.gs1.org/00/{_sscc(1)}" in query.walk(lot, "down")
    assert f"https://id.gs1.org/00/{_sscc(2)}" in query.walk(lot, "down")  # the pallet
    page = client.get(f"/01/{_gtin(102)}/10/TC-2604-A")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Đồi chè Khuôn Ngàn" in html and "Đồi chè Bắc Sơn" not in html  # a private plot
    assert "Bán lẻ" in html and "Chế biến / tạo lô mới" in html
