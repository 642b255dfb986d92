"""QR labels of a lot: an A4 sheet of 3 × 8 labels (70 × 37 mm), each a GS1 Digital Link QR
code of the lot (`<resolver>/01/<gtin>/10/<lot>`) 25 mm wide — above the ~20 mm GS1 advises
for a phone to scan a URI of this length when printed — with the product's name, GTIN and lot
printed beside it (DejaVu Sans: Vietnamese)."""

from htxso.core.pdf import add_fonts, draw_qr

from .digital_link import DigitalLink
from .models import Product

COLUMNS, ROWS = 3, 8
WIDTH, HEIGHT = 70.0, 37.125  # mm: A4 210 × 297 divided exactly
QR = 25.0


def lot_link(domain: str, gtin: str, lot: str) -> str:
    return DigitalLink(domain, "01", gtin, {"10": lot}).uri()


def sheet(product: Product, lot: str, domain: str, count: int = COLUMNS * ROWS) -> bytes:
    from fpdf import FPDF  # loaded when a sheet is drawn (`core.pdf`)

    uri = lot_link(domain, product.gtin, lot)
    pdf = FPDF(format="A4")
    pdf.set_title(f"Tem truy xuất {product.name} – lô {lot}")
    add_fonts(pdf)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    for i in range(count):
        if i % (COLUMNS * ROWS) == 0:
            pdf.add_page()
        cell = i % (COLUMNS * ROWS)
        x, y = (cell % COLUMNS) * WIDTH, (cell // COLUMNS) * HEIGHT
        draw_qr(pdf, uri, x + 3, y + (HEIGHT - QR) / 2, QR)
        pdf.set_xy(x + QR + 5, y + 6)
        pdf.set_font("DejaVu", "B", 8)
        pdf.multi_cell(WIDTH - QR - 8, 3.6, product.name[:60])
        pdf.set_font("DejaVu", "", 7)
        pdf.set_x(x + QR + 5)
        pdf.multi_cell(WIDTH - QR - 8, 3.4, f"GTIN {product.gtin}\nLô {lot}\nQuét để xem nguồn gốc")
    return bytes(pdf.output())
