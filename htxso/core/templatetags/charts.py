"""Charts drawn by the server: a sparkline is a few points, not worth a chart library.

`{{ values|sparkline }}` gives an inline SVG (a line and its shaded area, scaled to the values'
range; missing values are skipped). The page's big charts are ECharts, loaded only when one
scrolls into view (static/htxso/dashboard.js).
"""

from collections.abc import Sequence

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

WIDTH, HEIGHT, PAD = 100.0, 32.0, 2.0


@register.filter
def sparkline(values: Sequence[float | int | None] | None) -> SafeString | str:
    points = [(i, float(v)) for i, v in enumerate(values or ()) if v is not None]
    if len(points) < 2:
        return ""
    first, last = points[0][0], points[-1][0]
    low, high = min(v for _i, v in points), max(v for _i, v in points)
    span_x, span_y = (last - first) or 1, (high - low) or 1.0

    def xy(i: int, v: float) -> str:
        x = (i - first) / span_x * WIDTH
        y = HEIGHT - PAD - (v - low) / span_y * (HEIGHT - 2 * PAD)
        return f"{x:.1f},{y:.1f}"

    line = " ".join(xy(i, v) for i, v in points)
    area = f"0,{HEIGHT:.0f} {line} {WIDTH:.0f},{HEIGHT:.0f}"
    return format_html(
        '<svg class="sparkline" viewBox="0 0 {} {}" preserveAspectRatio="none" aria-hidden="true">'
        '<polygon points="{}"/><polyline points="{}"/></svg>',
        f"{WIDTH:.0f}",
        f"{HEIGHT:.0f}",
        area,
        line,
    )
