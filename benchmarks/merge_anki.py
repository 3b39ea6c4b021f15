"""`srs merge anki` of a package with 10k cards and 100k review-log rows, next to Anki's own
import of the same package (issue 27: within 2x).

The package is srs's own `export anki --with-progress` of a 10k-card collection with 100k answers:
10k notes, each studied card's schedule, and the answers as 100k review-log rows. srs merges it
into a copy of that collection whose progress is removed (the same decks and cards, no answer):
every row of the package is then an answer srs does not have and every studied card's state is
replaced, the most a merge writes. Anki imports the same package with scheduling into a new
collection, as its dialog does with "Import scheduling" ticked. Both run in this process,
interleaved, median of the repeats; copying the srs file and opening either collection are not
timed, and the srs figure covers the whole merge (unpacking and reading the package, matching,
writing in one transaction).

Run alone: `uv run python benchmarks/merge_anki.py [--repeats 3] [--profile 25]`, on its own
10k collection (`benchmarks/data/m10k`, 100k answers written by the bulk writer, about a minute to
build once); `run.py` runs it on its `c10k` collection as `merge_10k_vs_anki`. `--profile N`
merges once more under cProfile (not timed) and prints the N functions of most own time.
"""

from __future__ import annotations

import argparse
import gc
import sqlite3
import statistics
import sys
import time
from contextlib import closing
from datetime import UTC
from pathlib import Path

import generate
from anki.collection import Collection
from measure import copy_db

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from anki_helpers import import_apkg
from srs.anki.export_scheduling import export_decks_with_progress
from srs.anki.merge import merge_package
from srs.config import sqlite_url
from srs.core.days import study_day
from srs.store import Store

SPEC = generate.Spec("m10k", 10_000, 5, 100_000, "bulk")
"""The collection of a run of this script alone (`run.py` passes its own)."""


def package_with_progress(db: Path, out: Path) -> tuple[Path, int, int]:
    """srs's export of every deck of `db` with progress; (path, cards, review-log rows)."""
    if not out.exists():
        store = Store.open(sqlite_url(db), str(db))
        try:
            decks = [d.id for d in store.content.decks()]
            export_decks_with_progress(store, decks, out, generate.BENCH_DAY, UTC, 4)
        finally:
            store.close()
    store = Store.open(sqlite_url(db), str(db))
    try:
        cards = len(store.content.cards())
        rows = len([r for c in store.content.cards() for r in store.study.log_for_card(c.pk)])
    finally:
        store.close()
    return out, cards, rows


def without_progress(db: Path, folder: Path) -> Path:
    """A copy of `db` with the same decks and cards and no progress (not timed)."""
    copy = copy_db(db, folder)
    with closing(sqlite3.connect(copy)) as conn:
        conn.execute("DELETE FROM review_log")
        conn.execute("DELETE FROM card_state")
        conn.commit()
    return copy


def time_srs(db: Path, package: Path, cpu: list[float] | None = None) -> tuple[float, int]:
    """Seconds of one `merge_package` into `db`, and the answers it added (its CPU seconds
    appended to `cpu`)."""
    store = Store.open(sqlite_url(db), str(db))
    collecting = gc.isenabled()
    gc.disable()  # as `srs.cli.main` runs every command, `srs merge anki` among them
    try:
        c0, t0 = time.process_time(), time.perf_counter()
        report = merge_package(
            store,
            package,
            now=generate.BENCH_NOW,
            today=generate.BENCH_DAY,
            day_of=lambda at: study_day(at, UTC),
        )
        seconds = time.perf_counter() - t0
        if cpu is not None:
            cpu.append(time.process_time() - c0)
        return seconds, report.answers
    finally:
        store.close()
        if collecting:
            gc.enable()


def time_anki(package: Path, folder: Path, cpu: list[float] | None = None) -> float:
    """Seconds of Anki's import of `package` with scheduling into a new collection (its CPU
    seconds, of every thread of this process, appended to `cpu`)."""
    folder.mkdir(parents=True)
    col = Collection(str(folder / "collection.anki2"))
    try:
        c0, t0 = time.process_time(), time.perf_counter()
        import_apkg(col, package, with_scheduling=True)
        seconds = time.perf_counter() - t0
        if cpu is not None:
            cpu.append(time.process_time() - c0)
        return seconds
    finally:
        col.close()


def profile(db: Path, scratch: Path, top: int) -> None:
    """One more merge into a fresh copy under cProfile; the `top` functions by own time."""
    import cProfile
    import pstats

    package, _, _ = package_with_progress(db, db.parent / "with-progress.apkg")
    target = without_progress(db, scratch / "merge-profiled")
    profiler = cProfile.Profile()
    profiler.enable()
    time_srs(target, package)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(top)


def measure(
    db: Path, scratch: Path, repeats: int, cpu: tuple[list[float], list[float]] | None = None
) -> tuple[list[float], list[float], str]:
    """srs's and Anki's times (s), interleaved, and what the package held; with `cpu`, their
    CPU seconds are appended to its two lists (on a shared machine CPU time moves less with
    the load than the wall clock)."""
    ours_cpu, theirs_cpu = cpu if cpu is not None else (None, None)
    package, cards, rows = package_with_progress(db, db.parent / "with-progress.apkg")
    ours, theirs = [], []
    added = 0
    for run in range(repeats):
        target = without_progress(db, scratch / f"merge-{run}")
        seconds, added = time_srs(target, package, ours_cpu)
        ours.append(seconds)
        theirs.append(time_anki(package, scratch / f"anki-{run}", theirs_cpu))
    return ours, theirs, f"{cards:,} cards, {rows:,} review-log rows, {added:,} answers added"


def main() -> None:
    """Print one Markdown row: srs, Anki, the ratio."""
    import tempfile

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()
    generate.ensure(SPEC)
    with tempfile.TemporaryDirectory(prefix="srs-bench-merge-") as tmp:
        cpu: tuple[list[float], list[float]] = ([], [])
        ours, theirs, what = measure(SPEC.db, Path(tmp), args.repeats, cpu)
        if args.profile:
            profile(SPEC.db, Path(tmp), args.profile)
    s, a = statistics.median(ours), statistics.median(theirs)
    print("| package | srs merge anki (s) | Anki import with scheduling (s) | srs / Anki |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| {what} | {s:.3f} | {a:.3f} | {s / a:.2f}x |")
    print(f"srs runs: {[round(x, 3) for x in ours]}; Anki runs: {[round(x, 3) for x in theirs]}")
    sc, ac = statistics.median(cpu[0]), statistics.median(cpu[1])
    print(f"CPU seconds, medians: srs {sc:.3f}, Anki {ac:.3f} ({sc / ac:.2f}x)")


if __name__ == "__main__":
    main()
