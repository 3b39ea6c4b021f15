"""The code passes its own checks: `mypy --strict src`, `ruff check` and `ruff format --check`."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT, static_check


def test_mypy_strict_finds_no_error_in_src() -> None:
    code, output = static_check("mypy")
    assert code == 0, output


def test_ruff_check_is_clean() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--quiet", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_leaves_every_file_as_it_is() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--quiet", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
