"""The front-end assets a phone downloads: the ECharts build, gzip copies, deferred scripts.

`make vendor` builds ECharts from scripts/echarts-htxso.js (only the charts the pages use) and
writes a gzip copy beside each big vendored file; WhiteNoise sends that copy on `make demo`'s
server as in production. Lighthouse figures: bench/lighthouse.py.
"""

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
HTXSO = ROOT / "htxso"
VENDOR = HTXSO / "static" / "vendor"
ENTRY = ROOT / "scripts" / "echarts-htxso.js"
COMPRESSED = [
    "bootstrap/bootstrap.min.css",
    "bootstrap/bootstrap.bundle.min.js",
    "htmx/htmx.min.js",
    "echarts/echarts.min.js",
]
# ECharts' series types (its charts); `type: "value"` and the like are axes, not charts.
SERIES_TYPES = {
    "line", "bar", "pie", "scatter", "effectScatter", "radar", "tree", "treemap", "sunburst",
    "boxplot", "candlestick", "heatmap", "map", "parallel", "lines", "graph", "sankey", "funnel",
    "gauge", "pictorialBar", "themeRiver", "custom", "chord",
}  # fmt: skip


def built_charts() -> set[str]:
    names = set(re.findall(r"\b(\w+)Chart\b", ENTRY.read_text(encoding="utf-8")))
    return {name[0].lower() + name[1:] for name in names}


def page_sources() -> list[Path]:
    """Our own JavaScript and templates (not the vendored files)."""
    files = [p for p in HTXSO.rglob("*.js") if VENDOR not in p.parents and "tests" not in p.parts]
    return files + list(HTXSO.rglob("*.html"))


@pytest.mark.parametrize("name", COMPRESSED)
def test_the_compressed_copy_is_the_file(name):
    """A stale .gz (the file changed by hand, not by `make vendor`) would send old code."""
    original = (VENDOR / name).read_bytes()
    assert gzip.decompress((VENDOR / f"{name}.gz").read_bytes()) == original


def test_every_chart_the_pages_draw_is_in_the_build():
    used: dict[str, set[str]] = {}
    for path in page_sources():
        for kind in re.findall(r"""\btype\s*:\s*["'](\w+)["']""", path.read_text(encoding="utf-8")):
            if kind in SERIES_TYPES:
                used.setdefault(kind, set()).add(str(path.relative_to(ROOT)))
    assert "line" in used and "map" in used  # the statistics dashboard's, so the scan works
    missing = {kind: files for kind, files in used.items() if kind not in built_charts()}
    assert not missing, f"add these charts to {ENTRY.name} and run `make vendor`: {missing}"


def test_the_build_is_the_custom_one():
    """The full build is ~1.1 MB; the custom one must stay well under it."""
    size = (VENDOR / "echarts" / "echarts.min.js").stat().st_size
    assert size < 900_000, size


def test_no_page_script_blocks_rendering():
    """Scripts are files loaded with `defer` (run in order once the page is parsed)."""
    offenders = []
    for path in HTXSO.rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", path.read_text(encoding="utf-8")):
            if "src=" in tag and "defer" not in tag and 'type="module"' not in tag:
                offenders.append(f"{path.relative_to(ROOT)}: {tag}")
    assert not offenders, offenders


def test_the_server_sends_the_compressed_copy(client):
    """WhiteNoise (also under `make demo`'s runserver) answers gzip with the pre-built copy."""
    url = settings.STATIC_URL + "vendor/echarts/echarts.min.js"
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    body = b"".join(response.streaming_content)
    assert gzip.decompress(body) == (VENDOR / "echarts" / "echarts.min.js").read_bytes()
    plain = client.get(url)
    assert "Content-Encoding" not in plain


def test_a_sparkline_is_drawn_by_the_server():
    from htxso.core.templatetags.charts import sparkline

    svg = str(sparkline([10, None, 30, 20]))
    line = re.search(r'<polyline points="([^"]+)"', svg).group(1).split()
    # Three points (the missing value skipped), x over the whole width, y inverted: 30 at the top.
    assert line == ["0.0,30.0", "66.7,2.0", "100.0,16.0"]
    assert '<polygon points="0,32 0.0,30.0' in svg and svg.startswith('<svg class="sparkline"')
    flat = str(sparkline([5, 5]))  # a constant series is a flat line, not a division by zero
    assert '<polyline points="0.0,30.0 100.0,30.0"' in flat
    assert sparkline([7]) == "" and sparkline([]) == "" and sparkline(None) == ""


def test_htmx_is_loaded_only_by_the_pages_that_use_it():
    """htmx (51 kB) is not in the base template: a template with hx- attributes loads it itself
    (or is included by one that does), so the other pages do not parse it on a phone."""
    base = (HTXSO / "templates" / "base.html").read_text(encoding="utf-8")
    assert "htmx.min.js" not in base
    loaders = {p.name: p for p in HTXSO.rglob("*.html") if "htmx.min.js" in p.read_text("utf-8")}
    for path in HTXSO.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if not re.search(r"\bhx-(get|post|trigger|target|swap)=", text) or path.name in loaders:
            continue
        includers = [
            p for p in loaders.values() if path.name in p.read_text(encoding="utf-8")
        ]  # a fragment (e.g. core/_job_progress.html) rides on its page's script
        assert includers, f"{path.relative_to(ROOT)} uses htmx but no page loading it includes it"


@pytest.mark.django_db
def test_the_registry_list_loads_htmx_and_the_overview_does_not(client):
    assert b"htmx.min.js" in client.get("/registry/").content
    assert b"htmx.min.js" not in client.get("/overview/").content
