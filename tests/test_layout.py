"""The tests' own layout (issue 14 §3): test directories mirror the code's packages, and
fixtures reach tests through pytest's conftest hierarchy only: no module imports from a
conftest, and no conftest hands on a fixture defined elsewhere under its own name."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from _pytest.fixtures import FixtureFunctionDefinition

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
# Test directory → the code it mirrors: each directory below it names a package there.
MIRRORS = {
    TESTS / "simon_api": ROOT / "services" / "simon_api",
    TESTS / "sync_worker": ROOT / "services" / "sync_worker",
    TESTS / "rompslomp_sandbox": ROOT / "services" / "rompslomp_sandbox",
    TESTS / "shared": ROOT / "shared",
}
# Python that may import test helpers: the tests, and the scripts that reuse them.
SOURCES = [TESTS, ROOT / "bench", ROOT / "scripts"]


def directories_below(root: Path) -> list[Path]:
    return sorted(
        path
        for path in [root, *root.rglob("*")]
        if path.is_dir() and path.name != "__pycache__" and not path.name.startswith(".")
    )


def python_files() -> list[Path]:
    return sorted(
        path
        for source in SOURCES
        for path in source.rglob("*.py")
        if "__pycache__" not in path.parts
    )


def conftest_modules() -> list[str]:
    return sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in TESTS.rglob("conftest.py")
        if "__pycache__" not in path.parts
    )


def imports_from_a_conftest(source: str) -> list[str]:
    """Each import in `source` that reaches into a conftest module, as written."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = [alias.name for alias in node.names]
            if "conftest" in module.split(".") or "conftest" in names:
                found.append(f"from {'.' * node.level}{module} import {', '.join(names)}")
        elif isinstance(node, ast.Import):
            found.extend(
                f"import {alias.name}"
                for alias in node.names
                if "conftest" in alias.name.split(".")
            )
    return found


def fixtures_from_elsewhere(module_name: str) -> list[str]:
    """The fixtures a conftest module holds that are defined in another module."""
    module = importlib.import_module(module_name)
    return sorted(
        f"{name} (from {value._get_wrapped_function().__module__})"
        for name, value in vars(module).items()
        if isinstance(value, FixtureFunctionDefinition)
        and value._get_wrapped_function().__module__ != module_name
    )


def unmirrored(tests: Path, code: Path) -> list[str]:
    """Test directories below `tests` whose counterpart below `code` is no package."""
    return [
        str(directory.relative_to(tests))
        for directory in directories_below(tests)
        if directory != tests
        and not (code / directory.relative_to(tests) / "__init__.py").is_file()
    ]


def test_no_module_imports_from_a_conftest() -> None:
    """Helpers live in plain modules (tests/support/, or a support.py beside the conftest)."""
    found = {
        str(path.relative_to(ROOT)): imports
        for path in python_files()
        if (imports := imports_from_a_conftest(path.read_text()))
    }
    assert found == {}


def test_every_conftest_defines_its_fixtures_itself() -> None:
    """A fixture that several directories use lives in the conftest above them all."""
    found = {
        name: fixtures for name in conftest_modules() if (fixtures := fixtures_from_elsewhere(name))
    }
    assert found == {}


def test_test_directories_mirror_the_code() -> None:
    """tests/simon_api/work_orders/ exists because services/simon_api/work_orders/ does."""
    found = {
        str(tests.relative_to(ROOT)): missing
        for tests, code in MIRRORS.items()
        if (missing := unmirrored(tests, code))
    }
    assert found == {}


def test_every_test_directory_is_a_package() -> None:
    """The suite imports its helpers as `tests.x.y`: every directory needs its __init__.py."""
    assert [
        str(directory.relative_to(ROOT))
        for directory in directories_below(TESTS)
        if not (directory / "__init__.py").is_file()
    ] == []


def test_the_rules_can_fail(tmp_path: Path) -> None:
    """Each check finds what it exists to find."""
    assert imports_from_a_conftest("from .conftest import Api\n") == ["from .conftest import Api"]
    assert imports_from_a_conftest("from tests.a import conftest as a\nimport tests.conftest\n")
    assert imports_from_a_conftest("from tests.a.support import Api\n") == []
    (tmp_path / "tests" / "shop").mkdir(parents=True)
    (tmp_path / "code").mkdir()
    assert unmirrored(tmp_path / "tests", tmp_path / "code") != []
