"""`srs merge anki`: the reviews done in Anki on cards that came from srs, brought back.

A card is srs's when its note's guid is one the export gives it (`export.note_guid`: from the deck
and card ids, or the guid it was imported with); a note under srs's own note type must also name
the same card in its CardId field. Every other note is counted and left alone.

For each of srs's cards in the package:

- Anki's review-log rows that srs does not have become answers, keyed by Anki's review id
  (`review_log.anki_id`). A row srs wrote itself on export (its id the answer's time in
  milliseconds, its button the answer's grade) is recognised as the answer it came from, and a
  row merged before by its id, so merging a package twice adds nothing and no answer is doubled.
- When Anki's latest new answer is later than srs's latest answer, the card's state becomes
  Anki's (`scheduling.anki_state`: interval, due date, ease as `ef = factor / 10`, repetitions,
  lapses); otherwise srs's state stays and Anki's answers join the log.
- A card suspended in Anki is suspended; one buried is buried today. A card of a merged deck the
  package lacks (deleted in Anki) is reported, never deleted.

The package is read as `srs import anki` reads it (`import_.read_package`, within the same bounds),
and every value checked as the import checks it: a card whose row or log holds a value out of range
(a day in year 20000, a button 9) is skipped and counted; nothing of it is changed. All changes are
written in one transaction (`store.transfer.merge_progress`), or none with `dry_run`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from srs.anki.export import FIELDS, note_guid
from srs.anki.import_ import limits as bounds
from srs.anki.import_ import read_package
from srs.anki.import_.collection import AnkiCard, AnkiNote, RevlogEntry
from srs.anki.import_.limits import ImportLimits
from srs.anki.import_.scheduling import OutOfRange, anki_state, replay
from srs.core.cardtext import printable
from srs.core.errors import AnkiImportError
from srs.core.grades import anki_button
from srs.core.merging import MergedProgress, StoredProgress
from srs.core.model import NEW_STATE, Deck, PastReview, ReviewKind, SchedState, StoredCard

if TYPE_CHECKING:
    from srs.store import Store

_CARD_ID = FIELDS.index("CardId")
_SUSPENDED, _BURIED = -1, (-2, -3)  # Anki's queue values
_SHOWN = 3  # foreign notes named in the warning


@dataclass(frozen=True)
class MergeReport:
    """What a merge did (or, with `dry_run`, would do), and what it left alone."""

    path: Path
    cards: int
    """srs's cards found in the package."""
    answers: int
    """Answers added to the log."""
    states: int
    """Cards whose state became Anki's."""
    suspended: int
    buried: int
    foreign: int
    """Notes that did not come from srs, left alone."""
    foreign_fronts: tuple[str, ...]
    missing: int
    """Cards of the merged decks the package lacks (deleted in Anki?), kept."""
    skipped: int
    """srs's cards whose Anki values are out of range, or whose note names another card."""
    dry_run: bool

    @property
    def summary(self) -> str:
        """The one line a merge prints."""
        verb = "would merge" if self.dry_run else "merged"
        line = (
            f"{verb} {printable(str(self.path))}: {self.cards} cards from srs, {self.answers} "
            f"answers added, {self.states} states replaced, {self.suspended} suspended, "
            f"{self.buried} buried"
        )
        return line + ("; nothing changed (--dry-run)" if self.dry_run else "")

    @property
    def warnings(self) -> tuple[str, ...]:
        """One line for each thing left alone."""
        found: list[str] = []
        if self.foreign:
            shown = ", ".join(repr(printable(f)) for f in self.foreign_fronts)
            found.append(
                f"{self.foreign} notes did not come from srs and were left alone ({shown}); "
                "import them with 'srs import anki'"
            )
        if self.missing:
            found.append(
                f"{self.missing} cards of the merged decks are not in the package (deleted in "
                "Anki?); kept in srs"
            )
        if self.skipped:
            found.append(
                f"{self.skipped} cards were skipped: their scheduling or review log holds a value "
                "no Anki writes (a date, button or interval out of range), or their note names "
                "another card; nothing of them changed"
            )
        return tuple(found)

    def as_json(self) -> dict[str, object]:
        """The report for `--json`."""
        return {
            "package": str(self.path),
            "dry_run": self.dry_run,
            "cards": self.cards,
            "answers_added": self.answers,
            "states_replaced": self.states,
            "suspended": self.suspended,
            "buried": self.buried,
            "not_from_srs": self.foreign,
            "missing": self.missing,
            "skipped": self.skipped,
        }


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
    col = read_package(package, True, limits)
    if not col.revlog and all(c.type == 0 for n in col.notes for c in n.cards):
        raise AnkiImportError(
            f"{package}: the package holds no scheduling; in Anki, export it with 'Include "
            "scheduling information' ticked"
        )
    ours = {_guid(c): c for c in store.content.cards()}
    matched: list[tuple[StoredCard, AnkiCard]] = []
    foreign: list[AnkiNote] = []
    present: set[int] = set()
    skipped = 0
    for note in col.notes:
        stored = ours.get(note.guid)
        if stored is None:
            foreign.append(note)
            continue
        present.add(stored.pk)
        if not note.cards or not _names_card(note, stored):
            skipped += 1
        else:
            matched.append((stored, min(note.cards, key=lambda c: c.ord)))
    progress = store.transfer.stored_progress([s.pk for s, _ in matched])
    items: list[MergedProgress] = []
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
            )
        except OutOfRange:
            skipped += 1
            continue
        if item is not None:
            items.append(item)
    answers = sum(len(i.log) for i in items)
    if items and not dry_run:
        answers = store.transfer.merge_progress(items, now)
    decks = {s.deck_id for s, _ in matched}
    missing = sum(1 for c in ours.values() if c.deck_id in decks and c.pk not in present)
    return MergeReport(
        path=package,
        cards=len(matched),
        answers=answers,
        states=sum(1 for i in items if i.state is not None),
        suspended=sum(1 for i in items if i.suspend),
        buried=sum(1 for i in items if i.bury_on is not None),
        foreign=len(foreign),
        foreign_fronts=tuple(_front(n) for n in foreign[:_SHOWN]),
        missing=missing,
        skipped=skipped,
        dry_run=dry_run,
    )


def merge_card(
    card_pk: int,
    card: AnkiCard,
    log: Sequence[RevlogEntry],
    stored: StoredProgress,
    crt: int,
    now: datetime,
    today: date,
    day_of: Callable[[datetime], date],
) -> MergedProgress | None:
    """What merging one Anki card (with its review log, oldest first) changes in srs's progress
    `stored`; None when nothing. Raises `OutOfRange` for a value no Anki writes."""
    fresh = _new_entries(log, stored)
    had_state = stored.state is not None
    start = stored.state or NEW_STATE
    reviews = replay(fresh, day_of, start, frozenset(a.day for a in stored.answers), had_state)
    state = None
    latest_here = max((a.reviewed_at for a in stored.answers), default=None)
    if reviews and (latest_here is None or reviews[-1].reviewed_at > latest_here):
        state = anki_state(card, log, crt, now, today)
        if state is not None:
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
        mine = next(
            (i for i, (ms, key) in enumerate(own) if ms <= rid < ms + 1000 and key == entry.ease),
            None,
        )
        if mine is not None:
            del own[mine]
            continue
        fresh.append(entry)
    return fresh


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
    """False for a note under srs's note type whose CardId field names another card."""
    if note.field_names != FIELDS or len(note.fields) != len(FIELDS):
        return True
    return note.fields[_CARD_ID].strip() == stored.card.id


def _front(note: AnkiNote) -> str:
    text = note.fields[0] if note.fields else ""
    return text[:40] + ("…" if len(text) > 40 else "")
