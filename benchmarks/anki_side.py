"""The Anki side of the comparison: the same cards, imported from srs's .apkg into real Anki.

Uses the `anki` package from PyPI (Anki's Rust backend under its Python wrapper), as a script
or add-on would. Anki has no review history here: only the same cards, with as many of them due
today as the srs collection has (`Scheduler.set_due_date`).
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

from anki.collection import Collection
from anki.scheduler.v3 import CardAnswer

# The one way tests and benchmarks import a package into Anki lives with the tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from anki_helpers import import_apkg

PARENT = "Bench"  # every imported top-level deck is moved under this one, which is studied
ANKI_META_VERSION = 2

# Ratings cycled through while answering; the srs side uses the matching SM-2 grades.
RATINGS = (
    CardAnswer.GOOD,
    CardAnswer.EASY,
    CardAnswer.GOOD,
    CardAnswer.HARD,
    CardAnswer.EASY,
    CardAnswer.GOOD,
    CardAnswer.AGAIN,
    CardAnswer.GOOD,
    CardAnswer.EASY,
    CardAnswer.GOOD,
)

# A whole process: import anki, open the collection, print the due counts, close.
COUNTS_SCRIPT = """\
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
print(col.sched.counts())
col.close()
"""


def time_import(apkg: Path, folder: Path, reimport: bool) -> float:
    """Seconds to import `apkg` into a fresh collection in `folder` (or, with `reimport`, to
    import it a second time, unchanged). Opening the collection is not timed."""
    folder.mkdir(parents=True, exist_ok=True)
    col = Collection(str(folder / "collection.anki2"))
    try:
        if reimport:
            import_apkg(col, apkg)
        t0 = time.perf_counter()
        import_apkg(col, apkg)
        return time.perf_counter() - t0
    finally:
        col.close()


def build_collection(apkg: Path, folder: Path, due: int, seed: int = 1) -> dict[str, object]:
    """A fresh Anki collection in `folder` holding `apkg`'s notes, `due` of them due today.

    The imported decks are moved under one parent deck, which is selected, and the limits are
    raised so that the whole backlog is queued as srs queues it (9999 reviews, 20 new a day).
    Cached: returns the stored description when `folder` already holds this build.
    """
    meta_path = folder / "meta.json"
    wanted = {
        "version": ANKI_META_VERSION,
        "apkg_bytes": apkg.stat().st_size,
        "due": due,
        "seed": seed,
    }
    if meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if {k: meta.get(k) for k in wanted} == wanted:
            return meta
    if folder.exists():
        for path in sorted(folder.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    col = Collection(str(folder / "collection.anki2"))
    try:
        t0 = time.perf_counter()
        import_apkg(col, apkg)
        import_s = time.perf_counter() - t0
        parent = col.decks.id(PARENT)
        assert parent is not None
        tops = [
            d.id
            for d in col.decks.all_names_and_ids()
            if "::" not in d.name and d.name not in (PARENT, "Default")
        ]
        col.decks.reparent(tops, parent)
        conf = col.decks.config_dict_for_deck_id(parent)
        conf["rev"]["perDay"] = 9999
        conf["new"]["perDay"] = 20
        col.decks.update_config(conf)
        col.decks.select(parent)
        cards = sorted(col.find_cards(f'"deck:{PARENT}"'))
        chosen = random.Random(seed).sample(cards, min(due, len(cards)))
        if chosen:
            col.sched.set_due_date(chosen, "0")
        counts = col.sched.counts()
        meta = {
            **wanted,
            "notes": col.note_count(),
            "cards": col.card_count(),
            "counts_new_learn_review": list(counts),
            "import_s": import_s,
        }
    finally:
        col.close()
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return meta


def answer_times(path: Path, answers: int) -> list[float]:
    """Seconds for each of `answers` answers: `answer_card` and then `get_queued_cards`.

    This is what Anki's reviewer does between a rating key and the next card being known.
    """
    # Here, not at the top: anki.cards imported before anki.collection fails on a circular import.
    from anki.cards import Card

    col = Collection(str(path))
    try:
        queued = col.sched.get_queued_cards()
        samples = []
        for i in range(answers):
            if not queued.cards:
                break
            top = queued.cards[0]
            card = Card(col, backend_card=top.card)
            card.start_timer()
            t0 = time.perf_counter()
            answer = col.sched.build_answer(
                card=card, states=top.states, rating=RATINGS[i % len(RATINGS)]
            )
            col.sched.answer_card(answer)
            queued = col.sched.get_queued_cards()
            samples.append(time.perf_counter() - t0)
        return samples
    finally:
        col.close()


def queue_build_time(path: Path) -> float:
    """Seconds for the first `get_queued_cards` after opening, when Anki builds today's queue."""
    col = Collection(str(path))
    try:
        t0 = time.perf_counter()
        col.sched.get_queued_cards()
        return time.perf_counter() - t0
    finally:
        col.close()
