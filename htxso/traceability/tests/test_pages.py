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
