"""Whole-process comparisons for the ratios of issue 14: deck check / add / reload and their peak
memory next to Anki importing the same notes, `srs --help` next to a minimal typer app, and
`srs stats` next to Anki's statistics over the same review log.

Every pair runs interleaved (srs, anchor, srs, anchor, ...) and the medians are compared. A
process is timed from `Popen` to exit, and its peak memory (`ru_maxrss`) read from `os.wait4`.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from measure import BIN, child_env, copy_db

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent / "tests"

# A whole Anki process importing an .apkg into a collection (fresh, or holding it already).
ANKI_IMPORT_SCRIPT = f"""\
import sys
from pathlib import Path
sys.path.insert(0, {str(TESTS)!r})
from anki.collection import Collection
from anki_helpers import import_apkg
col = Collection(sys.argv[2])
import_apkg(col, Path(sys.argv[1]))
col.close()
"""

# A whole Anki process computing its statistics screen's data over a year, as `srs stats` does.
ANKI_STATS_SCRIPT = """\
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
graphs = col._backend.graphs(search="deck:Bench", days=365)
print(len(graphs.SerializeToString()))
col.close()
"""


# The floor of a Python tool built on these libraries: import them and exit (issue 30).
FLOOR_SCRIPT = "import sqlalchemy, typer, rich"

# What `srs review` shows once the first card is drawn (the session's progress line).
FIRST_CARD_MARK = "done 0 \u00b7 left"


class TimedOut(RuntimeError):
    """A measured process ran past its time limit."""


@dataclass(frozen=True)
class Run:
    """One finished process: wall-clock seconds and peak resident memory in KiB."""

    seconds: float
    max_rss_kib: int


# Starts the measured process and reports its wall-clock time and peak memory as JSON. A process
# forked straight from the benchmark would report the benchmark's own peak (Linux keeps the
# larger of the forking process's high-water mark and the child's: hundreds of MiB once the
# collections are built), so the measured process is forked from this small launcher instead.
LAUNCHER = """\
import json, os, subprocess, sys, time
argv, limit = json.loads(sys.argv[1]), float(sys.argv[2])
t0 = time.perf_counter()
proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
while True:
    pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
    if pid:
        break
    if time.perf_counter() - t0 > limit:
        proc.kill()
        os.wait4(proc.pid, 0)
        print(json.dumps({"timed_out": True}))
        sys.exit(0)
    time.sleep(0.002)
elapsed = time.perf_counter() - t0
code = os.waitstatus_to_exitcode(status)
print(json.dumps({"seconds": elapsed, "max_rss_kib": usage.ru_maxrss, "code": code}))
"""


def run_child(
    argv: Sequence[str], env: Mapping[str, str] | None = None, limit_s: float = 300
) -> Run:
    """Run `argv` to its end (output discarded); its time and peak memory. Raises on failure."""
    launcher = [sys.executable, "-c", LAUNCHER, json.dumps(list(argv)), str(limit_s)]
    with tempfile.TemporaryFile() as err:
        done = subprocess.run(
            launcher, env=child_env(env), stdout=subprocess.PIPE, stderr=err, check=False
        )
        report = json.loads(done.stdout.decode().strip().splitlines()[-1])
        if report.get("timed_out"):
            raise TimedOut(f"{' '.join(argv)} ran over {limit_s:.0f} s")
        if report["code"] != 0:
            err.seek(0)
            raise RuntimeError(
                f"{' '.join(argv)} exited {report['code']}: {err.read().decode()[-2000:]}"
            )
    return Run(report["seconds"], report["max_rss_kib"])


def ms(runs: Sequence[Run]) -> float:
    """Median wall-clock time in milliseconds."""
    return statistics.median(r.seconds for r in runs) * 1000


def peak_mib(runs: Sequence[Run]) -> float:
    """Median peak memory in MiB."""
    return statistics.median(r.max_rss_kib for r in runs) / 1024


@dataclass
class DeckRuns:
    """The deck rows: srs's check, add and reload next to Anki importing the same notes, the
    check and add of the deck with one card edited after a first check (issue 30), and the
    floor process run in the same rounds."""

    check: list[Run]
    add: list[Run]
    reload: list[Run]
    anki_import: list[Run]
    anki_reimport: list[Run]
    check_one_edit: list[Run]
    add_one_edit: list[Run]
    floor: list[Run]
    timed_out: str = ""


def one_edit(text: str) -> str:
    """The deck with one card's back changed (a word added to the middle card; no line moves)."""
    middle = text.index("[[card]]", len(text) // 2)
    at = text.index('back = "', middle) + len('back = "')
    return text[:at] + "Edited: " + text[at:]


def deck_commands(
    deck_file: Path, apkg: Path, scratch: Path, runs: int, env: Mapping[str, str], limit_s: float
) -> DeckRuns:
    """`srs deck check FILE`, `srs deck add FILE` into an empty collection and again unchanged,
    interleaved with Anki's import of the same notes into a fresh collection and again; then
    the same file with one card edited, checked and added after those (each command's card
    cache, `SRS_CACHE_DIR`, starts empty in each round, so the first check and add are cold);
    and the floor process."""
    srs, py = str(BIN / "srs"), str(BIN / "python")
    original = deck_file.read_text(encoding="utf-8")
    edited = one_edit(original)
    out = DeckRuns([], [], [], [], [], [], [], [])
    try:
        for i in range(runs + 1):  # the first round warms the caches and is not kept
            keep = i > 0
            db = scratch / f"deck-{i}" / "srs.db"
            db.parent.mkdir(parents=True)
            col = scratch / f"anki-deck-{i}" / "collection.anki2"
            col.parent.mkdir(parents=True)
            deck = db.parent / deck_file.name
            deck.write_text(original, encoding="utf-8")
            base = {**env, "SRS_DB": str(db)}
            check_env = {**base, "SRS_CACHE_DIR": str(db.parent / "check-cache")}
            add_env = {**base, "SRS_CACHE_DIR": str(db.parent / "add-cache")}
            check = run_child([srs, "deck", "check", str(deck)], check_env, limit_s)
            first = run_child([py, "-c", ANKI_IMPORT_SCRIPT, str(apkg), str(col)], None, limit_s)
            add = run_child([srs, "deck", "add", str(deck)], add_env, limit_s)
            again = run_child([py, "-c", ANKI_IMPORT_SCRIPT, str(apkg), str(col)], None, limit_s)
            reload = run_child([srs, "deck", "add", str(deck)], add_env, limit_s)
            floor = run_child([py, "-c", FLOOR_SCRIPT], None, limit_s)
            deck.write_text(edited, encoding="utf-8")
            check_edit = run_child([srs, "deck", "check", str(deck)], check_env, limit_s)
            add_edit = run_child([srs, "deck", "add", str(deck)], add_env, limit_s)
            if keep:
                out.check.append(check)
                out.add.append(add)
                out.reload.append(reload)
                out.anki_import.append(first)
                out.anki_reimport.append(again)
                out.check_one_edit.append(check_edit)
                out.add_one_edit.append(add_edit)
                out.floor.append(floor)
    except TimedOut as exc:
        out.timed_out = str(exc)
    return out


def first_card(srs_args: Sequence[str], env: Mapping[str, str], limit_s: float = 120) -> Run:
    """`srs review` on a pseudo-terminal, from its start until the first card is drawn (its
    progress line is on screen); the process is then stopped. Peak memory is not read (0)."""
    import time

    import pexpect

    t0 = time.perf_counter()
    child = pexpect.spawn(
        str(BIN / "srs"),
        list(srs_args),
        env=child_env(env),
        encoding="utf-8",
        timeout=limit_s,
        dimensions=(50, 110),
    )
    try:
        child.expect_exact(FIRST_CARD_MARK)
        elapsed = time.perf_counter() - t0
    finally:
        child.terminate(force=True)
    return Run(elapsed, 0)


def start_up_floor(
    status_db: Path, review_db: Path, runs: int, env: Mapping[str, str]
) -> tuple[list[Run], list[Run], list[Run]]:
    """The floor process, `srs status` and `srs review` up to its first card, interleaved."""
    floor: list[Run] = []
    status: list[Run] = []
    review: list[Run] = []
    py = str(BIN / "python")
    for i in range(runs + 1):
        a = run_child([py, "-c", FLOOR_SCRIPT])
        b = run_child([str(BIN / "srs"), "status", "--db", str(status_db)], env)
        c = first_card(["review", "--db", str(review_db)], {**env, "TERM": "xterm-256color"})
        if i:
            floor.append(a)
            status.append(b)
            review.append(c)
    return floor, status, review


def reload_floor(
    deck_file: Path, scratch: Path, runs: int, env: Mapping[str, str]
) -> tuple[list[Run], list[Run]]:
    """The floor process and `srs deck add FILE` of a file the collection already holds
    unchanged, interleaved (`runs` times each after one warm-up pair); the file is added once
    first, untimed."""
    srs, py = str(BIN / "srs"), str(BIN / "python")
    scratch.mkdir(parents=True, exist_ok=True)
    deck = scratch / deck_file.name
    deck.write_bytes(deck_file.read_bytes())
    base = {**env, "SRS_DB": str(scratch / "srs.db"), "SRS_CACHE_DIR": str(scratch / "cache")}
    run_child([srs, "deck", "add", str(deck)], base)
    floor: list[Run] = []
    reload: list[Run] = []
    for i in range(runs + 1):
        a = run_child([py, "-c", FLOOR_SCRIPT])
        b = run_child([srs, "deck", "add", str(deck)], base)
        if i:
            floor.append(a)
            reload.append(b)
    return floor, reload


def interleaved(
    ours: Sequence[str], theirs: Sequence[str], runs: int, env: Mapping[str, str] | None = None
) -> tuple[list[Run], list[Run]]:
    """`ours` (with `env`) and `theirs`, run in turn `runs` times each after one warm-up pair."""
    mine: list[Run] = []
    other: list[Run] = []
    for i in range(runs + 1):
        a = run_child(ours, env)
        b = run_child(theirs)
        if i:
            mine.append(a)
            other.append(b)
    return mine, other


def help_pair(runs: int) -> tuple[list[Run], list[Run]]:
    """`srs --help` and the minimal typer app's `--help`, interleaved, one warm-up each."""
    mini = str(HERE / "mini_typer.py")
    return interleaved([str(BIN / "srs"), "--help"], [str(BIN / "python"), mini, "--help"], runs)


def status_pair(
    db: Path, anki: Path, runs: int, env: Mapping[str, str]
) -> tuple[list[Run], list[Run]]:
    """`srs status` and Anki's process (import, open, print due counts), interleaved."""
    from anki_side import COUNTS_SCRIPT

    ours = [str(BIN / "srs"), "status", "--db", str(db)]
    return interleaved(ours, [str(BIN / "python"), "-c", COUNTS_SCRIPT, str(anki)], runs, env)


def stats_pair(
    db: Path, anki: Path, runs: int, env: Mapping[str, str]
) -> tuple[list[Run], list[Run]]:
    """`srs stats` and Anki's statistics data over the same log, whole processes, interleaved."""
    ours = [str(BIN / "srs"), "stats", "--db", str(db)]
    return interleaved(ours, [str(BIN / "python"), "-c", ANKI_STATS_SCRIPT, str(anki)], runs, env)


def _ease(grade: int) -> int:
    """Anki's button for an SM-2 grade: Again below 3, then Hard, Good, Easy."""
    return 1 if grade < 3 else grade - 1


_TYPE = {"new": 0, "review": 1, "drill": 2}  # revlog.type: learn, review, relearn


def anki_with_log(srs_db: Path, anki: Path, folder: Path) -> Path:
    """A copy of the Anki twin holding srs's whole review log as Anki revlog rows (cached).

    Each srs answer becomes one revlog row on the same card (matched by note guid): the same
    time, the grade as Anki's button, the interval before and after, ef as Anki's factor.
    """
    target = folder / anki.name
    marker = folder / "log-rows"
    if target.exists() and marker.exists():
        return target
    copy = copy_db(anki, folder)
    sys.path.insert(0, str(HERE.parent / "src"))
    from srs.anki.export import note_guid
    from srs.store.schema import card_from

    src = sqlite3.connect(srs_db)
    src.row_factory = sqlite3.Row
    dst = sqlite3.connect(copy)
    try:
        by_guid = dict(dst.execute("SELECT n.guid, c.id FROM cards c JOIN notes n ON n.id = c.nid"))
        decks = {r["id"]: r for r in src.execute("SELECT id, title, source FROM decks")}
        cid: dict[int, int] = {}
        from srs.core.model import Deck

        for row in src.execute("SELECT * FROM cards"):
            deck = decks[row["deck_id"]]
            card = card_from(SimpleNamespace(**dict(row)))  # type: ignore[arg-type]
            guid = note_guid(Deck(deck["id"], deck["title"], deck["source"]), card)
            if guid in by_guid:
                cid[row["pk"]] = by_guid[guid]
        rows = []
        last_id = 0
        query = (
            "SELECT card_pk, reviewed_at, grade, review_kind, interval, prev_interval, ef "
            "FROM review_log ORDER BY id"
        )
        for pk, at, grade, kind, ivl, prev_ivl, ef in src.execute(query):
            if pk not in cid:
                continue
            when = datetime.fromisoformat(at).replace(tzinfo=UTC)
            rev_id = max(int(when.timestamp() * 1000), last_id + 1)
            last_id = rev_id
            rows.append(
                (rev_id, cid[pk], -1, _ease(grade), ivl, prev_ivl, ef * 10, 6000, _TYPE[kind])
            )
        dst.execute("DELETE FROM revlog")
        dst.executemany(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        dst.commit()
    finally:
        src.close()
        dst.close()
    marker.write_text(str(len(rows)), encoding="utf-8")
    return copy
