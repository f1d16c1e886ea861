"""Layer rules, checked without import-linter as well (its contracts in pyproject.toml say more):
the domain imports no framework; botbuilder stays in bot/."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = (
    "botbuilder",
    "botframework",
    "aiohttp",
    "sqlalchemy",
    "alembic",
    "apscheduler",
    "msrest",
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _violations(package: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in _imports(path):
            if name.split(".")[0] in forbidden:
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_followup_imports_no_framework() -> None:
    assert _violations("followup", FRAMEWORKS) == []


def test_followup_imports_no_outer_layer() -> None:
    assert _violations("followup", ("bot", "storage", "scheduler")) == []


def test_botbuilder_only_in_bot() -> None:
    for package in ("followup", "storage", "scheduler", "manifest"):
        assert _violations(package, ("botbuilder", "botframework", "msrest")) == [], package


def test_storage_does_not_reach_up() -> None:
    assert _violations("storage", ("bot", "scheduler")) == []


def test_the_check_itself_sees_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import sqlalchemy.orm\nfrom botbuilder.core import TurnContext\n")
    assert _imports(sample) == {"sqlalchemy.orm", "botbuilder.core"}
