"""Test support lives in tests/support: conftest files hold fixtures and hooks only.

A helper that tests import belongs in a module of tests/support (imported as
``tests.support.<subject>``); importing from a conftest module, or defining a public
function, class or constant in one, brings back helpers that only some tests can see.
"""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ALLOWED_CONFTEST_NAMES = {"pytest_plugins"}


def _module_of(path: Path) -> list[str]:
    """Return a file's module path under tests/ (``__init__`` kept, as relative imports count)."""
    return ["tests", *path.relative_to(TESTS).with_suffix("").parts]


def conftest_imports(tree: ast.Module, module: list[str]) -> list[str]:
    """Return the conftest modules that ``tree`` (the module named ``module``) imports from."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            package = module[: len(module) - node.level] if node.level else []
            target = [*package, *(node.module.split(".") if node.module else [])]
            named = [target + [alias.name] for alias in node.names]
            found += [".".join(n) for n in [target, *named] if n[-1] == "conftest"]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if "conftest" in a.name.split(".")]
    return found


def _is_fixture(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    return name == "fixture"


def conftest_helpers(tree: ast.Module) -> list[str]:
    """Return the public names a conftest defines that are not fixtures or pytest hooks."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if not any(_is_fixture(d) for d in node.decorator_list) and not (
                node.name.startswith("pytest_")
            ):
                found.append(node.name)
        elif isinstance(node, ast.ClassDef):
            found.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found += [t.id for t in targets if isinstance(t, ast.Name)]
    return [n for n in found if not n.startswith("_") and n not in ALLOWED_CONFTEST_NAMES]


def _python_files() -> list[Path]:
    return sorted(TESTS.rglob("*.py"))


def test_no_module_imports_from_a_conftest():
    offenders = {
        str(path.relative_to(TESTS)): imported
        for path in _python_files()
        if (imported := conftest_imports(ast.parse(path.read_text()), _module_of(path)))
    }
    assert offenders == {}, "import helpers from tests.support.<subject>, not from conftest"


def test_conftest_files_define_fixtures_and_hooks_only():
    conftests = [path for path in _python_files() if path.name == "conftest.py"]
    assert len(conftests) > 5
    offenders = {
        str(path.relative_to(TESTS)): helpers
        for path in conftests
        if (helpers := conftest_helpers(ast.parse(path.read_text())))
    }
    assert offenders == {}, "move these helpers to a module of tests/support"


def test_the_checks_see_what_they_forbid():
    source = """
import pytest
from . import conftest
from .conftest import callback
from ..audit.conftest import events_since
from tests.helpline.conftest import VALID
import tests.chart.conftest

VALID = {}
pytest_plugins = ["x"]
_PRIVATE = 1


class World:
    pass


def helper():
    pass


def _private_helper():
    pass


@pytest.fixture
def nurse(db):
    pass


@pytest.fixture(autouse=True)
def _rate_limit_off(settings):
    pass


def pytest_collection_modifyitems(items):
    pass
"""
    tree = ast.parse(source)
    assert conftest_imports(tree, ["tests", "helpline_console", "test_console"]) == [
        "tests.helpline_console.conftest",
        "tests.helpline_console.conftest",
        "tests.audit.conftest",
        "tests.helpline.conftest",
        "tests.chart.conftest",
    ]
    assert conftest_helpers(tree) == ["VALID", "World", "helper"]
