"""PDF pieces every app prints with (registration's certificates, traceability's labels, the
steering committee's meeting pack): fpdf2 with the vendored DejaVu Sans (Vietnamese glyphs,
licence in `fonts/`) and QR codes drawn as vector squares (segno; no image library, nothing
fetched at run time)."""

from pathlib import Path
from typing import TYPE_CHECKING

import segno

if TYPE_CHECKING:  # fpdf (fontTools, Pillow) is loaded when a document is drawn, not with
    from fpdf import FPDF  # every process (the traceability app's pages import this module)

FONTS = Path(__file__).with_name("fonts")
FAMILY = "DejaVu"


def add_fonts(pdf: "FPDF") -> None:
    """DejaVu Sans, regular "" and bold "B", as `FAMILY`."""
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))


def document(orientation: str = "P") -> "FPDF":
    """An A4 document with the fonts registered."""
    from fpdf import FPDF

    pdf = FPDF(orientation=orientation, format="A4")
    add_fonts(pdf)
    return pdf


def draw_qr(pdf: "FPDF", text: str, x: float, y: float, size: float, error: str = "m") -> None:
    """A QR code of `text` in a `size` square at (x, y), its quiet zone of 4 modules inside."""
    code = segno.make(text, error=error)
    rows = [list(row) for row in code.matrix]
    module = size / (len(rows) + 8)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(x + (c + 4) * module, y + (r + 4) * module, module, module, style="F")
