"""A review ended by a signal gives the terminal back in its normal (cooked) mode."""

from __future__ import annotations

import os
import shlex
import signal
import time
from pathlib import Path

import pexpect
import pytest

from helpers import SMALL_DECK, SRS, default_signals, run_srs, srs_env


def srs_child_of(shell_pid: int) -> int:
    """The pid of the `srs` process the shell started (found in /proc, as `pgrep -P` would)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == shell_pid:
                return int(entry.name)
        time.sleep(0.05)
    raise AssertionError("no srs process under the shell")


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_a_review_ended_by_a_signal_under_sh_leaves_the_terminal_cooked(
    tmp_path: Path, signame: str
) -> None:
    db = tmp_path / "srs.db"
    deck = tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK, encoding="utf-8")
    env = srs_env(db, "2026-03-02T09:00")
    assert run_srs(["deck", "add", str(deck)], env).returncode == 0
    script = f"{shlex.quote(SRS)} review tiny; echo EXIT=$?; stty -a"
    child = pexpect.spawn(
        "sh",
        ["-c", script],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 100),
        preexec_fn=default_signals,
    )
    child.expect_exact("space/enter show answer")  # the review is in cbreak mode now
    os.kill(srs_child_of(child.pid), getattr(signal, signame))
    child.expect(r"EXIT=(\d+)")
    assert int(child.match.group(1)) == 128 + getattr(signal, signame)  # killed by that signal
    child.expect(pexpect.EOF)
    modes = f" {child.before} ".split()
    assert "icanon" in modes and "echo" in modes, child.before
    assert "-icanon" not in modes and "-echo" not in modes
