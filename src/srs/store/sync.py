"""Loading a deck into the collection: its cards synced by stable id, edits, retirements,
restorations and renames (`Card.was`), in one transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Row

from srs.core import cloze
from srs.core.cardtext import render_markdown
from srs.core.model import Card, Deck, LoadReport
from srs.core.notetype import note_type_json
from srs.core.paper_json import figures_json, paper_json, quotes_json
from srs.core.ticker import LOADING, Ticker, no_ticker, report_every
from srs.store.engine import Database
from srs.store.schema import CONTENT_FIELDS, card_table, deck_table


def load_deck(db: Database, deck: Deck, now: datetime, ticker: Ticker = no_ticker) -> LoadReport:
    """Add or update `deck` by stable card ids, in one transaction.

    Edited text keeps the card's state and log and records `now` as its edit time; cards
    missing from the file are retired; a retired card that reappears is restored. A card
    whose id the deck does not hold yet, but one of its former ids (`Card.was`), active or
    retired, is renamed in place: same row, so every learner's state and log stay with it.
    """
    added = updated = retired = restored = renamed = unchanged = 0
    with db.write() as conn:
        db.class_lock(conn)  # two loads of one new deck: one after the other
        before = conn.execute(select(deck_table.c.paper).where(deck_table.c.id == deck.id)).first()
        existing_deck = before is not None
        # The paper's citation is on every card's back in Anki: a changed paper is an edit
        # of every card, so that a re-import updates the notes (Anki compares their `mod`).
        paper_changed = before is not None and before.paper != paper_json(deck.paper)
        if existing_deck:
            conn.execute(
                update(deck_table)
                .where(deck_table.c.id == deck.id)
                .values(
                    title=deck.title,
                    source=deck.source,
                    path=deck.path,
                    file_sha256=deck.digest,
                    paper=paper_json(deck.paper),
                    loaded_at=now,
                    retired_at=None,  # a deck retired on a server comes back when loaded
                )
            )
        else:
            seq = conn.execute(select(func.coalesce(func.max(deck_table.c.seq), 0))).scalar_one()
            conn.execute(
                deck_table.insert().values(
                    id=deck.id,
                    title=deck.title,
                    source=deck.source,
                    path=deck.path,
                    file_sha256=deck.digest,
                    paper=paper_json(deck.paper),
                    seq=seq + 1,
                    loaded_at=now,
                )
            )
        current = {
            r.card_id: r
            for r in conn.execute(select(card_table).where(card_table.c.deck_id == deck.id))
        }
        renames = _renamed(deck.cards, current)
        seen: set[str] = set()
        inserts: list[dict[str, object]] = []
        for position, card in enumerate(deck.cards):
            report_every(ticker, LOADING, position, len(deck.cards))
            seen.add(card.id)
            values = {
                "position": position,
                "kind": card.kind.value,
                "front": card.front,
                "back": card.back,
                "source": card.source,
                "tags": json.dumps(list(card.tags)),
                "line": card.line,
                "guid": card.guid,
                "anki_note_type": note_type_json(card.anki_note_type),
                "quotes": quotes_json(card.quotes),
                "figures": figures_json(card.figures),
                "cloze": card.cloze or None,
                "extra": card.extra or None,
                "deletion": card.deletion or None,
                "was": json.dumps(list(card.was)) if card.was else None,
            }
            old = current.get(card.id) or renames.get(card.id)
            if old is None:
                inserts.append(
                    {
                        **values,
                        **_html(card),
                        "deck_id": deck.id,
                        "card_id": card.id,
                        "created_at": now,
                        "edited_at": now,
                        "retired_at": None,
                    }
                )
                added += 1
                continue
            content_changed = paper_changed or any(
                getattr(old, k) != values[k] for k in CONTENT_FIELDS
            )
            placement_changed = old.position != position or old.line != card.line
            placement_changed = placement_changed or old.was != values["was"]
            was_retired = old.retired_at is not None
            rename = old.card_id != card.id  # found under a former id: renamed in place
            if rename:
                seen.add(old.card_id)
                values["card_id"] = card.id
            unrendered = old.front_html is None  # loaded before version 9
            if not (content_changed or placement_changed or was_retired or unrendered or rename):
                unchanged += 1
                continue
            changes: dict[str, object] = dict(values)
            if content_changed or unrendered:
                changes.update(_html(card))
            if content_changed or rename:  # the note's card id changes too: Anki takes it
                changes["edited_at"] = now
            if was_retired:
                changes["retired_at"] = None
            if rename:
                renamed += 1
            elif was_retired:
                restored += 1
            elif content_changed:
                updated += 1
            else:
                unchanged += 1
            conn.execute(update(card_table).where(card_table.c.pk == old.pk).values(**changes))
        if inserts:
            conn.execute(card_table.insert(), inserts)
        to_retire = [r.pk for cid, r in current.items() if cid not in seen and r.retired_at is None]
        for chunk in _chunks(to_retire):
            conn.execute(
                update(card_table).where(card_table.c.pk.in_(chunk)).values(retired_at=now)
            )
        retired = len(to_retire)
    return LoadReport(
        deck_id=deck.id,
        added=added,
        updated=updated,
        retired=retired,
        restored=restored,
        renamed=renamed,
        unchanged=unchanged,
        created_deck=not existing_deck,
    )


def _html(card: Card) -> dict[str, str]:
    """The card's Anki HTML, rendered once here so that every export reads it ready-made."""
    media = {f.path: f.media_name for f in card.figures if f.digest}
    if card.deletion:  # a cloze item: its note's Text (deletions kept) and Back Extra fields
        return {
            "front_html": cloze.anki_html(card.cloze, media),
            "back_html": render_markdown(card.extra, media) if card.extra.strip() else "",
        }
    return {
        "front_html": render_markdown(card.front, media),
        "back_html": render_markdown(card.back, media),
    }


def _chunks(items: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _renamed(cards: Sequence[Card], current: dict[str, Row[Any]]) -> dict[str, Row[Any]]:
    """Card id -> the stored row of a card of the deck known only under a former id (its first
    former id the deck holds and no card of the file uses)."""
    ids = {c.id for c in cards}
    found: dict[str, Row[Any]] = {}
    taken: set[str] = set()
    for card in cards:
        if card.id in current:
            continue
        for old in card.was:
            row = current.get(old)
            if row is not None and old not in ids and old not in taken:
                found[card.id] = row
                taken.add(old)
                break
    return found
