"""The import rules of DESIGN.md, read from the code itself, and the size limit of a module.

Each rule is checked on the source (every `import` statement, lazy ones included) and, for the
screens, on a fresh interpreter's `sys.modules` after importing them. Every list of modules here
is derived from the tree, so a new module is checked without editing this file.

Import circles are found on a graph built with `ast`: an edge for each `srs` module an import
statement names (`from srs.a import b` names `srs.a.b` when that is a module, else `srs.a`; the
package `__init__` that Python runs on the way is not counted, as every submodule would otherwise
be in a circle with its package). Two graphs are checked: the imports that run when a module is
imported (module level, outside `if TYPE_CHECKING:`), where a circle is a real start-up hazard; and
every import at any depth (inside functions and under `TYPE_CHECKING` too), where a circle means
two modules that cannot be understood apart.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "srs"
MAX_LINES = 400

# Each heavy library, and the only modules (or packages, with everything in them) that may import
# it. A library missing here can be imported anywhere but the core (see CORE_LIBRARIES).
HEAVY: dict[str, tuple[str, ...]] = {
    "sqlalchemy": ("srs.store", "srs.classroom"),  # classroom: make_url, to hide a password
    "psycopg": ("srs.store",),
    "typer": ("srs.cli", "srs.commands"),
    "click": ("srs.cli", "srs.commands"),
    "rich": ("srs.ui", "srs.commands"),
    "genanki": ("srs.anki",),
    "anki": ("srs.anki",),
    "html_to_markdown": ("srs.anki.import_",),
    "zstandard": ("srs.anki.import_",),
    "fsrs": ("srs.core.scheduling.fsrs",),
    "rtoml": ("srs.core.deckfile",),
    "rapidfuzz": ("srs.paper",),
    "pypdfium2": ("srs.paper",),
}

# The core uses the standard library and these pure text libraries, and nothing else but itself.
CORE_LIBRARIES = {"markdown_it", "mdit_py_plugins", "pylatexenc", "rtoml", "fsrs"}

LAYERS = ("srs.core", "srs.store", "srs.ui", "srs.commands", "srs.cli")
"""Everything else under srs (the top-level modules and srs.anki) is a service."""


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


def is_type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test) in {
        "TYPE_CHECKING",
        "typing.TYPE_CHECKING",
    }


def import_statements(path: Path, at_import_time: bool) -> Iterable[ast.Import | ast.ImportFrom]:
    """The file's import statements: all of them, or only those that run when it is imported
    (not inside a function, not under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if not at_import_time:
        yield from (n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom))
        return
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue  # runs when called; its decorators and defaults are not imports
        elif isinstance(node, ast.stmt) and is_type_checking(node):
            assert isinstance(node, ast.If)
            pending.extend(node.orelse)
        else:
            pending.extend(ast.iter_child_nodes(node))


def srs_targets(module: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The `srs` modules an import statement in `module` names (relative imports resolved)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in MODULES}
    base = node.module or ""
    if node.level:
        package = module.split(".")
        if MODULES[module].name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, base] if base else package)
    named = {f"{base}.{alias.name}" for alias in node.names}
    return {n if n in MODULES else base for n in named} & set(MODULES)


def import_graph(at_import_time: bool) -> dict[str, set[str]]:
    """module -> the srs modules it imports (see the module's note for what counts)."""
    return {
        module: {
            target
            for node in import_statements(path, at_import_time)
            for target in srs_targets(module, node)
        }
        - {module}
        for module, path in MODULES.items()
    }


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: each strongly connected set of two or more modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            members = []
            while True:
                member = stack.pop()
                members.append(member)
                if member == module:
                    break
            if len(members) > 1:
                found.append(sorted(members))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(found)


def top(name: str) -> str:
    return name.split(".")[0]


def in_layer(module: str, layer: str) -> bool:
    return module == layer or module.startswith(layer + ".")


def modules_in(layer: str) -> list[str]:
    return [m for m in MODULES if in_layer(m, layer)]


SERVICES = [m for m in MODULES if m != "srs" and not any(in_layer(m, x) for x in LAYERS)]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_heavy_library_is_imported_only_where_it_belongs(module: str) -> None:
    imported = {top(i) for i in imports_of(MODULES[module])}
    misplaced = {
        library
        for library in imported & set(HEAVY)
        if not any(in_layer(module, place) for place in HEAVY[library])
    }
    assert misplaced == set(), f"{module} imports {misplaced}"


@pytest.mark.parametrize("module", modules_in("srs.core"))
def test_the_core_imports_only_the_stdlib_its_text_libraries_and_itself(module: str) -> None:
    imported = imports_of(MODULES[module])
    libraries = {top(i) for i in imported} - set(sys.stdlib_module_names) - {"srs", "__future__"}
    assert libraries <= CORE_LIBRARIES, libraries
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
def test_the_store_imports_only_the_core_and_its_database_libraries(module: str) -> None:
    imported = imports_of(MODULES[module])
    assert not {top(i) for i in imported} & (set(HEAVY) - {"sqlalchemy", "psycopg"})
    srs_imports = {i for i in imported if top(i) == "srs"}
    assert all(in_layer(i, "srs.core") or in_layer(i, "srs.store") for i in srs_imports)


@pytest.mark.parametrize("module", modules_in("srs.ui"))
def test_the_screens_import_only_the_core_and_rich(module: str) -> None:
    imported = imports_of(MODULES[module])
    assert {top(i) for i in imported} & set(HEAVY) <= {"rich"}
    srs_imports = {i for i in imported if top(i) == "srs"}
    assert all(in_layer(i, "srs.core") or in_layer(i, "srs.ui") for i in srs_imports)


def test_every_service_is_found() -> None:
    # The derivation above, checked against what DESIGN.md names: a misnamed layer would empty it.
    assert {"srs.review", "srs.loading", "srs.anki.export", "srs.anki.import_"} <= set(SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_services_import_no_screen_and_no_cli(service: str) -> None:
    srs_imports = {i for i in imports_of(MODULES[service]) if top(i) == "srs"}
    assert not any(
        in_layer(i, "srs.ui") or in_layer(i, "srs.cli") or in_layer(i, "srs.commands")
        for i in srs_imports
    ), srs_imports


def test_no_module_outside_the_anki_package_is_named_for_anki() -> None:
    named = [m for m in MODULES if "anki" in m and not in_layer(m, "srs.anki")]
    assert named == []


def test_no_module_named_progress_is_about_the_ticker_or_anki_scheduling() -> None:
    # "progress" is a learner's state and log (docs/architecture.md, glossary).
    named = {m for m in MODULES if m.rsplit(".", 1)[-1] == "progress"}
    assert named <= {"srs.progress", "srs.commands.progress"}


def test_no_import_circle_runs_at_import_time() -> None:
    assert circles(import_graph(at_import_time=True)) == []


def test_no_module_outside_the_store_is_in_an_import_circle() -> None:
    found = circles(import_graph(at_import_time=False))
    assert [c for c in found if not any(in_layer(m, "srs.store") for m in c)] == []


def test_no_store_module_is_in_an_import_circle() -> None:
    found = circles(import_graph(at_import_time=False))
    assert [c for c in found if any(in_layer(m, "srs.store") for m in c)] == []


def test_no_store_class_inherits_another_store_class_but_the_database() -> None:
    # DESIGN.md: the store is composed of query objects; only `Database` may be a base.
    defined: dict[str, str] = {}
    bases: list[tuple[str, str, str]] = []
    for module in modules_in("srs.store"):
        for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                defined[node.name] = module
                for base in node.bases:
                    if isinstance(base, ast.Name):
                        bases.append((module, node.name, base.id))
    assert "Database" in defined and "Store" in defined
    wrong = [(m, c, b) for m, c, b in bases if b in defined and b != "Database"]
    assert wrong == []
    assert sum(1 for _, _, b in bases if b == "Database") >= 1


def test_the_circle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]


def test_nothing_imports_the_cli() -> None:
    importers = [m for m, path in MODULES.items() if "srs.cli" in imports_of(path)]
    assert importers == []


@pytest.mark.parametrize("module", ["srs.cli", *modules_in("srs.commands")])
def test_the_cli_imports_heavy_libraries_only_inside_commands(module: str) -> None:
    at_top: set[str] = set()
    for node in import_statements(MODULES[module], at_import_time=True):
        if isinstance(node, ast.Import):
            at_top.update(alias.name for alias in node.names)
        elif node.module and node.level == 0:
            at_top.add(node.module)
    assert {top(i) for i in at_top} & set(HEAVY) <= {"typer", "click"}
    lazy_only = ("srs.store", "srs.ui", "srs.anki")
    assert not any(in_layer(i, x) for i in at_top for x in lazy_only), at_top


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
