"""Benchmarks of srs next to Anki and plain Python, run by hand: `uv run python benchmarks/run.py`.

Generates (or reuses, from `benchmarks/data/`) synthetic collections of 1k, 10k and 100k cards with
up to a million answers, builds the same cards into real Anki collections, measures, and prints a
Markdown table of medians. `--quick` uses smaller sizes and fewer repeats. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import html
import itertools
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import timedelta
from pathlib import Path

import anki_side
import genanki
import generate
import merge_anki
import processes
from measure import BIN, Row, copy_db, environment, load_average, median, time_calls, time_process

from srs.anki.export import ExportCard, export_apkg
from srs.anki.own_note_types import AFMT, CSS, FIELDS, QFMT
from srs.config import sqlite_url
from srs.core.cardtext import render_markdown
from srs.core.deckfile import read_deck_file
from srs.core.model import Deck
from srs.review import ReviewSession
from srs.store import Store

VERSIONS = ("srs", "sqlalchemy", "anki", "genanki", "typer", "rich")
SRS_ENV = {"SRS_NOW": generate.BENCH_NOW.strftime("%Y-%m-%dT%H:%M"), "SRS_TZ": "UTC"}
GRADES = (4, 5, 4, 3, 5, 4, 2, 4, 5, 4)  # SM-2 grades matching anki_side.RATINGS
BENCH_DECK_CARDS = 10_000


@dataclass(frozen=True)
class Plan:
    """How many times to repeat each kind of measurement."""

    process_runs: int = 11
    call_runs: int = 7
    load_runs: int = 3
    export_runs: int = 5
    answer_rounds: int = 3
    answers: int = 200
    process_limit_s: float = 180  # a deck command running longer is stopped and reported


FULL = Plan()
QUICK = Plan(
    process_runs=5,
    call_runs=3,
    load_runs=1,
    export_runs=2,
    answer_rounds=1,
    answers=100,
    process_limit_s=90,
)


def log(message: str) -> None:
    """Progress on stderr, so that stdout holds only the results."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Inputs


def bench_deck() -> Path:
    """The single 10k-card deck file used for loading, exporting and importing into Anki."""
    folder = generate.DATA / f"deck10k-v{generate.GENERATOR_VERSION}"
    path = folder / "bench-10k.toml"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        generate.write_decks(folder, "bench-10k", BENCH_DECK_CARDS, 1, seed=11)
        (folder / "bench-10k-01.toml").rename(path)
    return path


def export_items(deck: Deck) -> list[ExportCard]:
    """The deck's cards as the exporter takes them, all last edited when they were loaded."""
    return [ExportCard(deck, card, generate.LOADED_AT) for card in deck.cards]


def collection_apkg(spec: generate.Spec, meta: generate.Meta) -> Path:
    """The whole srs collection exported to .apkg the way `srs export anki` does it."""
    path = spec.root / "collection.apkg"
    if path.exists():
        return path
    store = Store.open(sqlite_url(spec.db), str(spec.db))
    try:
        summaries = {d.id: d for d in store.content.decks()}
        items = [
            ExportCard(
                Deck(c.deck_id, summaries[c.deck_id].title, summaries[c.deck_id].source),
                c.card,
                c.edited_at,
            )
            for c in store.content.cards(meta.decks)
        ]
    finally:
        store.close()
    export_apkg(items, path)
    return path


def due_today(spec: generate.Spec, meta: generate.Meta) -> int:
    """How many reviews the srs collection has due on the benchmark day."""
    store = Store.open(sqlite_url(spec.db), str(spec.db))
    try:
        return len(store.study.due_review_pks(meta.decks, generate.BENCH_DAY))
    finally:
        store.close()


@dataclass
class Prepared:
    """A generated srs collection and its Anki twin."""

    spec: generate.Spec
    meta: generate.Meta
    anki_path: Path
    anki_meta: dict[str, object]


def prepare(spec: generate.Spec) -> Prepared:
    """Generate (or reuse) the srs collection and build (or reuse) the Anki one."""
    meta = generate.ensure(spec)
    apkg = collection_apkg(spec, meta)
    due = due_today(spec, meta)
    log(f"{spec.name}: {meta.cards} cards, {meta.reviews} answers, {due} due on the bench day")
    folder = spec.root / "anki"
    anki_meta = anki_side.build_collection(apkg, folder, due)
    return Prepared(spec, meta, folder / "collection.anki2", anki_meta)


# --------------------------------------------------------------------------------------------
# Measurements


def startup(plan: Plan, mid: Prepared, big: Prepared | None, scratch: Path) -> list[Row]:
    """Whole processes: interpreter, `srs --help`, completion, `srs status`, Anki's counts."""
    log("start-up: whole processes")
    py, srs, runs = str(BIN / "python"), str(BIN / "srs"), plan.process_runs
    bare = time_process([py, "-c", "pass"], runs)
    rows = [Row("start-up", "`python -c pass`", median(bare))]
    helps = time_process([srs, "--help"], runs)
    rows.append(Row("start-up", "`srs --help`", median(helps), "`python -c pass`", median(bare)))
    plain = time_process([srs, "--help"], runs, env={"TYPER_USE_RICH": "0"})
    rows.append(
        Row(
            "start-up",
            "`srs --help`, typer's plain help (`TYPER_USE_RICH=0`)",
            median(plain),
            "`srs --help`",
            median(helps),
            note="the cost of rich-rendered help",
        )
    )
    completion = {"_SRS_COMPLETE": "complete_bash", "COMP_WORDS": "srs st", "COMP_CWORD": "1"}
    comp = time_process([srs], runs, env=completion)
    rows.append(
        Row(
            "start-up",
            "bash completion of `srs st`",
            median(comp),
            "`python -c pass`",
            median(bare),
        )
    )
    for prepared in (mid, big):
        if prepared is None:
            continue
        label = prepared.spec.name
        status = time_process([srs, "status", "--db", str(prepared.spec.db)], runs, env=SRS_ENV)
        copy = copy_db(prepared.anki_path, scratch / f"anki-status-{label}")
        counts = time_process([py, "-c", anki_side.COUNTS_SCRIPT, str(copy)], runs)
        cards = prepared.meta.cards
        rows.append(
            Row(
                "start-up",
                f"`srs status`, {cards:,} cards, {prepared.meta.reviews:,} answers",
                median(status),
                "Anki process: import, open, print due counts",
                median(counts),
            )
        )
        rows.append(
            Row(
                "start-up",
                f"`srs status`, {cards:,} cards, against interpreter start-up",
                median(status),
                "`python -c pass`",
                median(bare),
                target="issue 2",
            )
        )
    return rows


def status_work(plan: Plan, prepared: Sequence[Prepared]) -> list[Row]:
    """`srs status` and `srs stats` in-process, after the imports: the work of the command."""
    from typer.testing import CliRunner

    from srs.cli import app

    runner = CliRunner()

    def invoke(args: list[str]) -> Callable[[], None]:
        def call() -> None:
            result = runner.invoke(app, args, env=SRS_ENV)
            if result.exit_code != 0:
                raise RuntimeError(f"srs {' '.join(args)}: {result.output[-2000:]}")

        return call

    rows = []
    for p in prepared:
        log(f"status work: {p.spec.name}")
        samples = time_calls(invoke(["status", "--db", str(p.spec.db)]), plan.call_runs, warmup=1)
        rows.append(
            Row(
                "commands",
                f"`srs status` work in-process, {p.meta.cards:,} cards",
                median(samples),
            )
        )
    biggest = max(prepared, key=lambda p: p.meta.reviews)
    label = f"`srs stats`, {biggest.meta.reviews:,} answers"
    log(f"stats: {biggest.spec.name}")
    work = time_calls(invoke(["stats", "--db", str(biggest.spec.db)]), plan.call_runs, warmup=1)
    whole = time_process(
        [str(BIN / "srs"), "stats", "--db", str(biggest.spec.db)], plan.call_runs, env=SRS_ENV
    )
    target = "< 300 ms (issue 6)" if biggest.meta.reviews >= 1_000_000 else ""
    rows.append(Row("commands", f"{label}, work in-process", median(work), target=target))
    rows.append(Row("commands", f"{label}, whole process", median(whole)))
    return rows


def plain_genanki(deck: Deck, out: Path) -> None:
    """The same notes, note type and guids written by genanki alone: fields HTML-escaped, no
    Markdown, one deck, deflated as srs deflates (`write_deflated`)."""
    model = genanki.Model(
        1913580161,
        "plain genanki",
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "Card", "qfmt": QFMT, "afmt": AFMT}],
        css=CSS,
    )
    target = genanki.Deck(2059400111, deck.title)
    for card in deck.cards:
        fields = [card.front, card.back, card.kind.value, card.source, deck.title, card.id]
        target.add_note(
            genanki.Note(
                model=model,
                fields=[html.escape(f) for f in fields],
                tags=list(card.tags),
                guid=genanki.guid_for(deck.id, card.id),
            )
        )
    write_deflated(genanki.Package(target), out)


def write_deflated(package: genanki.Package, out: Path) -> None:
    """genanki's `write_to_file`, step for step, but with the zip deflated at level 6 as srs's
    export does ("deflated the same way"): `write_to_db` into a temporary SQLite file, then the
    zip with `collection.anki2` and an empty `media` list."""
    handle, name = tempfile.mkstemp(suffix=".anki2")
    os.close(handle)
    try:
        conn = sqlite3.connect(name)
        package.write_to_db(conn.cursor(), time.time(), itertools.count(int(time.time() * 1000)))
        conn.commit()
        conn.close()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            zf.write(name, "collection.anki2")
            zf.writestr("media", "{}")
    finally:
        os.unlink(name)


def exporting(plan: Plan, deck_file: Path, scratch: Path) -> tuple[list[Row], Path]:
    """`export_apkg` of 10k cards next to plain genanki; also returns the .apkg for Anki."""
    log("export")
    with generate._without_similar_backs():  # parsed once, untimed (see generate.py)
        deck = read_deck_file(deck_file)
    # As in a collection: each card's HTML was rendered when the deck was loaded (untimed here,
    # timed in `srs deck add`), and the export reads it.
    deck = replace(
        deck,
        cards=tuple(
            replace(c, front_html=render_markdown(c.front), back_html=render_markdown(c.back))
            for c in deck.cards
        ),
    )
    items = export_items(deck)
    scratch.mkdir(parents=True, exist_ok=True)
    ours, theirs = scratch / "srs.apkg", scratch / "genanki.apkg"
    # genanki leaves its temporary SQLite file behind: keep it inside the scratch folder.
    saved = tempfile.tempdir
    tempfile.tempdir = str(scratch)
    try:
        srs_s = time_calls(lambda: export_apkg(items, ours, force=True), plan.export_runs, warmup=1)
        plain_s = time_calls(lambda: plain_genanki(deck, theirs), plan.export_runs, warmup=1)
    finally:
        tempfile.tempdir = saved
    size_ours, size_theirs = ours.stat().st_size, theirs.stat().st_size
    n = f"{len(items) // 1000}k"
    rows = [
        Row(
            "export",
            f"export {n} cards to .apkg (`export_apkg`)",
            median(srs_s),
            "plain genanki, same notes, deflated the same way",
            median(plain_s),
            target="<= 1.2 (issue 14)",
        ),
        Row(
            "export",
            f"  .apkg size: srs {size_ours / 1e6:.2f} MB, genanki {size_theirs / 1e6:.2f} MB",
            None,
            note=f"srs / genanki size = {size_ours / size_theirs:.2f}",
        ),
    ]
    kept = generate.DATA / "bench-10k.apkg"
    shutil.copyfile(ours, kept)
    return rows, kept


def answering(plan: Plan, p: Prepared, scratch: Path) -> list[Row]:
    """One answer: grade, save, pick the next card; srs's session next to Anki's scheduler."""
    log(f"answers: {p.spec.name}")
    samples: list[float] = []
    anki: list[float] = []
    for r in range(plan.answer_rounds):  # srs and Anki rounds interleaved
        db = copy_db(p.spec.db, scratch / f"answer-{p.spec.name}-{r}")
        store = Store.open(sqlite_url(db), str(db))
        try:
            session = ReviewSession(store, p.meta.decks, generate.BENCH_DAY, generate.NEW_PER_DAY)
            session.current()
            for i in range(plan.answers):
                if session.current() is None:
                    break
                now = generate.BENCH_NOW + timedelta(seconds=5 * i)
                t0 = time.perf_counter()
                session.answer(GRADES[i % len(GRADES)], now)
                session.current()
                samples.append(time.perf_counter() - t0)
        finally:
            store.close()
        copy = copy_db(p.anki_path, scratch / f"anki-answer-{p.spec.name}-{r}")
        anki += anki_side.answer_times(copy, plan.answers)
    return [
        Row(
            "review",
            f"one answer + next card, {p.meta.cards:,} cards, {p.meta.reviews:,} answers logged",
            median(samples),
            "Anki: `answer_card` + `get_queued_cards`",
            median(anki),
            target="< 5 ms (issue 2)" if p.meta.cards >= 100_000 else "",
            note=f"p90 srs {sorted(samples)[int(len(samples) * 0.9)] * 1000:.2f} ms",
        )
    ]


def queue_building(plan: Plan, p: Prepared, scratch: Path) -> list[Row]:
    """Building today's queue: `ReviewSession(...)`, next to Anki's first `get_queued_cards`."""
    log(f"queue: {p.spec.name}")
    store = Store.open(sqlite_url(p.spec.db), str(p.spec.db))
    try:
        srs_s = time_calls(
            lambda: ReviewSession(store, p.meta.decks, generate.BENCH_DAY, generate.NEW_PER_DAY),
            plan.call_runs,
            warmup=1,
        )
        session = ReviewSession(store, p.meta.decks, generate.BENCH_DAY, generate.NEW_PER_DAY)
        queued = session.remaining
    finally:
        store.close()
    copy = copy_db(p.anki_path, scratch / f"anki-queue-{p.spec.name}")
    anki = [anki_side.queue_build_time(copy) for _ in range(plan.call_runs)]
    return [
        Row(
            "review",
            f"build today's queue (`ReviewSession(...)`), {p.meta.cards:,} cards",
            median(srs_s),
            "Anki: first `get_queued_cards` after opening",
            median(anki),
            note=f"{queued:,} cards queued",
        )
    ]


def merging(plan: Plan, p: Prepared, scratch: Path) -> Row:
    """`srs merge anki` of the collection's own export with progress, into a copy without
    progress, next to Anki's import of the package with scheduling (`merge_anki`)."""
    log(f"issue 27: srs merge anki next to Anki's import with scheduling, {p.spec.name}")
    ours, theirs, what = merge_anki.measure(p.spec.db, scratch, plan.load_runs)
    return Row(
        "issue 27",
        f"`srs merge anki` (in-process), {what}",
        median(ours),
        "Anki: import the same package with scheduling, new collection",
        median(theirs),
        target=f"<= {TARGETS['merge_10k_vs_anki']}",
    )


TARGETS = {
    "answer_vs_anki": 1.0,
    "status_10k_vs_anki": 1.2,
    "check_10k_vs_anki": 1.0,
    "add_10k_vs_anki": 1.2,
    "reload_10k_vs_anki": 0.5,
    "export_10k_vs_genanki": 1.2,
    "help_vs_typer": 1.0,
    "stats_1m_vs_anki": 0.6,
    "rss_add_10k_vs_anki": 1.2,
    "status_vs_floor": 1.25,
    "first_card_vs_floor": 1.4,
    "reload_10k_vs_floor": 1.3,
    "check_10k_one_edit_vs_anki": 0.3,
    "add_10k_one_edit_vs_anki": 0.5,
    "merge_10k_vs_anki": 2.0,
}
"""Issue 14's, issue 30's and issue 27's ratios (srs / anchor) and their targets: at most this
much. The floor is a process that imports sqlalchemy, typer and rich and exits."""


def issue14(
    plan: Plan, mid: Prepared, big: Prepared | None, deck_file: Path, apkg: Path, scratch: Path
) -> tuple[list[Row], dict[str, float | None]]:
    """The whole-process pairs of issue 14, each run interleaved with its anchor."""
    ratios: dict[str, float | None] = {}
    rows: list[Row] = []

    def pair(key: str, name: str, ours: float | None, other: str, theirs: float | None) -> None:
        section = "issue 30" if "floor" in key or "one_edit" in key else "issue 14"
        row = Row(section, name, ours, other, theirs, target=f"<= {TARGETS[key]}")
        rows.append(row)
        ratios[key] = None if row.ratio is None else round(row.ratio, 3)

    log("issue 14: srs --help next to a minimal typer app")
    ours, theirs = processes.help_pair(plan.process_runs)
    pair(
        "help_vs_typer",
        "`srs --help` (process)",
        processes.ms(ours),
        "minimal typer app `--help` (benchmarks/mini_typer.py)",
        processes.ms(theirs),
    )
    log("issue 14: srs status next to Anki's counts, interleaved")
    anki_copy = copy_db(mid.anki_path, scratch / "i14-anki-status")
    ours, theirs = processes.status_pair(mid.spec.db, anki_copy, plan.process_runs, SRS_ENV)
    pair(
        "status_10k_vs_anki",
        f"`srs status`, {mid.meta.cards:,} cards (process)",
        processes.ms(ours),
        "Anki process: import, open, print due counts",
        processes.ms(theirs),
    )
    log("issue 30: srs status and srs review's first card next to the floor, interleaved")
    review_db = copy_db(mid.spec.db, scratch / "i30-review")
    floor, status, review = processes.start_up_floor(
        mid.spec.db, review_db, plan.process_runs, SRS_ENV
    )
    floor_name = "floor: `python -c 'import sqlalchemy, typer, rich'`"
    pair(
        "status_vs_floor",
        f"`srs status`, {mid.meta.cards:,} cards (process)",
        processes.ms(status),
        floor_name,
        processes.ms(floor),
    )
    pair(
        "first_card_vs_floor",
        f"`srs review` until the first card is drawn, {mid.meta.cards:,} cards (pty)",
        processes.ms(review),
        floor_name,
        processes.ms(floor),
    )
    stats_from = big or mid
    log(f"issue 14: srs stats next to Anki's statistics, {stats_from.meta.reviews:,} answers")
    anki_log = processes.anki_with_log(
        stats_from.spec.db, stats_from.anki_path, stats_from.spec.root / "anki-with-log"
    )
    ours, theirs = processes.stats_pair(stats_from.spec.db, anki_log, plan.call_runs, SRS_ENV)
    pair(
        "stats_1m_vs_anki",
        f"`srs stats`, {stats_from.meta.reviews:,} answers (process)",
        processes.ms(ours),
        "Anki process: import, open, statistics data (`graphs`, 365 days) over the same log",
        processes.ms(theirs),
    )
    log("issue 14: srs deck check / add / reload next to Anki's import, interleaved")
    deck = processes.deck_commands(
        deck_file, apkg, scratch / "i14-decks", plan.load_runs, SRS_ENV, plan.process_limit_s
    )
    note = f"stopped: {deck.timed_out}" if deck.timed_out else ""
    n = f"{BENCH_DECK_CARDS // 1000}k"

    def med(runs: list[processes.Run]) -> float | None:
        return processes.ms(runs) if runs else None

    pair(
        "check_10k_vs_anki",
        f"`srs deck check`, {n}-card file (process)",
        med(deck.check),
        f"Anki process: import the same {n} notes (.apkg) into a new collection",
        med(deck.anki_import),
    )
    pair(
        "add_10k_vs_anki",
        f"`srs deck add`, {n}-card file, empty collection (process)",
        med(deck.add),
        f"Anki process: import the same {n} notes (.apkg) into a new collection",
        med(deck.anki_import),
    )
    pair(
        "reload_10k_vs_anki",
        f"`srs deck add`, the same {n}-card file again, unchanged (process)",
        med(deck.reload),
        "Anki process: import the same .apkg again",
        med(deck.anki_reimport),
    )
    pair(
        "reload_10k_vs_floor",
        f"`srs deck add`, the same {n}-card file again, unchanged (process)",
        med(deck.reload),
        "floor: `python -c 'import sqlalchemy, typer, rich'`",
        med(deck.floor),
    )
    pair(
        "check_10k_one_edit_vs_anki",
        f"`srs deck check`, {n}-card file with one card edited, after a first check (process)",
        med(deck.check_one_edit),
        f"Anki process: import the same {n} notes (.apkg) into a new collection",
        med(deck.anki_import),
    )
    pair(
        "add_10k_one_edit_vs_anki",
        f"`srs deck add`, {n}-card file with one card edited, after the first add (process)",
        med(deck.add_one_edit),
        f"Anki process: import the same {n} notes (.apkg) into a new collection",
        med(deck.anki_import),
    )
    rss = processes.peak_mib(deck.add) if deck.add else None
    anki_rss = processes.peak_mib(deck.anki_import) if deck.anki_import else None
    rows.append(
        Row(
            "issue 14",
            f"peak memory (MiB, not ms) of `srs deck add`, {n} cards",
            rss,
            "peak memory (MiB) of Anki's import process",
            anki_rss,
            target=f"<= {TARGETS['rss_add_10k_vs_anki']}",
        )
    )
    ratio = rows[-1].ratio
    ratios["rss_add_10k_vs_anki"] = None if ratio is None else round(ratio, 3)
    if note:
        rows[-1].note = note
        log(note)
    return rows, ratios


STARTUP_KEYS = ("help_vs_typer", "status_vs_floor", "first_card_vs_floor", "reload_10k_vs_floor")


def startup_ratios(plan: Plan, scratch: Path) -> tuple[list[Row], dict[str, float | None]]:
    """Issue 30's start-up ratios alone (`--only start-up`), each interleaved with its anchor:
    `srs --help` with the minimal typer app, then the floor, `srs status` and `srs review`'s
    first card in turn, then the floor and `srs deck add` of the unchanged 10k-card file in
    turn. Needs the full 10k-card collection and the deck file (generated when missing), and no
    Anki side; the reload here runs beside the floor only, not in the deck rounds of a full run.
    """
    mid = generate.SIZES["10k"]
    meta = generate.ensure(mid)
    deck_file = bench_deck()
    rows: list[Row] = []
    ratios: dict[str, float | None] = {}

    def pair(key: str, name: str, ours: float, other: str, theirs: float) -> None:
        row = Row("issue 30", name, ours, other, theirs, target=f"<= {TARGETS[key]}")
        rows.append(row)
        ratios[key] = _ratio(row)

    floor_name = "floor: `python -c 'import sqlalchemy, typer, rich'`"
    log("start-up: srs --help next to a minimal typer app")
    ours, theirs = processes.help_pair(plan.process_runs)
    pair(
        "help_vs_typer",
        "`srs --help` (process)",
        processes.ms(ours),
        "minimal typer app `--help` (benchmarks/mini_typer.py)",
        processes.ms(theirs),
    )
    log("start-up: the floor, srs status and srs review's first card, interleaved")
    review_db = copy_db(mid.db, scratch / "start-up-review")
    floor, status, review = processes.start_up_floor(mid.db, review_db, plan.process_runs, SRS_ENV)
    pair(
        "status_vs_floor",
        f"`srs status`, {meta.cards:,} cards (process)",
        processes.ms(status),
        floor_name,
        processes.ms(floor),
    )
    pair(
        "first_card_vs_floor",
        f"`srs review` until the first card is drawn, {meta.cards:,} cards (pty)",
        processes.ms(review),
        floor_name,
        processes.ms(floor),
    )
    log("start-up: the floor and srs deck add of the unchanged 10k-card file, interleaved")
    floor, reload = processes.reload_floor(
        deck_file, scratch / "start-up-reload", plan.process_runs, SRS_ENV
    )
    pair(
        "reload_10k_vs_floor",
        f"`srs deck add`, the same {BENCH_DECK_CARDS // 1000}k-card file again, unchanged "
        "(process)",
        processes.ms(reload),
        floor_name,
        processes.ms(floor),
    )
    return rows, ratios


def only_startup(plan: Plan) -> None:
    """`--only start-up`: measure, print the four ratios as JSON and the rows as a table."""
    started = time.perf_counter()
    load_before = load_average()
    log(f"start-up ratios only; load average {load_before}")
    with tempfile.TemporaryDirectory(prefix="srs-bench-") as tmp:
        rows, ratios = startup_ratios(plan, Path(tmp))
    elapsed = time.perf_counter() - started
    env = environment(VERSIONS)
    env["load average (1/5/15 min) before"] = load_before
    env["load average after"] = load_average()
    env["run"] = f"--only start-up, {elapsed / 60:.1f} min"
    lines = ["## Environment", ""] + [f"- {key}: {value}" for key, value in env.items()]
    lines += ["", "## Start-up ratios (medians)", "", table(rows), ""]
    lines += ["```json", json.dumps(ratios, indent=2), "```"]
    print("\n".join(lines))
    out = generate.DATA / "results-start-up.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log(f"done in {elapsed / 60:.1f} min; written to {out}")


# --------------------------------------------------------------------------------------------
# Output


def _ratio(row: Row) -> float | None:
    return None if row.ratio is None else round(row.ratio, 3)


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 10:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def table(rows: Sequence[Row]) -> str:
    """The results as a Markdown table."""
    out = [
        "| measurement | srs (ms) | counterpart | counterpart (ms) | srs / counterpart | target "
        "| note |",
        "| --- | ---: | --- | ---: | ---: | --- | --- |",
    ]
    for row in rows:
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}x"
        other = row.other_name or "-"
        out.append(
            f"| {row.name} | {_ms(row.srs_ms)} | {other} | {_ms(row.other_ms)} | {ratio} "
            f"| {row.target or '-'} | {row.note or '-'} |"
        )
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> None:
    """Prepare the collections, measure, and print the environment and the table."""
    parser = argparse.ArgumentParser(description="srs benchmarks (see benchmarks/README.md)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print only issue 14's and issue 30's ratios, as one JSON object, on stdout",
    )
    parser.add_argument(
        "--verify-writer",
        action="store_true",
        help="also check that the bulk answer writer matches Store.record_answer row for row",
    )
    parser.add_argument(
        "--only",
        choices=["start-up"],
        help="start-up: only issue 30's four start-up ratios (help, status, first card, "
        "unchanged reload, each next to its anchor), in about a minute; no Anki side",
    )
    args = parser.parse_args(argv)
    if args.only == "start-up":
        only_startup(QUICK if args.quick else FULL)
        return
    plan, sizes = (QUICK, generate.QUICK_SIZES) if args.quick else (FULL, generate.SIZES)
    started = time.perf_counter()
    load_before = load_average()
    env = environment(VERSIONS)
    log(f"{'quick' if args.quick else 'full'} run; load average {load_before}")

    prepared = {name: prepare(spec) for name, spec in sizes.items()}
    mid = prepared["10k"]
    big = prepared.get("100k")
    deck_file = bench_deck()

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="srs-bench-") as tmp:
        scratch = Path(tmp)
        rows += startup(plan, mid, big, scratch)
        export_rows, apkg = exporting(plan, deck_file, scratch / "export")
        ratios: dict[str, float | None] = {"export_10k_vs_genanki": _ratio(export_rows[0])}
        rows += export_rows
        for p in (mid, big):
            if p is not None:
                answer_rows = answering(plan, p, scratch)
                if p is mid:
                    ratios["answer_vs_anki"] = _ratio(answer_rows[0])
                rows += answer_rows
        i14_rows, i14_ratios = issue14(plan, mid, big, deck_file, apkg, scratch)
        rows += i14_rows
        ratios.update(i14_ratios)
        merge_row = merging(plan, mid, scratch / "merge")
        ratios["merge_10k_vs_anki"] = _ratio(merge_row)
        rows.append(merge_row)
        rows += queue_building(plan, big or mid, scratch)
        rows += status_work(plan, [p for p in (mid, big) if p is not None])

    extra: dict[str, object] = {}
    if args.verify_writer:
        log("checking the bulk writer against record_answer")
        extra["bulk_writer_check"] = generate.verify_bulk_writer()
    elapsed = time.perf_counter() - started
    env["load average (1/5/15 min) before"] = load_before
    env["load average after"] = load_average()
    env["run"] = f"{'--quick' if args.quick else 'full'}, {elapsed / 60:.1f} min"

    generation = {
        p.spec.name: {
            "cards": p.meta.cards,
            "answers": p.meta.reviews,
            "writer": p.spec.writer,
            "load_s": round(p.meta.load_s, 2),
            "simulate_s": round(p.meta.simulate_s, 1),
            "ms_per_answer": round(p.meta.per_answer_ms, 3),
            "anki_import_s": round(float(p.anki_meta["import_s"]), 2),  # type: ignore[arg-type]
            "anki_counts_new_learn_review": p.anki_meta["counts_new_learn_review"],
        }
        for p in prepared.values()
    }
    lines = ["## Environment", ""]
    lines += [f"- {key}: {value}" for key, value in env.items()]
    lines += ["", "## Results (medians)", "", table(rows), "", "## Generated collections", ""]
    lines += ["```json", json.dumps({"collections": generation, **extra}, indent=2), "```"]
    ordered = {key: ratios.get(key) for key in TARGETS}
    met = {key: (None if v is None else v <= TARGETS[key]) for key, v in ordered.items()}
    lines += ["", "## Issue 14 and 30 ratios", "", "```json", json.dumps(ordered, indent=2), "```"]
    report = "\n".join(lines)
    if args.json:
        print(json.dumps(ordered, indent=2))
    else:
        print(report)
    out = generate.DATA / ("results-quick" if args.quick else "results")
    out.with_suffix(".md").write_text(report + "\n", encoding="utf-8")
    out.with_suffix(".json").write_text(
        json.dumps(
            {
                "environment": env,
                "rows": [{**asdict(r), "ratio": r.ratio} for r in rows],
                "collections": generation,
                "issue14": {"ratios": ordered, "targets": TARGETS, "met": met},
                **extra,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    log(f"done in {elapsed / 60:.1f} min; written to {out}.md and {out}.json")


if __name__ == "__main__":
    main()
