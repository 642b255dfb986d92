"""The demo marketplace is alive: products with photos on sale, an expired OCOP certificate
showing no stars, the demo buyer's orders in several states; running it again adds nothing."""

from django.core.management import call_command

from htxso.core.roles import Role
from htxso.marketplace.models import Order, Product
from htxso.registry.tests.conftest import make_user
from htxso.registry.tests.factories import OrganisationFactory


def test_demo_market(db, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seller = OrganisationFactory(province_id="19")
    make_user("quanly.htx", Role.COOPERATIVE_MANAGER, "19", organisation=seller)
    for _ in range(3):
        OrganisationFactory(province_id="01")
    call_command("demo_market", verbosity=0)
    on_sale = Product.objects.visible_to(None)
    assert on_sale.filter(seller=seller).exists() and all(p.photo for p in on_sale)
    assert any(p.ocop_stars and not p.stars() for p in on_sale)  # an expired certificate
    assert set(Order.objects.values_list("status", flat=True)) >= {"placed", "shipped"}
    traced = Product.objects.get(seller=seller, gtin="08930000001023")  # the diary's boxed tea
    call_command("demo_traceability", verbosity=0)
    page = client.get(f"/market/p/{traced.pk}/").content.decode()
    assert 'href="/01/08930000001023" id="trace-link"' in page
    count = Product.objects.count()
    call_command("demo_market", verbosity=0)
    assert Product.objects.count() == count
