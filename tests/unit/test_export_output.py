"""`srs export anki -o` replaces nothing it was not asked to (issue 28): an existing output needs
--force, and a path that is not a regular file is refused even with it. Every path printed in a
"wrote" line, and the learner in `config set`, is escaped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from anki_packages import package
from helpers import SMALL_DECK, run_srs, srs_env

NOW = "2026-03-02T10:00:00+00:00"


def loaded(tmp_path: Path) -> dict[str, str]:
    env = srs_env(tmp_path / "srs.db", NOW)
    deck = tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK, encoding="utf-8")
    assert run_srs(["deck", "add", str(deck)], env).returncode == 0
    return env


def test_an_existing_deck_file_is_kept_unless_force_is_given(tmp_path: Path) -> None:
    env = loaded(tmp_path)
    out = tmp_path / "tiny.toml"  # the deck file itself, given by mistake
    before = out.read_bytes()
    done = run_srs(["export", "anki", "-o", str(out)], env)
    assert (done.returncode, done.stderr) == (
        1,
        f"srs: error: {out} exists; pass --force to replace it\n",
    )
    assert out.read_bytes() == before
    done = run_srs(["export", "anki", "-o", str(out), "--force"], env)
    assert done.returncode == 0 and out.read_bytes()[:2] == b"PK"


def test_a_fifo_or_a_device_node_is_refused_even_with_force(tmp_path: Path) -> None:
    env = loaded(tmp_path)
    fifo = tmp_path / "pipe.apkg"
    os.mkfifo(fifo)
    targets = [fifo, tmp_path]
    if os.geteuid() == 0:  # a null device of our own, so nothing of the system's is at stake
        node = tmp_path / "null.apkg"
        os.mknod(node, 0o666 | 0o020000, os.makedev(1, 3))
        targets.append(node)
    for target in targets:
        for force in ([], ["--force"]):
            done = run_srs(["export", "anki", "-o", str(target), *force], env)
            assert (done.returncode, done.stderr) == (
                1,
                f"srs: error: cannot write {target}: it exists and is not a regular file\n",
            )
    assert fifo.exists() and not fifo.is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_a_path_too_long_is_one_line(tmp_path: Path) -> None:
    env = loaded(tmp_path)
    long = tmp_path / ("x" * 5000 + ".apkg")
    done = run_srs(["export", "anki", "-o", str(long)], env)
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "File name too long" in done.stderr


@pytest.mark.parametrize("command", ["export", "import", "new"])
def test_wrote_lines_escape_the_path(tmp_path: Path, command: str) -> None:
    env = loaded(tmp_path)
    evil = tmp_path / "e\x1b[2J\u202e"
    evil.mkdir()
    if command == "export":
        args = ["export", "anki", "-o", str(evil / "x.apkg")]
    elif command == "import":
        args = ["import", "anki", str(package(tmp_path / "p.apkg")), "-o", str(evil / "x.toml")]
    else:
        args = ["deck", "new", "fresh", "--dir", str(evil)]
    done = run_srs(args, env)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\u202e" not in done.stdout
    assert "e\\x1b[2J\\u202e" in done.stdout


def test_config_set_escapes_the_learner(tmp_path: Path) -> None:
    env = srs_env(tmp_path / "srs.db", NOW, SRS_LEARNER="eve\u202eevil")
    done = run_srs(["config", "set", "scheduler", "fsrs"], env)
    assert done.returncode in (0, 1)
    assert "\u202e" not in done.stdout + done.stderr
