"""Synthetic collections for the benchmarks, built through srs's own loaders and store.

A collection is a folder under `benchmarks/data/` holding:

- `decks/*.toml`: deck files written as an author would write them (several decks per size);
- `srs.db`: those files loaded with `srs.loading.load_paths`, then a year of simulated study;
- `meta.json`: what was generated, with the seed, the counts and how long each step took.

The simulated learner studies every day from `START` for `DAYS` days. Each day it asks the store
for its queue exactly as a review session does (`Store.due_review_pks`, then
`Store.new_card_pks`), answers up to that day's quota of cards with grades drawn from a fixed
distribution, and drills every card graded below 4 until it is graded 4 or 5, as the session does.
Benchmarks then run on `BENCH_DAY`, the day after the simulated year, with its backlog.

Answers are written in one of two ways, chosen per size (see `SIZES`):

- `record_answer`: `Store.record_answer` for every answer, one committed transaction each, which is
  exactly what `srs review` does;
- `bulk`: the same decisions (`decide_answer` with SM-2: a review for the first answer of a card
  on a day, a drill that changes nothing for the later ones) computed in memory, and the
  resulting `card_state` and `review_log` rows written through the store's own SQLAlchemy tables
  with one transaction per simulated day. This exists because a million `record_answer` calls
  take about ten minutes on the reference machine. `verify_bulk_writer` builds the same small
  collection both ways and checks that the two databases hold identical rows.

Run it alone with `uv run python benchmarks/generate.py --size 10k` (or `--verify`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Protocol

from sqlalchemy import bindparam, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from srs.config import sqlite_url
from srs.core.deckfile import quality
from srs.core.model import NEW_STATE, SchedState
from srs.core.scheduling.rule import AnswerPolicy, decide_answer, needs_drill
from srs.core.scheduling.sm2 import SM2
from srs.loading import load_paths
from srs.store import Store
from srs.store.schema import log_table, metadata, state_table, state_values

POLICY = AnswerPolicy(SM2())  # the default: SM-2, leeches marked, not suspended

GENERATOR_VERSION = 4  # bump when the output changes, so that cached collections are rebuilt
DATA = Path(__file__).resolve().parent / "data"
START = date(2025, 1, 1)
DAYS = 365
BENCH_DAY = START + timedelta(days=DAYS)  # 2026-01-01: "today" for every benchmark
BENCH_NOW = datetime.combine(BENCH_DAY, dtime(9, 0), tzinfo=UTC)
LOADED_AT = datetime.combine(START - timedelta(days=1), dtime(12, 0), tzinfo=UTC)
NEW_PER_DAY = 20  # srs's default, used by the benchmarks' review sessions

# Grade distributions: a first answer of the day, and a same-day drill. Hard material: 18% of
# first answers are lapses, which keeps enough cards coming back to fill the year's answers.
FIRST_GRADES: tuple[tuple[int, float], ...] = (
    (5, 0.20),
    (4, 0.44),
    (3, 0.18),
    (2, 0.10),
    (1, 0.06),
    (0, 0.02),
)
DRILL_GRADES: tuple[tuple[int, float], ...] = ((5, 0.35), (4, 0.5), (3, 0.15))


@dataclass(frozen=True)
class Spec:
    """One synthetic collection: how many cards in how many decks, and how many answers."""

    name: str
    cards: int
    decks: int
    reviews: int
    writer: str  # "record_answer" or "bulk"
    seed: int = 7

    @property
    def root(self) -> Path:
        """The collection's folder under `benchmarks/data/`."""
        return DATA / self.name

    @property
    def db(self) -> Path:
        """The srs database file."""
        return self.root / "srs.db"

    @property
    def decks_dir(self) -> Path:
        """The folder of deck files."""
        return self.root / "decks"

    @property
    def new_per_day_total(self) -> int:
        """New cards the simulated learner starts a day, across all decks (all in ~90 days)."""
        return math.ceil(self.cards / 90)


SIZES: dict[str, Spec] = {
    "1k": Spec("c1k", 1_000, 4, 10_000, "record_answer"),
    "10k": Spec("c10k", 10_000, 5, 100_000, "record_answer"),
    "100k": Spec("c100k", 100_000, 10, 1_000_000, "bulk"),
}
QUICK_SIZES: dict[str, Spec] = {
    "1k": Spec("q1k", 1_000, 4, 5_000, "record_answer"),
    "10k": Spec("q10k", 10_000, 5, 50_000, "bulk"),
}

# --------------------------------------------------------------------------------------------
# Deck files

_WORDS = tuple(
    [
        "attention",
        "model",
        "layer",
        "token",
        "gradient",
        "loss",
        "reward",
        "policy",
        "probe",
        "feature",
        "circuit",
        "neuron",
        "head",
        "residual",
        "stream",
        "baseline",
        "ablation",
        "dataset",
        "benchmark",
        "scaling",
        "sparse",
        "dense",
        "transformer",
        "encoder",
        "decoder",
        "prompt",
        "backdoor",
        "trigger",
        "fine-tuning",
        "evaluation",
        "robustness",
        "calibration",
        "variance",
        "estimate",
        "sample",
        "bias",
        "threshold",
        "accuracy",
        "recall",
        "precision",
        "interpretability",
        "steering",
        "vector",
        "activation",
        "embedding",
        "distribution",
        "shift",
        "holdout",
        "replication",
        "effect",
        "size",
        "confidence",
        "interval",
    ]
)
_KINDS = ("finding", "limitation", "misreading")


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(low, high))]
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        words[i] = f"*{words[i]}*"
    if rng.random() < 0.2:
        i = rng.randrange(len(words))
        words[i] = f"`{words[i]}`"
    return " ".join(words)


def _toml_str(text: str) -> str:
    # A JSON string of printable ASCII is also a valid TOML basic string.
    return json.dumps(text, ensure_ascii=True)


def deck_text(deck_id: str, title: str, first: int, count: int, rng: random.Random) -> str:
    """The TOML text of one synthetic deck with cards `first` .. `first + count - 1`."""
    out = [
        "[deck]",
        f"id = {_toml_str(deck_id)}",
        f"title = {_toml_str(title)}",
        f"source = {_toml_str('Synthetic benchmark paper, ' + deck_id)}",
        "",
    ]
    for i in range(first, first + count):
        kind = _KINDS[i % 3]
        front = f"Card {i}: what does the paper say about {_sentence(rng, 8, 20)}?"
        back = f"{_sentence(rng, 15, 45).capitalize()}. See {_sentence(rng, 3, 8)}."
        tags = ["synthetic", f"topic-{rng.randrange(40)}"]
        out += [
            "[[card]]",
            f'id = "card-{i:06d}"',
            f'kind = "{kind}"',
            f"front = {_toml_str(front)}",
            f"back = {_toml_str(back)}",
            f'source = "§{1 + i % 9}.{1 + i % 5}"',
            f"tags = [{', '.join(_toml_str(t) for t in tags)}]",
            "",
        ]
    return "\n".join(out)


def write_decks(folder: Path, prefix: str, cards: int, decks: int, seed: int) -> list[Path]:
    """Write `cards` cards split over `decks` deck files in `folder`; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    per_deck = math.ceil(cards / decks)
    paths: list[Path] = []
    for d in range(decks):
        first = d * per_deck
        count = min(per_deck, cards - first)
        deck_id = f"{prefix}-{d + 1:02d}"
        title = f"Synthetic {prefix} deck {d + 1}"
        path = folder / f"{deck_id}.toml"
        path.write_text(deck_text(deck_id, title, first, count, rng), encoding="utf-8")
        paths.append(path)
    return paths


# --------------------------------------------------------------------------------------------
# Writing answers


class AnswerWriter(Protocol):
    """Where the simulated learner's answers go."""

    def answer(self, card_pk: int, grade: int, now: datetime, today: date) -> None:
        """Record one answer."""

    def end_day(self) -> None:
        """Make the day's answers durable."""


class RecordAnswerWriter:
    """Every answer through `Store.record_answer`, as `srs review` writes it."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def answer(self, card_pk: int, grade: int, now: datetime, today: date) -> None:
        """One committed `record_answer` call."""
        self.store.study.record_answer(card_pk, grade, now, today)

    def end_day(self) -> None:
        """Nothing to do: each answer was committed."""


class BulkWriter:
    """The decisions of `Store.record_answer`, written one simulated day per transaction.

    The learner's states are mirrored in memory (nothing else writes to the collection while it
    is generated), so each answer needs no query; rows go in with `executemany`.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.states: dict[int, SchedState] = {}
        self.answered_today: set[int] = set()
        self.logs: list[dict[str, object]] = []
        self.inserts: dict[int, SchedState] = {}
        self.updates: dict[int, SchedState] = {}

    def answer(self, card_pk: int, grade: int, now: datetime, today: date) -> None:
        """Mirror `Store.record_answer`: review on the first answer of the day, else a drill."""
        had_state = card_pk in self.states
        before = self.states.get(card_pk, NEW_STATE)
        record = decide_answer(POLICY, before, grade, today, card_pk in self.answered_today)
        after = record.after
        if record.moves_schedule:
            self.answered_today.add(card_pk)
            self.states[card_pk] = after
            # Only the first answer of a day changes the state, so a card lands in one of these.
            (self.updates if had_state else self.inserts)[card_pk] = after
        self.logs.append(
            {
                "learner": self.store.learner,
                "card_pk": card_pk,
                "reviewed_at": now,
                "day": today,
                "grade": grade,
                "review_kind": record.review_kind.value,
                "had_state": 1 if had_state else 0,
                **state_values(before, prefix="prev_"),
                "prev_buried_on": None,
                "ef": after.ef,
                "interval": after.interval,
                "due": after.due,
            }
        )

    def end_day(self) -> None:
        """Write the day's state rows and log rows in one transaction."""
        learner = self.store.learner
        with self.store.write() as conn:
            if self.inserts:
                conn.execute(
                    state_table.insert(),
                    [
                        {"learner": learner, "card_pk": pk, "buried_on": None, **_values(s)}
                        for pk, s in self.inserts.items()
                    ],
                )
            if self.updates:
                conn.execute(
                    update(state_table)
                    .where(
                        state_table.c.learner == bindparam("b_learner"),
                        state_table.c.card_pk == bindparam("b_pk"),
                    )
                    .values(
                        n=bindparam("n"),
                        ef=bindparam("ef"),
                        interval=bindparam("interval"),
                        due=bindparam("due"),
                        lapses=bindparam("lapses"),
                        reps=bindparam("reps"),
                    ),
                    [
                        {"b_learner": learner, "b_pk": pk, **_values(s)}
                        for pk, s in self.updates.items()
                    ],
                )
            if self.logs:
                conn.execute(log_table.insert(), self.logs)
        self.answered_today.clear()
        self.logs.clear()
        self.inserts.clear()
        self.updates.clear()


def _values(state: SchedState) -> dict[str, object]:
    return {
        "n": state.n,
        "ef": state.ef,
        "interval": state.interval,
        "due": state.due,
        "lapses": state.lapses,
        "reps": state.reps,
    }


# --------------------------------------------------------------------------------------------
# The simulated year


def _draw(rng: random.Random, table: tuple[tuple[int, float], ...]) -> int:
    x = rng.random()
    for grade, p in table:
        x -= p
        if x < 0:
            return grade
    return table[-1][0]


def simulate(store: Store, deck_ids: Sequence[str], spec: Spec, writer: AnswerWriter) -> int:
    """Study every day of the simulated year; returns the number of answers written."""
    rng = random.Random(spec.seed * 1_000_003 + spec.cards)
    per_deck_new = math.ceil(spec.new_per_day_total / len(deck_ids))
    done = 0
    for offset in range(DAYS):
        if done >= spec.reviews:
            break
        day = START + timedelta(days=offset)
        quota = math.ceil((spec.reviews - done) / (DAYS - offset))
        queue = store.study.due_review_pks(deck_ids, day) + store.study.new_card_pks(
            deck_ids, day, per_deck_new
        )
        drills: deque[int] = deque()
        moment = datetime.combine(day, dtime(8, 0), tzinfo=UTC)
        answered = 0
        cards = iter(queue)
        while answered < quota and done < spec.reviews:
            pk = next(cards, None)
            if pk is not None:
                grade = _draw(rng, FIRST_GRADES)
            elif drills:
                pk = drills.popleft()
                grade = _draw(rng, DRILL_GRADES)
            else:
                break
            writer.answer(pk, grade, moment + timedelta(seconds=3 * answered), day)
            if needs_drill(grade):
                drills.append(pk)
            answered += 1
            done += 1
        writer.end_day()
    return done


# --------------------------------------------------------------------------------------------
# Collections


def schema_fingerprint() -> str:
    """A hash of the store's tables and indexes: a cached collection made with another schema
    (say, before an index was added) is rebuilt rather than measured."""
    dialect = sqlite.dialect()
    parts = []
    for table in metadata.sorted_tables:
        parts.append(str(CreateTable(table).compile(dialect=dialect)))
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            parts.append(str(CreateIndex(index).compile(dialect=dialect)))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


@dataclass
class Meta:
    """What `build` made, stored next to the collection as `meta.json`."""

    version: int
    schema: str
    spec: dict[str, object]
    cards: int
    decks: list[str]
    reviews: int
    write_decks_s: float
    load_s: float
    simulate_s: float
    per_answer_ms: float


def build(spec: Spec, root: Path | None = None) -> Meta:
    """Write the deck files, load them, simulate the year; replaces any previous collection.

    The collection goes to `spec.root` unless another `root` folder is given.
    """
    root = spec.root if root is None else root
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    db = root / "srs.db"
    t0 = time.perf_counter()
    write_decks(root / "decks", spec.name, spec.cards, spec.decks, spec.seed)
    t1 = time.perf_counter()
    store = Store.open(sqlite_url(db), str(db))
    try:
        with _without_similar_backs():
            reports = load_paths(store, [root / "decks"], LOADED_AT)
        t2 = time.perf_counter()
        deck_ids = [r.deck_id for r in reports]
        writer: AnswerWriter = (
            RecordAnswerWriter(store) if spec.writer == "record_answer" else BulkWriter(store)
        )
        reviews = simulate(store, deck_ids, spec, writer)
        t3 = time.perf_counter()
    finally:
        store.close()
    meta = Meta(
        version=GENERATOR_VERSION,
        schema=schema_fingerprint(),
        spec=asdict(spec),
        cards=sum(r.added for r in reports),
        decks=deck_ids,
        reviews=reviews,
        write_decks_s=t1 - t0,
        load_s=t2 - t1,
        simulate_s=t3 - t2,
        per_answer_ms=(t3 - t2) / max(reviews, 1) * 1000,
    )
    (root / "meta.json").write_text(json.dumps(asdict(meta), indent=2), encoding="utf-8")
    return meta


@contextmanager
def _without_similar_backs() -> Iterator[None]:
    """Load the synthetic decks without the `similar-back` warning: their backs are drawn from a
    vocabulary of a few dozen words, so nearly every pair of backs is a candidate and the check
    takes minutes (a warning never blocks a load, so the cards loaded are the same). The
    measured commands (`srs deck check`, `srs deck add` in run.py) keep it."""
    saved = quality.similar_backs
    quality.similar_backs = lambda *args, **kwargs: None
    try:
        yield
    finally:
        quality.similar_backs = saved


def ensure(spec: Spec, log: bool = True) -> Meta:
    """The cached collection for `spec`, built first when missing or out of date."""
    path = spec.root / "meta.json"
    if path.exists() and spec.db.exists():
        raw = json.loads(path.read_text(encoding="utf-8"))
        if (
            raw.get("version") == GENERATOR_VERSION
            and raw.get("schema") == schema_fingerprint()
            and raw.get("spec") == asdict(spec)
        ):
            return Meta(**raw)
    if log:
        print(
            f"generating {spec.name}: {spec.cards} cards, up to {spec.reviews} answers "
            f"({spec.writer}) ...",
            file=sys.stderr,
            flush=True,
        )
    meta = build(spec)
    if log:
        print(
            f"  {spec.name}: {meta.reviews} answers; decks {meta.write_decks_s:.1f} s, "
            f"load {meta.load_s:.1f} s, year {meta.simulate_s:.1f} s "
            f"({meta.per_answer_ms:.3f} ms an answer)",
            file=sys.stderr,
            flush=True,
        )
    return meta


def _dump(db: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with sqlite3.connect(db) as conn:
        logs = conn.execute("SELECT * FROM review_log ORDER BY id").fetchall()
        states = conn.execute("SELECT * FROM card_state ORDER BY learner, card_pk").fetchall()
    return logs, states


def verify_bulk_writer(cards: int = 1_000, reviews: int = 10_000) -> dict[str, object]:
    """Build one small collection with each writer and compare every log and state row."""
    results: dict[str, object] = {}
    dumps = []
    with tempfile.TemporaryDirectory(prefix="srs-bench-verify-") as tmp:
        for name in ("record_answer", "bulk"):
            root = Path(tmp) / name
            meta = build(Spec("verify", cards, 4, reviews, name), root)
            results[f"{name}_ms_per_answer"] = round(meta.per_answer_ms, 4)
            results[f"{name}_reviews"] = meta.reviews
            dumps.append(_dump(root / "srs.db"))
    results["identical"] = dumps[0] == dumps[1]
    results["log_rows"] = len(dumps[0][0])
    results["state_rows"] = len(dumps[0][1])
    return results


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: build one size, or check the bulk writer against `record_answer`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), action="append", default=[])
    parser.add_argument("--quick", action="store_true", help="use the --quick sizes")
    parser.add_argument("--verify", action="store_true", help="compare the two answer writers")
    args = parser.parse_args(argv)
    table = QUICK_SIZES if args.quick else SIZES
    for size in args.size:
        if size in table:
            print(json.dumps(asdict(ensure(table[size])), indent=2))
    if args.verify:
        print(json.dumps(verify_bulk_writer(), indent=2))


if __name__ == "__main__":
    main()
