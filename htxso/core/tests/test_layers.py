"""The layers hold: no module imports a layer above it (import-linter contracts in
pyproject.toml, the picture in docs/architecture.md "Layers").

`make lint` runs the same contracts; this test makes CI hold them too."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_no_module_imports_a_layer_above_it() -> None:
    result = _lint(ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_contract_fails_on_a_forbidden_import(tmp_path: Path) -> None:
    # Proof that the check can fail: the registry imports core, so a contract putting core
    # above the registry is broken, and lint-imports says which import breaks it.
    config = tmp_path / "layers.toml"
    config.write_text(
        "[tool.importlinter]\n"
        'root_package = "htxso"\n'
        "[[tool.importlinter.contracts]]\n"
        'name = "upside down"\n'
        'type = "layers"\n'
        'layers = ["htxso.core", "htxso.registry"]\n',
        encoding="utf-8",
    )
    result = _lint(config)
    assert result.returncode != 0
    assert "htxso.registry is not allowed to import htxso.core" in result.stdout
