"""PDF documents of every app (registration's certificates, the steering committee's meeting
pack): fpdf2 with DejaVu Sans (Vietnamese glyphs), vendored in `fonts/` with its licence —
nothing is fetched at run time."""

from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).with_name("fonts")
FAMILY = "DejaVu"


def document(orientation: str = "P") -> FPDF:
    """An A4 document with DejaVu Sans (regular "" and bold "B") registered as `FAMILY`."""
    pdf = FPDF(orientation=orientation, format="A4")
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    return pdf
