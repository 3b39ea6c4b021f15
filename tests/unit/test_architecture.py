"""The import rules of DESIGN.md, read from the code itself, and the size limit of a module.

Each rule is checked on the source (every `import` statement, lazy ones included) and, for the
screens, on a fresh interpreter's `sys.modules` after importing them.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "srs"
HEAVY = ("sqlalchemy", "typer", "rich", "genanki", "fsrs", "anki", "click")
SERVICES = ("review", "loading", "authoring", "progress", "anki.export")
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def imports_of(path: Path) -> set[str]:
    """Every module named by an import statement in the file, at any depth."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def top(name: str) -> str:
    return name.split(".")[0]


def in_layer(module: str, layer: str) -> bool:
    return module == layer or module.startswith(layer + ".")


def modules_in(layer: str) -> list[str]:
    return [m for m in MODULES if in_layer(m, layer)]


@pytest.mark.parametrize("module", modules_in("srs.core"))
def test_the_core_imports_no_framework_and_nothing_outside_the_core(module: str) -> None:
    imported = imports_of(MODULES[module])
    allowed_heavy = {"fsrs"} if module == "srs.core.scheduling.fsrs" else set()
    assert {top(i) for i in imported} & set(HEAVY) <= allowed_heavy
    srs_imports = {i for i in imported if top(i) == "srs"}
    assert all(in_layer(i, "srs.core") for i in srs_imports), srs_imports


@pytest.mark.parametrize("module", modules_in("srs.core"))
def test_the_core_reads_no_clock_and_no_environment(module: str) -> None:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    called = {
        n.func.attr
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
    }
    attributes = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert not called & {"now", "today", "utcnow", "time", "time_ns", "monotonic"}
    assert not attributes & {"environ", "getenv"}


@pytest.mark.parametrize("module", modules_in("srs.store"))
def test_the_store_imports_only_the_core_and_sqlalchemy(module: str) -> None:
    imported = imports_of(MODULES[module])
    assert not {top(i) for i in imported} & (set(HEAVY) - {"sqlalchemy"})
    srs_imports = {i for i in imported if top(i) == "srs"}
    assert all(in_layer(i, "srs.core") or in_layer(i, "srs.store") for i in srs_imports)


@pytest.mark.parametrize("module", modules_in("srs.ui"))
def test_the_screens_import_only_the_core_and_rich(module: str) -> None:
    imported = imports_of(MODULES[module])
    assert {top(i) for i in imported} & set(HEAVY) <= {"rich"}
    srs_imports = {i for i in imported if top(i) == "srs"}
    assert all(in_layer(i, "srs.core") or in_layer(i, "srs.ui") for i in srs_imports)


@pytest.mark.parametrize("service", SERVICES)
def test_services_import_no_screen_and_no_cli(service: str) -> None:
    srs_imports = {i for i in imports_of(MODULES[f"srs.{service}"]) if top(i) == "srs"}
    assert not any(in_layer(i, "srs.ui") or in_layer(i, "srs.cli") for i in srs_imports)


def test_nothing_imports_the_cli() -> None:
    importers = [m for m, path in MODULES.items() if "srs.cli" in imports_of(path)]
    assert importers == []


def test_the_cli_imports_heavy_libraries_only_inside_commands() -> None:
    tree = ast.parse(MODULES["srs.cli"].read_text(encoding="utf-8"))
    at_top = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            at_top.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            at_top.add(node.module)
    assert {top(i) for i in at_top} & set(HEAVY) <= {"typer"}
    assert not any(in_layer(i, "srs.store") or in_layer(i, "srs.ui") for i in at_top)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_the_size_limit(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines"


def test_importing_every_screen_loads_neither_sqlalchemy_nor_the_store() -> None:
    screens = [m for m in MODULES if in_layer(m, "srs.ui")]
    probe = (
        "import importlib, json, sys\n"
        f"for name in {screens!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = set(json.loads(done.stdout))
    assert "sqlalchemy" not in loaded
    assert not any(in_layer(m, "srs.store") for m in loaded)
