"""SIGTERM and kill -9 in the middle of an import or export (issue 28): SIGTERM leaves nothing in
$TMPDIR and no part file; what kill -9 leaves is removed by the next import or export.

Each run is a real `srs` process that sends itself the signal at a chosen step (a function
wrapped before the command runs), so the signal always lands while its temporary files exist.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from anki_packages import package
from helpers import SRS, run_srs, srs_env

NOW = "2026-03-02T10:00:00+00:00"

_SIGNALLED = """
import importlib, os, sys
module_name, attr, signum = sys.argv[1], sys.argv[2], int(sys.argv[3])
module = importlib.import_module(module_name)
real = getattr(module, attr)

def signalled(*args, **kwargs):
    os.kill(os.getpid(), signum)
    return real(*args, **kwargs)

setattr(module, attr, signalled)
sys.argv = ["srs", *sys.argv[4:]]
from srs.cli import main
main()
"""

# (command, the step at which the signal is sent): the import while its collection is unpacked
# in $TMPDIR, the import as it writes its deck file, the export as it writes its package.
STEPS = {
    "import, reading": ("import", "srs.anki.import_", "read_collection"),
    "import, writing": ("import", "os", "fsync"),
    "export, writing": ("export", "os", "fsync"),
}


def run(
    tmp_path: Path, command: str, step: tuple[str, str] | None, signum: int = 0
) -> subprocess.CompletedProcess[str]:
    """`srs import anki` or `srs export anki` into tmp_path/out, with $TMPDIR tmp_path/tmp."""
    out = tmp_path / "out"
    if command == "import":
        apkg = tmp_path / "p.apkg"
        if not apkg.exists():
            package(apkg, [f"Question {i}" for i in range(50)])
        args = ["import", "anki", str(apkg), "-o", str(out / "deck.toml"), "--force"]
    else:
        args = ["export", "anki", "-o", str(out / "all.apkg"), "--force"]
    env = srs_env(tmp_path / "srs.db", NOW, TMPDIR=str(tmp_path / "tmp"))
    before = [SRS] if step is None else [sys.executable, "-c", _SIGNALLED, *step, str(signum)]
    return subprocess.run(
        [*before, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """$TMPDIR and the output's folder, empty, beside a collection made beforehand."""
    (tmp_path / "tmp").mkdir()
    (tmp_path / "out").mkdir()
    assert run_srs(["status"], srs_env(tmp_path / "srs.db", NOW)).returncode == 0
    return tmp_path / "tmp", tmp_path / "out"


@pytest.mark.parametrize("name", list(STEPS))
def test_sigterm_during_an_import_or_export_leaves_no_temporary_file(
    tmp_path: Path, folders: tuple[Path, Path], name: str
) -> None:
    command, module, attr = STEPS[name]
    done = run(tmp_path, command, (module, attr), signal.SIGTERM)
    assert done.returncode == -signal.SIGTERM, (done.returncode, done.stderr)
    tmp, out = folders
    assert list(tmp.iterdir()) == []
    assert list(out.iterdir()) == []  # no part file, and no output half written


@pytest.mark.parametrize("name", list(STEPS))
def test_what_kill_9_leaves_is_removed_by_the_next_run(
    tmp_path: Path, folders: tuple[Path, Path], name: str
) -> None:
    command, module, attr = STEPS[name]
    done = run(tmp_path, command, (module, attr), signal.SIGKILL)
    assert done.returncode == -signal.SIGKILL, done.stderr
    tmp, out = folders
    left = list(tmp.iterdir()) + [p for p in out.iterdir() if p.name.endswith(".part")]
    assert left, "the signal came while a temporary file existed"
    again = run(tmp_path, command, None)
    assert again.returncode == 0, again.stderr
    assert list(tmp.iterdir()) == []
    assert [p.name for p in out.iterdir()] == ["deck.toml" if command == "import" else "all.apkg"]
