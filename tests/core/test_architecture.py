"""The import contract is the layer order docs/architecture.md shows, and it holds."""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from django.apps import apps

REPO = Path(__file__).resolve().parents[2]


def _contract() -> dict:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c["id"] == "layers")


def _documented_layers() -> list[str]:
    text = (REPO / "docs" / "architecture.md").read_text()
    block = re.search(r"```text\n(.*?)```", text, re.S)
    assert block, "docs/architecture.md lost its layer block"
    return block.group(1).strip().splitlines()


def test_docs_show_the_layer_order_the_contract_enforces():
    assert _documented_layers() == _contract()["layers"]


def test_every_project_app_has_its_place_in_the_layers():
    layered = {name.strip() for line in _contract()["layers"] for name in line.split("|")}
    ours = {
        config.name.removeprefix("openrecovery.")
        for config in apps.get_app_configs()
        if config.name.startswith("openrecovery.")
    }
    assert ours == layered
    assert _contract()["exhaustive"] is True


def _lint_imports(source: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "lint-imports"),
            "--no-cache",
            "--config",
            str(REPO / "pyproject.toml"),
        ],
        cwd=source,
        env={"PYTHONPATH": str(source), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_import_contracts_are_kept():
    done = _lint_imports(REPO / "src")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_a_wrong_way_import_breaks_the_contract(tmp_path: Path):
    """The audit log sits below accounts: audit importing accounts must fail the check."""
    shutil.copytree(
        REPO / "src" / "openrecovery",
        tmp_path / "openrecovery",
        ignore=shutil.ignore_patterns("__pycache__", "static", "templates"),
    )
    services = tmp_path / "openrecovery" / "audit" / "services.py"
    services.write_text(services.read_text() + "\nfrom openrecovery.accounts import roles\n")
    done = _lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout[-3000:]
    assert "openrecovery.audit is not allowed to import openrecovery.accounts" in done.stdout
    assert "openrecovery.audit.services -> openrecovery.accounts.roles" in done.stdout
