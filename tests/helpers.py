"""Shared helpers: a small deck, the environment of one run, the CLI in-process or in a real
pseudo-terminal, and direct reads of a collection file."""

from __future__ import annotations

import atexit
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pexpect

SRS = str(Path(sys.executable).with_name("srs"))

SMALL_DECK = """\
[deck]
id = "tiny"
title = "Tiny deck"
source = "a test"

[[card]]
id = "alpha"
kind = "finding"
front = "Front of alpha"
back = "Back of alpha"
source = "§1"

[[card]]
id = "beta"
kind = "limitation"
front = "Front of beta"
back = "Back of beta"
source = "§2"

[[card]]
id = "gamma"
kind = "misreading"
front = "Front of gamma"
back = "Back of gamma"
source = "§3"
"""


# Card text that tries rich markup, escape sequences and C1 controls on the terminal.
HOSTILE_FRONT = "Is [red]x[/red] red? [bold]no[/] \x1b[2J\x1b]2;PWNED\x07 end"
HOSTILE_BACK = "Answer [link=http://evil]click[/link] \x1b[31mred\x1b[0m \x9b6n"


# The deck checker keeps each card's checks in the user cache directory (srs.checkcache); a test
# run keeps them here instead, unless a test names its own SRS_CACHE_DIR.
TEST_CACHE = Path(tempfile.mkdtemp(prefix="srs-test-cache-"))
atexit.register(shutil.rmtree, TEST_CACHE, ignore_errors=True)


def with_test_cache(env: Mapping[str, str]) -> dict[str, str]:
    """`env`, with SRS_CACHE_DIR pointing at this test run's cache unless it names one."""
    return {"SRS_CACHE_DIR": str(TEST_CACHE), **env}


def srs_env(db: Path, now: str, **extra: str) -> dict[str, str]:
    """Environment for one run: a temp database, a fixed clock and time zone, a sane terminal."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SRS_")}
    env.update(
        SRS_DB=str(db), SRS_NOW=now, SRS_TZ="UTC", TERM="xterm-256color", COLUMNS="100", **extra
    )
    return with_test_cache(env)


def default_signals() -> None:
    """In a child about to run: the signals a learner's terminal sends handled as by default.
    A test run started in the background of a shell (`pytest &`) ignores SIGINT and SIGQUIT,
    and a child would inherit that: Ctrl-C would then reach no `srs` under test."""
    import signal

    for signum in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


def spawn(args: list[str], env: Mapping[str, str]) -> pexpect.spawn:
    """Start `srs ARGS` in a real pseudo-terminal."""
    child = pexpect.spawn(
        SRS,
        args,
        env=dict(env),
        encoding="utf-8",
        timeout=90,
        dimensions=(50, 110),
        preexec_fn=default_signals,
    )
    # pexpect waits 50 ms before each key by default, for programs that drop early keys; srs
    # keeps keys typed ahead (TCSANOW), so the tests type as fast as a learner can
    child.delaybeforesend = None
    return child


def log_rows(db: Path) -> list[tuple[str, int, str, str]]:
    """(card id, grade, review kind, day) of every logged answer, oldest first."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT c.card_id, l.grade, l.review_kind, l.day FROM review_log l "
            "JOIN cards c ON c.pk = l.card_pk ORDER BY l.id"
        ).fetchall()


def states(db: Path) -> dict[str, tuple[int, int, int, str | None]]:
    """card id -> (n, ef, interval, due) for every card with a state row."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT c.card_id, s.n, s.ef, s.interval, s.due FROM card_state s "
            "JOIN cards c ON c.pk = s.card_pk"
        ).fetchall()
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


@dataclass(frozen=True)
class Result:
    """What one run of the CLI printed, and its exit status; run in a fresh interpreter, also the
    top-level packages it had imported when it ended."""

    returncode: int
    stdout: str
    stderr: str
    packages: frozenset[str] = frozenset()
    modules: frozenset[str] = frozenset()  # srs's own modules it had imported


# Runs `srs` in a fresh interpreter with the given arguments, output captured, then reports what
# was imported (for the tests that start-up stays lazy).
_FRESH_PROBE = """
import contextlib, io, json, sys
sys.argv = ["srs", *json.loads(sys.argv[1])]
out = io.StringIO()
code = 0
with contextlib.redirect_stdout(out):
    try:
        from srs.cli import main
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
report = {
    "code": code,
    "output": out.getvalue(),
    "packages": sorted({name.split(".")[0] for name in sys.modules}),
    "modules": sorted(name for name in sys.modules if name.split(".")[0] == "srs"),
}
sys.__stdout__.write("\\n" + json.dumps(report) + "\\n")
"""


class EncodedIO(io.StringIO):
    """A captured stream with a real encoding: writing what it cannot encode fails, as on a
    terminal whose encoding is that (e.g. `PYTHONIOENCODING=ascii`)."""

    def __init__(self, encoding: str) -> None:
        super().__init__()
        self._encoding = encoding

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding

    def write(self, text: str) -> int:
        text.encode(self._encoding)  # UnicodeEncodeError, as the real stream would raise
        return super().write(text)


def run_srs(
    args: list[str],
    env: Mapping[str, str],
    input: str = "",
    cwd: Path | None = None,
    encoding: str | None = None,
    fresh: bool = False,
) -> Result:
    """Run `srs ARGS` in this process, through `srs.cli.main` and so through its one place that
    turns errors into a line, with `env` as the whole environment and `input` on stdin.

    Costs milliseconds where a subprocess costs a second or two on a busy machine; the tests that
    need a real process or terminal use `spawn` or `subprocess` instead. With `encoding`, stdout
    and stderr take only what that encoding can write. With `fresh`, `srs` runs in a new
    interpreter instead (`input`, `cwd` and `encoding` unused), and the result also lists the
    top-level packages it imported: what start-up loads.
    """
    env = with_test_cache(env)
    if fresh:
        return _run_fresh(args, env)
    from srs import cli

    saved_env = dict(os.environ)
    saved_argv, saved_cwd = sys.argv, os.getcwd()
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    out = io.StringIO() if encoding is None else EncodedIO(encoding)
    err = io.StringIO() if encoding is None else EncodedIO(encoding)
    os.environ.clear()
    os.environ.update(env)
    sys.argv = ["srs", *args]
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(input), out, err
    if cwd is not None:
        os.chdir(cwd)
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return Result(code, out.getvalue(), err.getvalue())


def _run_fresh(args: list[str], env: Mapping[str, str]) -> Result:
    """`srs ARGS` in a fresh interpreter: its exit code, output and imported packages."""
    done = subprocess.run(
        [sys.executable, "-c", _FRESH_PROBE, json.dumps(args)],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return Result(
        report["code"],
        report["output"],
        done.stderr,
        frozenset(report["packages"]),
        frozenset(report["modules"]),
    )
