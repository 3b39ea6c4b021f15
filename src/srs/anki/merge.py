"""`srs merge anki`: the reviews done in Anki on cards that came from srs, brought back.

A card is srs's when its note's guid is one the export gives it (`export.note_guid`: from the deck
and card ids, or the guid it was imported with); a note under srs's own note types must also name
the same card in its CardId field. A cloze card's items (`CARD_ID#c1`) are the cards of its one
Cloze note: each Anki card goes back to the item of its deletion (ord = number - 1). Every other
note is counted and left alone.

For each of srs's cards in the package:

- Anki's review-log rows that srs does not have become answers, keyed by Anki's review id
  (`review_log.anki_id`). A row srs wrote itself on export (its id the answer's time in
  milliseconds, its button the answer's grade) is recognised as the answer it came from, and a
  row merged before by its id, so merging a package twice adds nothing and no answer is doubled.
- When Anki's latest new answer is later than srs's latest answer, the card's state becomes
  Anki's (`scheduling.anki_state`: interval, due date, ease as `ef = factor / 10`, repetitions,
  lapses); otherwise srs's state stays and Anki's answers join the log. A card Anki scheduled
  with FSRS also takes Anki's stability and difficulty (`merge_read.fsrs_memory`, in FSRS's
  ranges), and FSRS as the scheduler of its last answer.
- A card suspended in Anki is suspended; one buried is buried today. A card of a merged deck the
  package lacks (deleted in Anki) is reported, never deleted.

The package is read as `srs import anki` reads it (`merge_read`, within the same bounds),
and every value checked as the import checks it: a card whose row or log holds a value out of range
(a day in year 20000, a button 9) is skipped and counted; nothing of it is changed. All changes are
written in one transaction (`store.transfer.merge_progress`), or none with `dry_run`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from srs.anki.export import CLOZE_FIELDS, FIELDS, note_guid
from srs.anki.import_ import limits as bounds
from srs.anki.import_.collection import AnkiCard, AnkiNote, RevlogEntry
from srs.anki.import_.limits import ImportLimits
from srs.anki.import_.scheduling import OutOfRange, anki_state, replay, without_fsrs_factor
from srs.anki.merge_read import fsrs_memory, read_merge_package
from srs.anki.merge_report import MergeReport
from srs.core import cloze
from srs.core.errors import AnkiImportError
from srs.core.grades import anki_button
from srs.core.merging import MergedProgress, StoredProgress
from srs.core.model import NEW_STATE, Deck, PastReview, ReviewKind, SchedState, StoredCard
from srs.core.scheduling.bounds import valid_state

if TYPE_CHECKING:
    from srs.store import Store

__all__ = ["MergeReport", "merge_card", "merge_package"]

_CARD_ID = FIELDS.index("CardId")
_SUSPENDED, _BURIED = -1, (-2, -3)  # Anki's queue values
_SHOWN = 3  # foreign notes named in the warning


def merge_package(
    store: Store,
    package: Path,
    *,
    now: datetime,
    today: date,
    day_of: Callable[[datetime], date],
    dry_run: bool = False,
    limits: ImportLimits | None = None,
) -> MergeReport:
    """Merge the reviews of the Anki `package` into this learner's progress (see the module).

    Raises `AnkiImportError` (one line, nothing changed) for a package that cannot be read, is
    beyond a bound, or holds no scheduling."""
    package = Path(package)
    limits = bounds.LIMITS if limits is None else limits
    read = read_merge_package(package, limits)
    col = read.col
    if not col.revlog and all(c.type == 0 for n in col.notes for c in n.cards):
        raise AnkiImportError(
            f"{package}: the package holds no scheduling; in Anki, export it with 'Include "
            "scheduling information' ticked"
        )
    ours: dict[str, list[StoredCard]] = {}
    for stored in store.content.cards():
        ours.setdefault(_guid(stored), []).append(stored)
    matched: list[tuple[StoredCard, AnkiCard]] = []
    foreign: list[AnkiNote] = []
    present: set[int] = set()
    skipped = 0
    for note in col.notes:
        items = ours.get(note.guid)
        if items is None:
            foreign.append(note)
            continue
        for stored, card in _pairs(note, items):
            if card is None and stored.card.deletion:
                continue  # its deletion's card was deleted in Anki: counted as missing
            present.add(stored.pk)
            if card is None or not _names_card(note, stored):
                skipped += 1
            else:
                matched.append((stored, card))
    progress = store.transfer.stored_progress([s.pk for s, _ in matched])
    changes: list[MergedProgress] = []
    for stored, card in matched:
        try:
            item = merge_card(
                stored.pk,
                card,
                col.revlog.get(card.id, []),
                progress[stored.pk],
                col.crt,
                now,
                today,
                day_of,
                read.memory.get(card.id),
            )
        except OutOfRange:
            skipped += 1
            continue
        if item is not None:
            changes.append(item)
    answers = sum(len(i.log) for i in changes)
    if changes and not dry_run:
        answers = store.transfer.merge_progress(changes, now)
    decks = {s.deck_id for s, _ in matched}
    missing = sum(
        1 for found in ours.values() for c in found if c.deck_id in decks and c.pk not in present
    )
    return MergeReport(
        path=package,
        cards=len(matched),
        answers=answers,
        states=sum(1 for i in changes if i.state is not None),
        suspended=sum(1 for i in changes if i.suspend),
        buried=sum(1 for i in changes if i.bury_on is not None),
        foreign=len(foreign),
        foreign_fronts=tuple(_front(n) for n in foreign[:_SHOWN]),
        missing=missing,
        skipped=skipped,
        dry_run=dry_run,
    )


def _pairs(note: AnkiNote, items: Sequence[StoredCard]) -> list[tuple[StoredCard, AnkiCard | None]]:
    """Each of srs's cards under one note guid with its Anki card: a cloze item with the card of
    its deletion (ord = number - 1; None when Anki has no such card, deleted there), any other
    card with the note's first card (None for a note with no card)."""
    by_ord = {c.ord: c for c in note.cards}
    first = min(note.cards, key=lambda c: c.ord) if note.cards else None
    pairs: list[tuple[StoredCard, AnkiCard | None]] = []
    for stored in items:
        number = stored.card.deletion
        pairs.append((stored, by_ord.get(number - 1) if number else first))
    return pairs


def merge_card(
    card_pk: int,
    card: AnkiCard,
    log: Sequence[RevlogEntry],
    stored: StoredProgress,
    crt: int,
    now: datetime,
    today: date,
    day_of: Callable[[datetime], date],
    data: str | None = None,
) -> MergedProgress | None:
    """What merging one Anki card (with its review log, oldest first, and its `data`, where
    Anki keeps an FSRS memory state) changes in srs's progress `stored`; None when nothing.
    Raises `OutOfRange` for a value no Anki writes."""
    memory = fsrs_memory(data)
    if memory is not None:
        log = [without_fsrs_factor(entry) for entry in log]
    fresh = _new_entries(log, stored)
    had_state = stored.state is not None
    start = stored.state or NEW_STATE
    reviews = replay(fresh, day_of, start, frozenset(a.day for a in stored.answers), had_state)
    state = None
    latest_here = max((a.reviewed_at for a in stored.answers), default=None)
    if reviews and (latest_here is None or reviews[-1].reviewed_at > latest_here):
        state = anki_state(card, log, crt, now, today)
        if state is not None:
            state = _with_memory(state, memory)
            reviews = _ending_in(reviews, state)
    queue = card.queue if isinstance(card.queue, int) else 0
    suspend = queue == _SUSPENDED and not stored.suspended
    bury_on = today if queue in _BURIED and stored.buried_on != today else None
    if not reviews and state is None and not suspend and bury_on is None:
        return None
    return MergedProgress(card_pk, tuple(reviews), state, suspend, bury_on)


def _new_entries(log: Sequence[RevlogEntry], stored: StoredProgress) -> list[RevlogEntry]:
    """The rows of `log` srs does not have: neither merged before (by id) nor written by srs's
    own export (an answer's time in ms, moved up a little when two fell in one millisecond,
    and its button)."""
    merged = {a.anki_id for a in stored.answers if a.anki_id is not None}
    own = [
        (int(a.reviewed_at.timestamp() * 1000), anki_button(a.grade))
        for a in stored.answers
        if a.anki_id is None
    ]
    fresh: list[RevlogEntry] = []
    for entry in log:
        rid = entry.id
        if not isinstance(rid, int) or isinstance(rid, bool):
            raise OutOfRange("review id")
        if rid in merged:
            continue
        if own:
            mine = next(
                (
                    i
                    for i, (ms, key) in enumerate(own)
                    if ms <= rid < ms + 1000 and key == entry.ease
                ),
                None,
            )
            if mine is not None:
                del own[mine]
                continue
        fresh.append(entry)
    return fresh


def _with_memory(state: SchedState, memory: tuple[float, float] | None) -> SchedState:
    """`state` as FSRS left it when Anki scheduled the card with FSRS (`memory`: its stability
    and difficulty); checked as every imported state is."""
    if memory is None:
        return state
    stability, difficulty = memory
    found = valid_state(
        replace(state, scheduler="fsrs", stability=stability, difficulty=difficulty)
    )
    if found is None:
        raise OutOfRange("FSRS state")
    return found


def _ending_in(reviews: list[PastReview], state: SchedState) -> list[PastReview]:
    """`reviews` with the last scheduled answer leading to Anki's `state` (and any drill after
    it keeping that state), so that the log and the state agree."""
    scheduled = [i for i, r in enumerate(reviews) if r.review_kind is not ReviewKind.DRILL]
    last = scheduled[-1] if scheduled else None
    if last is None:
        return reviews
    ended = [*reviews[:last], replace(reviews[last], after=state)]
    return ended + [replace(r, before=state, after=state) for r in reviews[last + 1 :]]


def _guid(stored: StoredCard) -> str:
    return note_guid(Deck(stored.deck_id, stored.deck_title, ""), stored.card)


def _names_card(note: AnkiNote, stored: StoredCard) -> bool:
    """False for a note under one of srs's note types whose CardId field names another card
    (a cloze item's note names the item's card; a renamed card's note, exported before the
    rename, names one of its former ids)."""
    if note.field_names not in (FIELDS, CLOZE_FIELDS) or len(note.fields) != len(FIELDS):
        return True
    names = {cloze.parent_of(i) for i in (stored.card.id, *stored.card.was)}
    return note.fields[_CARD_ID].strip() in names


def _front(note: AnkiNote) -> str:
    text = note.fields[0] if note.fields else ""
    return text[:40] + ("…" if len(text) > 40 else "")
