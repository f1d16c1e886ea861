"""The test suite's own layout: no test module imports another test module or a conftest.

What tests share lives in helper modules (`tests/worlds.py`, `tests/card_schema.py`,
`tests/e2e/harness.py`, ...) and fixtures in the nearest `conftest.py`, which pytest finds
without an import. A test module imported by another runs its module-level set-up twice and
drags its fixtures along, shadowing the conftest's.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _imported_modules(path: Path, root: Path) -> set[str]:
    """What `path` (a file under `root`, the `tests` package) imports: module names, and for
    `from package import name` also `package.name` (it may be a module). Relative imports are
    resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = [root.name, *path.relative_to(root).parts[:-1]]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _forbidden(module: str, root: Path) -> bool:
    parts = module.split(".")
    return parts[0] == root.name and (parts[-1].startswith("test_") or parts[-1] == "conftest")


def _violations(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        found.extend(
            f"{path.relative_to(root.parent).as_posix()} imports {name}"
            for name in sorted(_imported_modules(path, root))
            if _forbidden(name, root)
        )
    return found


def test_no_test_module_imports_another_test_module_or_a_conftest() -> None:
    assert _violations(TESTS) == []


def test_the_check_sees_such_imports(tmp_path: Path) -> None:
    suite = tmp_path / "tests"
    (suite / "e2e").mkdir(parents=True)
    (suite / "test_a.py").write_text("from tests.test_b import World\n")
    (suite / "test_c.py").write_text("import tests.e2e.conftest\nfrom tests import test_d\n")
    (suite / "e2e" / "test_e.py").write_text(
        "from .conftest import BotServer\nfrom . import test_f\n"
    )
    (suite / "e2e" / "harness.py").write_text("from ..test_g import start_site\n")
    (suite / "test_ok.py").write_text(
        "import test_outside\nfrom tests.worlds import NOW\nfrom tests import fakes\n"
    )
    assert _violations(suite) == [
        "tests/e2e/harness.py imports tests.test_g",
        "tests/e2e/test_e.py imports tests.e2e.conftest",
        "tests/e2e/test_e.py imports tests.e2e.test_f",
        "tests/test_a.py imports tests.test_b",
        "tests/test_c.py imports tests.e2e.conftest",
        "tests/test_c.py imports tests.test_d",
    ]
