"""The tabular layer sits below the domain apps: its modules (and `core.values`) import no app,
and reporting builds on it instead of reaching into exchange (#15)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # htxso/
DOMAIN_APPS = ("htxso.registry", "htxso.exchange", "htxso.reporting")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add("." * node.level + node.module)
    return found


LOWER = [p for p in (ROOT / "tabular").glob("*.py")] + [ROOT / "core" / "values.py"]


@pytest.mark.parametrize("path", LOWER, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_lower_layer_imports_no_domain_app(path):
    wrong = {m for m in _imports(path) if m.startswith(DOMAIN_APPS)}
    assert not wrong, f"{path.name} imports {sorted(wrong)}"


@pytest.mark.parametrize("path", sorted((ROOT / "reporting").rglob("*.py")), ids=str)
def test_reporting_does_not_reach_into_exchange_internals(path):
    # exchange.views.may_import is moving to core in the same issue; nothing else is allowed.
    wrong = {
        m for m in _imports(path) if m.startswith("htxso.exchange") and m != "htxso.exchange.views"
    }
    assert not wrong, f"{path.name} imports {sorted(wrong)}"


def test_setwise_imports_no_importer():
    for name in ("setwise.py", "setwise_copy.py", "setwise_values.py", "rows.py"):
        modules = _imports(ROOT / "exchange" / name)
        assert not {m for m in modules if m.endswith(("importers", "members"))}, name
