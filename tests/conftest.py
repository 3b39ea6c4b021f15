"""Shared set-up: the helpers importable as a plain module, bytecode for the subprocesses, and the
fixtures most tests start from (a fresh store, deck and card factories)."""

from __future__ import annotations

import compileall
import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

# What a `srs` subprocess imports. Where PYTHONDONTWRITEBYTECODE is set (as on CI machines), no
# process caches its bytecode, and each subprocess would spend over a second compiling sqlalchemy
# and typer again; compiling them once here (skipped when up to date) saves that every time.
_SUBPROCESS_PACKAGES = (
    "srs",
    "sqlalchemy",
    "typer",
    "click",
    "rich",
    "markdown_it",
    "mdurl",
    "pygments",
    "genanki",
    "platformdirs",
    "typing_extensions",
    "shellingham",
)


ROOT = Path(__file__).resolve().parents[1]
_static_checks: dict[str, subprocess.Popen[str]] = {}


def pytest_sessionstart(session: pytest.Session) -> None:
    """Start the type check in the background (it takes seconds cold, and a second core is free
    while the tests run), then write the bytecode of what `srs` subprocesses import, once."""
    if os.environ.get("SRS_SKIP_STATIC_CHECKS") != "1":
        _static_checks["mypy"] = subprocess.Popen(
            [sys.executable, "-m", "mypy", "--strict", "src"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    if not sys.flags.dont_write_bytecode:
        return  # every process caches its own bytecode
    for name in _SUBPROCESS_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        origin = Path(spec.origin)
        if origin.name == "__init__.py":
            compileall.compile_dir(origin.parent, quiet=1, workers=0)
        else:
            compileall.compile_file(origin, quiet=1)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """The path of a collection file that does not exist yet, in a folder of its own."""
    return tmp_path / "srs.db"


@pytest.fixture
def store(db: Path) -> Iterator[object]:
    """A fresh, empty collection on a real SQLite file, closed after the test."""
    from srs.store import Store

    opened = Store.open(f"sqlite:///{db}", str(db))
    yield opened
    opened.close()


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Any]:
    """A fresh collection of the real Anki backend (the `anki` package), closed after the test."""
    from anki.collection import Collection

    (tmp_path / "anki").mkdir(exist_ok=True)
    collection = Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield collection
    collection.close()


def static_check(name: str) -> tuple[int, str]:
    """The exit status and output of a static check started at the beginning of the session."""
    process = _static_checks.get(name)
    if process is None:
        pytest.skip(f"{name} was not started (SRS_SKIP_STATIC_CHECKS=1)")
    output, _ = process.communicate(timeout=300)
    return process.returncode, output
