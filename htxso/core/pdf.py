"""PDF pieces every app prints with: the vendored DejaVu Sans (Vietnamese glyphs, licence in
`fonts/`) and QR codes drawn as vector squares (segno; no image library, nothing fetched)."""

from pathlib import Path

import segno
from fpdf import FPDF

FONTS = Path(__file__).with_name("fonts")


def add_fonts(pdf: FPDF) -> None:
    """DejaVu Sans, regular and bold, as "DejaVu"."""
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))


def draw_qr(pdf: FPDF, text: str, x: float, y: float, size: float, error: str = "m") -> None:
    """A QR code of `text` in a `size` square at (x, y), its quiet zone of 4 modules inside."""
    code = segno.make(text, error=error)
    rows = [list(row) for row in code.matrix]
    module = size / (len(rows) + 8)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(x + (c + 4) * module, y + (r + 4) * module, module, module, style="F")
