"""The resolver and the public trace page, the label sheet, the diary page."""

import datetime as dt
import io

from pypdf import PdfReader

from htxso.traceability import services

from .conftest import GTIN


def _harvest(coop, public_plot=True):
    if not public_plot:
        coop.plot.public = False
        coop.plot.save()
    services.add_treatment(
        coop.manager, coop.crop.pk, "Phân hữu cơ vi sinh", "500 kg/ha", dt.date(2026, 3, 2), 0
    )
    return services.record_harvest(
        coop.manager, coop.crop.pk, coop.product.pk, "LO-01", dt.date(2026, 5, 1), 120
    )


def test_scanning_a_label_opens_the_trace_page(client, coop):
    _harvest(coop)
    page = client.get(f"/01/{GTIN}/10/LO-01")
    assert page.status_code == 200
    html = page.content.decode()
    expected = (
        "Chè búp Tân Cương 200 g", "HTX Chè Tân Cương", "Đang hoạt động", "OCOP", "VietGAP",
        "Đồi chè số 3", "Phân hữu cơ vi sinh", "02/03/2026", "Thu hoạch / tạo lô",
    )  # fmt: skip
    for text in expected:
        assert text in html, text


def test_every_form_of_the_same_link_resolves(client, coop):
    _harvest(coop)
    for path in (
        f"/01/0{GTIN}/10/LO-01",
        f"/gtin/{GTIN}/lot/LO-01",
        f"/01/{GTIN}/10/LO-01?linkType=gs1:pip",
    ):
        assert client.get(path).status_code == 200, path


def test_a_private_plot_keeps_its_inputs_and_harvest_off_the_public_page(client, coop):
    _harvest(coop, public_plot=False)
    html = client.get(f"/01/{GTIN}/10/LO-01").content.decode()
    assert "Chè búp Tân Cương 200 g" in html
    assert "Phân hữu cơ vi sinh" not in html and "Đồi chè số 3" not in html


def test_a_wrong_link_says_why_and_an_unknown_one_is_a_404(client, coop):
    bad = client.get("/01/8930000000018/10/LO-01")
    assert bad.status_code == 400
    assert "Số kiểm tra" in bad.content.decode()
    assert client.get("/01/4006381333931/10/X").status_code == 404


def test_the_label_sheet_carries_the_lots_digital_link(client, coop, settings):
    _harvest(coop)
    client.force_login(coop.manager)
    pdf = client.get(f"/traceability/labels/0{GTIN}/LO-01.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "Lô LO-01" in text and "Chè búp Tân Cương" in text


def test_the_diary_page_refuses_a_harvest_inside_the_interval(client, coop):
    services.add_treatment(coop.manager, coop.crop.pk, "Thuốc X", "1 l", dt.date(2026, 5, 1), 7)
    client.force_login(coop.manager)
    assert client.get("/traceability/").status_code == 200
    reply = client.post(
        "/traceability/write/harvest/",
        {"harvest-crop": coop.crop.pk, "harvest-product": coop.product.pk, "harvest-lot": "LO-9",
         "harvest-harvested_on": "03/05/2026", "harvest-quantity_kg": "1.200"},
    )  # fmt: skip
    assert reply.status_code == 422
    assert "được thu hoạch từ ngày 08/05/2026" in reply.content.decode()
    ok = client.post(
        "/traceability/write/harvest/",
        {"harvest-crop": coop.crop.pk, "harvest-product": coop.product.pk, "harvest-lot": "LO-9",
         "harvest-harvested_on": "08/05/2026", "harvest-quantity_kg": "1.200"},
    )  # fmt: skip
    assert ok.status_code == 302
    assert coop.crop.harvests.get().quantity_kg == 1200


def test_the_diary_is_the_managers(client, coop):
    client.force_login(coop.officer)
    assert client.get("/traceability/").status_code == 403


def test_a_lot_holding_a_slash_resolves_raw_or_decoded(client, coop):
    services.record_harvest(
        coop.manager, coop.crop.pk, coop.product.pk, "LO/7", dt.date(2026, 5, 1), 50
    )
    decoded = client.get(f"/01/{GTIN}/10/LO%2F7")  # Django hands the view "LO/7"
    assert decoded.status_code == 200
    assert "LO/7" in decoded.content.decode()
    raw = client.get(f"/01/{GTIN}/10/LO%2F7", REQUEST_URI=f"/01/{GTIN}/10/LO%2F7")
    assert raw.status_code == 200 and "LO/7" in raw.content.decode()


def test_a_compressed_link_resolves_and_other_paths_are_left_alone(client, coop):
    from htxso.traceability import compression

    _harvest(coop)
    compressed = compression.compress(f"https://x.vn/01/{GTIN}/10/LO-01")
    segment = compressed.rsplit("/", 1)[1]
    page = client.get(f"/{segment}")
    assert page.status_code == 200 and "Chè búp Tân Cương 200 g" in page.content.decode()
    assert client.get("/traceability").status_code == 301  # APPEND_SLASH still works
    assert client.get("/BBBBBBBBBBBB").status_code == 404


def test_a_giai_resolves_to_its_page_or_a_404(client, coop):
    reply = client.get("/8004/0801234126ABC")
    assert reply.status_code == 404  # valid, nothing recorded for it
    assert "Chưa có thông tin" in reply.content.decode()
    assert client.get("/giai/" + "1" * 31).status_code == 400


def test_the_trace_page_draws_the_journey_on_a_map_without_tiles(client, coop):
    _harvest(coop)
    when = dt.datetime(2026, 5, 3, 8, tzinfo=dt.UTC)
    services.ship(coop.manager_01, coop.org_01.pk, [f"{GTIN}/LO-01"], when, step="receiving")
    html = client.get(f"/01/{GTIN}/10/LO-01").content.decode()
    assert 'id="journey-map"' in html and "/traceability/map/vietnam.svg" in html
    assert "<polyline" in html and "http" not in html.split('id="journey-map"')[1][:400]
    places = html.split('id="map-places"')[1].split("</ol>")[0]
    assert coop.commune.name in places  # the plot's commune first (the harvest)
    assert places.count("<li>") == 2  # then Hà Nội, where the other cooperative received it
    background = client.get("/traceability/map/vietnam.svg")
    assert background["Content-Type"] == "image/svg+xml"
    assert "max-age=86400" in background["Cache-Control"]
    body = background.content.decode()
    assert body.startswith("<svg") and body.count("z") > 500  # a square per 0.1° cell


def test_a_private_plot_stays_off_the_map(client, coop):
    _harvest(coop, public_plot=False)
    html = client.get(f"/01/{GTIN}/10/LO-01").content.decode()
    assert coop.commune.name not in html


def test_the_trace_page_shows_the_registry_status_at_once_despite_its_cache(client, coop):
    """The cooperative's registry facts are cached for the page; a status change (an UPDATE)
    or a renaming (a save) is shown on the next scan."""
    from htxso.registry.writes.status import change_status

    services.record_harvest(
        coop.manager, coop.crop.pk, coop.product.pk, "LO-01", dt.date(2026, 5, 1), 10
    )
    url = f"/01/{GTIN}/10/LO-01"
    assert "Đang hoạt động" in client.get(url).content.decode()
    change_status(None, coop.org.pk, "suspended", dt.date.today())
    page = client.get(url).content.decode()
    assert "Đang hoạt động" not in page and "Tạm ngừng" in page
    coop.org.refresh_from_db()
    coop.org.name = "HTX Chè Tân Cương Mới"
    coop.org.save()
    assert "HTX Chè Tân Cương Mới" in client.get(url).content.decode()
