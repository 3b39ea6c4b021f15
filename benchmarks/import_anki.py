"""`srs import anki` on a 10k-note package, next to Anki's own import of it into a fresh collection.

Run by hand: `uv run python benchmarks/import_anki.py [--notes 10000] [--repeats 5]`. The package is
made by the real Anki (the `anki` package) from Basic notes with some HTML and tags, in the current
format (`collection.anki21b`) and in the legacy one (`collection.anki21`). Each side is timed in
this process, median of the repeats; opening Anki's target collection is not timed, and the srs
figure covers the whole import: unpacking, reading, converting HTML to Markdown, checking and
writing the deck file.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from anki.collection import AddNoteRequest, Collection, ExportAnkiPackageOptions
from anki.decks import DeckId

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from anki_helpers import import_apkg
from srs.anki.import_ import import_package
from srs.core.days import study_day


def make_packages(folder: Path, notes: int, html: bool = True) -> dict[str, Path]:
    """A collection of `notes` Basic notes, exported as a current and a legacy package; with
    `html`, every field holds some formatting, else plain text."""
    col = Collection(str(folder / ("source" if html else "plain") / "collection.anki2"))
    try:
        basic = col.models.by_name("Basic")
        deck = col.decks.id("Bench::Biology")
        requests = []
        for i in range(notes):
            note = col.new_note(basic)
            if html:
                note["Front"] = f"What does <b>protein {i}</b> do in the <i>cell</i>?"
                note["Back"] = (
                    f"It binds ligand {i} &amp; folds<br>into a <u>beta sheet</u>:"
                    f"<ul><li>step {i}</li><li>step {i + 1}</li></ul>"
                )
            else:
                note["Front"] = f"What does protein {i} do in the cell?"
                note["Back"] = f"It binds ligand {i} and folds into a beta sheet, in two steps."
            note.tags = ["biology", f"chapter{i % 20}"]
            requests.append(AddNoteRequest(note=note, deck_id=DeckId(deck)))
        col.add_notes(requests)
        out = {}
        kinds = (("anki21b", False), ("anki21", True)) if html else (("anki21b", False),)
        for name, legacy in kinds:
            name = name if html else f"{name}, plain text"
            path = folder / f"bench-{len(out)}-{html}.apkg"
            col.export_anki_package(
                out_path=str(path),
                options=ExportAnkiPackageOptions(
                    with_scheduling=False, with_deck_configs=False, with_media=False, legacy=legacy
                ),
                limit=None,
            )
            out[name] = path
        return out
    finally:
        col.close()


def time_anki(apkg: Path, folder: Path) -> float:
    col = Collection(str(folder / "collection.anki2"))
    try:
        t0 = time.perf_counter()
        import_apkg(col, apkg)
        return time.perf_counter() - t0
    finally:
        col.close()


def time_srs(apkg: Path, out: Path) -> float:
    now = datetime(2026, 1, 1, 9, tzinfo=UTC)
    t0 = time.perf_counter()
    import_package(
        apkg,
        out,
        force=True,
        now=now,
        today=now.date(),
        day_of=lambda at: study_day(at, UTC),
    )
    return time.perf_counter() - t0


def main() -> None:
    """Print one Markdown row per package format: srs, Anki, and the ratio."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="srs-bench-import-") as tmp:
        root = Path(tmp)
        (root / "source").mkdir()
        (root / "plain").mkdir()
        packages = make_packages(root, args.notes) | make_packages(root, args.notes, html=False)
        print("| package | srs import anki (s) | Anki import (s) | srs / Anki |")
        print("| --- | ---: | ---: | ---: |")
        for name, apkg in packages.items():
            srs_times, anki_times = [], []
            for run in range(args.repeats):
                srs_times.append(time_srs(apkg, root / "bench.toml"))
                target = root / f"anki-{len(srs_times)}-{apkg.stem}-{run}"
                target.mkdir()
                anki_times.append(time_anki(apkg, target))
            s, a = statistics.median(srs_times), statistics.median(anki_times)
            print(f"| {args.notes} notes, {name} | {s:.3f} | {a:.3f} | {s / a:.2f}x |")


if __name__ == "__main__":
    main()
