"""The layers of the portal, as `lint-imports` checks them (contracts in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("customs_portal", "declarations", "payments", "inspection", "xray")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_code_keeps_every_layer_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "forbidden_import", "broken_contract"),
    [
        (
            "declarations/tariff/duty.py",
            "from declarations.core import models",
            "The tariff engine imports nothing from the rest of declarations",
        ),
        (
            "declarations/tariff/selectors.py",
            "from payments import models",
            "Apps above declarations, declarations above the shared base",
        ),
        (
            "declarations/core/services/submission.py",
            "from inspection import services",
            "Apps above declarations, declarations above the shared base",
        ),
        (
            "customs_portal/audit.py",
            "from declarations import hooks",
            "Apps above declarations, declarations above the shared base",
        ),
        (
            "customs_portal/ml_registry.py",
            "from inspection import services",
            "Apps above declarations, declarations above the shared base",
        ),
        (
            "payments/services.py",
            "from inspection import models",
            "Apps above declarations, declarations above the shared base",
        ),
        (
            "declarations/manifests/services.py",
            "from declarations.tariff import duty",
            "Outside the tariff engine, code imports only its public interface",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, forbidden_import, broken_contract):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with open(tmp_path / module, "a", encoding="utf-8") as source:
        source.write(f"\n{forbidden_import}  # noqa: E402,F401\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert broken_contract in broken
