"""Factories a test builds its data from, and the one way a test renders a screen to text.

- `card` and `deck` make core values whose text says what they are (`front of a`, `back of a`),
  so an assertion can name a card by its id alone;
- `pk_of`, `shown` and `shown_kind` read back what a store or a review session holds;
- `render` prints a rich renderable to a string at a given width, as the terminal would show it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console, RenderableType

from srs.core.model import Card, Deck, Kind, ReviewKind

if TYPE_CHECKING:
    from srs.review import ReviewSession
    from srs.store import Store

DECK_TITLE = "A paper"
DECK_SOURCE = "Someone et al., 2024"


def card(
    card_id: str,
    front: str | None = None,
    *,
    kind: Kind = Kind.FINDING,
    back: str | None = None,
    source: str = "§1",
    tags: Sequence[str] = (),
) -> Card:
    """A card `card_id` whose front and back, unless given, are `front of ID` and `back of ID`."""
    return Card(
        id=card_id,
        kind=kind,
        front=f"front of {card_id}" if front is None else front,
        back=f"back of {card_id}" if back is None else back,
        source=source,
        tags=tuple(tags),
    )


def deck(
    deck_id: str, *cards: Card | str, title: str = DECK_TITLE, source: str = DECK_SOURCE
) -> Deck:
    """A deck of `cards`, in order; a plain string is the id of a `card` made with the defaults."""
    made = tuple(card(c) if isinstance(c, str) else c for c in cards)
    return Deck(deck_id, title, source, made)


def pk_of(store: Store, ref: str) -> int:
    """The store's key of the card `ref` (`DECK_ID/CARD_ID`)."""
    return store.content.find_card(ref).pk


def shown(session: ReviewSession) -> str | None:
    """The id of the card the session shows now; None when it is done."""
    current = session.current()
    return None if current is None else current.stored.card.id


def shown_kind(session: ReviewSession) -> tuple[str, ReviewKind] | None:
    """The id and review kind of the card the session shows now; None when it is done."""
    current = session.current()
    return None if current is None else (current.stored.card.id, current.review_kind)


class _ReportedEncoding(io.StringIO):
    """A string stream that says it has `encoding` (rich falls back to ASCII for "ascii")."""

    def __init__(self, encoding: str) -> None:
        super().__init__()
        self._encoding = encoding

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding


def render(
    renderable: RenderableType,
    width: int = 80,
    *,
    color: bool = False,
    encoding: str | None = None,
    **console: Any,
) -> str:
    """`renderable` printed by a rich Console `width` columns wide, as text.

    With `color`, the console is a truecolor terminal and the text holds its escape sequences;
    without, it is plain text. `encoding` is the encoding the stream reports (`"ascii"`: a
    terminal that cannot show Unicode). Other keywords go to the Console as they are.
    """
    out = io.StringIO() if encoding is None else _ReportedEncoding(encoding)
    colors: dict[str, Any] = (
        {"force_terminal": True, "color_system": "truecolor"} if color else {"color_system": None}
    )
    Console(file=out, width=width, **colors, **console).print(renderable)
    return out.getvalue()
