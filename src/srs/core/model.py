"""Domain types shared by every layer: frozen dataclasses and enums, standard library only.

Besides the deck and scheduling types, this holds the value types the store returns (`StoredCard`,
`DeckStatus`, `Answer`, `LogRecord`...) and the review session's (`QueuedCard`, `Summary`), so that
the screens can render them without importing the store.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum, StrEnum

from srs.core.grades import passed
from srs.core.paper import Paper as Paper  # re-exported: `Deck` holds one

EF_START = 250  # easiness of a card never reviewed, in hundredths (2.5)
MAX_ID_LENGTH = 200  # deck and card ids: the width of the store's id columns
MAX_LEARNER_LENGTH = 100  # a learner's name: the width of the store's learner columns


class Kind(StrEnum):
    """What a card teaches about its paper."""

    FINDING = "finding"
    LIMITATION = "limitation"
    MISREADING = "misreading"


KINDS: tuple[str, ...] = tuple(k.value for k in Kind)
"""The card kinds' names, in the order decks, screens and reports list them."""


class Grade(IntEnum):
    """SM-2 response quality, 0 (blackout) to 5 (perfect)."""

    BLACKOUT = 0
    WRONG_BUT_FAMILIAR = 1
    WRONG_BUT_EASY_ONCE_SEEN = 2
    RIGHT_WITH_DIFFICULTY = 3
    RIGHT_AFTER_HESITATION = 4
    PERFECT = 5

    @property
    def meaning(self) -> str:
        """The SM-2 description of this grade, for the on-screen legend."""
        return GRADE_MEANINGS[self]

    @property
    def passed(self) -> bool:
        """Grades of 3 and above count as a successful recall."""
        return passed(self)


GRADE_MEANINGS: dict[Grade, str] = {
    Grade.BLACKOUT: "complete blackout",
    Grade.WRONG_BUT_FAMILIAR: "wrong, but familiar once seen",
    Grade.WRONG_BUT_EASY_ONCE_SEEN: "wrong, but the answer seemed easy",
    Grade.RIGHT_WITH_DIFFICULTY: "right, with serious difficulty",
    Grade.RIGHT_AFTER_HESITATION: "right, after a hesitation",
    Grade.PERFECT: "perfect recall",
}


@dataclass(frozen=True, slots=True)
class Card:
    """One card of a deck: content only, shared by every learner."""

    id: str
    kind: Kind
    front: str
    back: str
    source: str = ""
    tags: tuple[str, ...] = ()
    line: int = 0  # line of the [[card]] header in its file; 0 when not read from a file
    guid: str | None = None  # the Anki note guid of a card imported from Anki, kept on export
    anki_note_type: AnkiNoteType | None = None  # that note's type in Anki, kept on export
    # front and back as Anki HTML (`cardtext.render_markdown`), rendered once when the deck is
    # loaded into a collection; None for a card read straight from a file. Derived from the text,
    # so not part of a card's equality.
    front_html: str | None = field(default=None, compare=False)
    back_html: str | None = field(default=None, compare=False)
    quotes: tuple[Quote, ...] = ()  # the paper's exact words the card rests on
    figures: tuple[Figure, ...] = ()  # the images its text shows, with their content's digest
    # a cloze item (`core.cloze`): its card's text and extra, the deletion it asks (0: none)
    cloze: str = ""
    extra: str = ""
    deletion: int = 0
    was: tuple[str, ...] = ()  # the card's former ids in its deck (`was = [...]`): a rename


@dataclass(frozen=True, slots=True)
class Figure:
    """An image a card shows (`![alt](path)`): its path relative to the deck file, its alt text,
    and its bytes' sha256 and type (`png`, `jpeg`, `gif`, `webp`, `svg`), "" when not read."""

    path: str
    alt: str
    digest: str = ""
    kind: str = ""

    @property
    def media_name(self) -> str:
        """Its name among an Anki package's media: from its content, so that two decks'
        `fig1.png` never collide and new bytes are a new name."""
        ext = "jpg" if self.kind == "jpeg" else self.kind
        return f"srs-{self.digest[:24]}.{ext}"


@dataclass(frozen=True, slots=True)
class Quote:
    """The exact words of the paper a card rests on.

    `page` is the page of the paper where the quote was found (1-based), when it has been looked
    up (`srs deck add` with the deck's `pdf` at hand); `line` is the line of the quote in its deck
    file, 0 when not read from a file.
    """

    text: str
    page: int | None = None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class AnkiNoteType:
    """The Anki note type of a card brought in from Anki: what a re-export must match for Anki to
    update the note in place (the id, and the fields and card templates by name)."""

    id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Deck:
    """A deck as written in its file."""

    id: str
    title: str
    source: str
    cards: tuple[Card, ...] = ()
    path: str | None = None
    digest: str | None = None  # of the file it was read from (`authoring.file_digest`)
    paper: Paper | None = None  # the `[deck] paper` table, when the deck has one


@dataclass(frozen=True, slots=True)
class SchedState:
    """One learner's scheduling state for one card.

    `ef` is the SM-2 easiness factor in hundredths (250 means 2.5). `due` is None for a card never
    reviewed. `scheduler` names the scheduler of the card's last scheduled answer ("sm2" or
    "fsrs"); `stability` (days) and `difficulty` (1 to 10) are FSRS's memory state, None until
    FSRS schedules the card. FSRS answers leave `ef` as SM-2 last set it, so a card moved back to
    SM-2 keeps its easiness.
    """

    n: int = 0
    ef: int = EF_START
    interval: int = 0
    due: date | None = None
    lapses: int = 0
    reps: int = 0
    scheduler: str = "sm2"
    stability: float | None = None
    difficulty: float | None = None

    @property
    def is_new(self) -> bool:
        """A card that has never had a scheduled review."""
        return self.due is None


NEW_STATE = SchedState()


class ReviewKind(StrEnum):
    """How an answer was counted: a first-ever review, a scheduled review, or a same-day drill."""

    NEW = "new"
    REVIEW = "review"
    DRILL = "drill"


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What loading a deck file into the collection changed."""

    deck_id: str
    added: int = 0
    updated: int = 0
    retired: int = 0
    restored: int = 0
    renamed: int = 0  # cards whose id changed, found by a former id (`Card.was`)
    unchanged: int = 0
    created_deck: bool = False


def card_ref(deck_id: str, card_id: str) -> str:
    """A card's ref, `DECK_ID/CARD_ID`: its name on every machine and in every message."""
    return f"{deck_id}/{card_id}"


@dataclass(frozen=True, slots=True)
class StoredCard:
    """A card as held in the collection, with where it came from and when its text changed."""

    pk: int
    deck_id: str
    deck_title: str
    card: Card
    edited_at: datetime
    retired: bool

    @property
    def ref(self) -> str:
        """`DECK_ID/CARD_ID`."""
        return card_ref(self.deck_id, self.card.id)


@dataclass(frozen=True, slots=True)
class DeckSummary:
    """A deck in the collection, with its card counts."""

    id: str
    title: str
    source: str
    path: str | None
    active: int
    retired: int
    loaded_at: datetime
    paper: Paper | None = None  # the deck's `[deck.paper]`, when it has one


@dataclass(frozen=True, slots=True)
class DeckStatus:
    """Per-deck figures for `srs status`."""

    id: str
    title: str
    due: int
    new: int
    drill: int
    total: int
    next_due: date | None
    suspended: int = 0


@dataclass(frozen=True, slots=True)
class Answer:
    """The result of recording one answer."""

    log_id: int
    card_pk: int
    grade: int
    review_kind: ReviewKind
    state: SchedState
    leech: bool = False  # this answer took the card to the leech threshold
    suspended: bool = False  # ... and the card was suspended for it (SRS_LEECH_SUSPEND=1)


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One review-log row joined with its card, as the stats and history views read it."""

    id: int
    card_pk: int
    deck_id: str
    card_id: str
    kind: Kind
    reviewed_at: datetime
    day: date
    grade: int
    review_kind: ReviewKind
    ef: int
    interval: int
    due: date | None
    scheduler: str = "sm2"  # the scheduler that scheduled this answer
    stability: float | None = None  # FSRS memory state after the answer (FSRS answers only)
    difficulty: float | None = None
    from_anki: bool = False  # merged from Anki's review log (`srs merge anki`)

    @property
    def ref(self) -> str:
        """`DECK_ID/CARD_ID`."""
        return card_ref(self.deck_id, self.card_id)


@dataclass(frozen=True, slots=True)
class QueuedCard:
    """The card on screen in a review, with what the learner needs to see about it."""

    stored: StoredCard
    state: SchedState
    review_kind: ReviewKind  # NEW, REVIEW, or DRILL for a card already answered today
    recall: float | None = None  # FSRS's chance of recall today, for a card FSRS scheduled
    shown: SchedState | None = None  # as the chosen scheduler takes it over: shown


@dataclass
class Summary:
    """What a review session did, and what comes next."""

    reviewed: int = 0  # distinct cards answered
    answers: int = 0
    grades: Counter[int] = field(default_factory=Counter)
    due_tomorrow: int = 0  # coming due tomorrow, besides what is still due today
    next_due: date | None = None
    left: int = 0  # still due today when the session ended, whatever the session's limit


@dataclass(frozen=True, slots=True)
class CardRow:
    """A card with this learner's state, as `srs cards` lists it."""

    deck_id: str
    card_id: str
    kind: Kind
    front: str
    back: str
    due: date | None
    interval: int
    lapses: int
    suspended: bool
    buried_on: date | None

    @property
    def ref(self) -> str:
        """`DECK_ID/CARD_ID`."""
        return card_ref(self.deck_id, self.card_id)


@dataclass(frozen=True, slots=True)
class PastReview:
    """One answer brought in from another program's review log, with the state before and after."""

    reviewed_at: datetime
    day: date
    grade: int
    review_kind: ReviewKind
    before: SchedState
    after: SchedState
    first: bool  # no state existed before it
    anki_id: int | None = None  # Anki's review id, for an answer merged from Anki


@dataclass(frozen=True, slots=True)
class ImportedProgress:
    """A card's state and review log from another program, for one learner."""

    card_id: str
    state: SchedState
    log: tuple[PastReview, ...] = ()
