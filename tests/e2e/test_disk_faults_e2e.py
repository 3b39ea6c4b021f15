"""Faults of the disk under real processes (issue 28): a first run that cannot write leaves no
file behind, and reading commands work on a read-only file system.

A full disk is a file-size limit (RLIMIT_FSIZE) set in the child before it starts `srs`: every
write past it fails (Python ignores SIGXFSZ), as on a disk that is full.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import SRS, run_srs, srs_env

NOW = "2026-03-02T10:00:00+00:00"

_LIMITED = (
    "import os, resource, sys; n = int(sys.argv[1]); "
    "resource.setrlimit(resource.RLIMIT_FSIZE, (n, n)); os.execv(sys.argv[2], sys.argv[2:])"
)


def srs_on_a_full_disk(
    limit: int, args: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """`srs ARGS` in a child that can write no file past `limit` bytes."""
    return subprocess.run(
        [sys.executable, "-c", _LIMITED, str(limit), SRS, *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("limit", [0, 4096, 40_000])
def test_a_first_run_on_a_full_disk_leaves_no_file_and_the_next_run_starts_afresh(
    tmp_path: Path, limit: int
) -> None:
    db = tmp_path / "srs.db"
    env = srs_env(db, NOW)
    done = srs_on_a_full_disk(limit, ["status"], env)
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1 and "internal error" not in done.stderr, done.stderr
    assert done.stderr.startswith(f"srs: error: {db}: ")
    assert list(tmp_path.iterdir()) == []  # no empty srs.db, no half-built file
    later = run_srs(["status", "--json"], env)
    assert later.returncode == 0 and '"sleeper-agents"' in later.stdout, later.stderr


def _can_mount_read_only(folder: Path) -> bool:
    unshare = shutil.which("unshare")
    if unshare is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(
        [unshare, "-m", "sh", "-c", 'mount --bind -o ro "$1" "$1"', "sh", str(folder)],
        capture_output=True, check=False,
    )  # fmt: skip
    return probe.returncode == 0


def test_reading_commands_work_on_a_read_only_file_system(tmp_path: Path) -> None:
    """The folder is bind-mounted read-only in a mount namespace of the child's own."""
    folder = tmp_path / "c"
    folder.mkdir()
    if not _can_mount_read_only(folder):
        pytest.skip("needs root and unshare -m to mount a read-only file system")
    db = folder / "srs.db"
    env = srs_env(db, NOW)
    assert run_srs(["review"], env, input=" 4 5 2 q").returncode == 0
    script = 'mount --bind -o ro "$1" "$1" && shift && for c in "$@"; do $c || exit $?; done'
    commands = [f"{SRS} status", f"{SRS} stats --json", f"{SRS} deck list"]
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", str(folder), *commands],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "sleeper-agents" in done.stdout and '"answers": 3' in done.stdout
    review = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", str(folder), f"{SRS} review"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert review.returncode == 1 and "read-only" in review.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["srs.db"]
