"""The checks of a card's front against its back: a prompt that gives the answer away, or one
too long to read at a glance."""

from __future__ import annotations

import re

from srs.core.deckfile.checks import Checker
from srs.core.deckfile.scanner import KeyPath
from srs.core.deckfile.wording import normalise

LONG_PROMPT = 400


def prompt_warnings(ch: Checker, front: str, back: str, path: KeyPath, card: str | None) -> None:
    """Warnings on a card's front: the answer given away in it, or a front too long."""
    nf, nb = normalise(front), normalise(back).strip(" .!?;:,")
    if nb and nf.strip(" .!?;:,") == nb:
        where = ch.at((*path, "front"))
        ch.warn("answer-in-prompt", "front and back are the same text", where, card)
    # The substring test first: the word-boundary regex is built per card, and compiling
    # one for every card cost seconds on a 10k-card deck.
    elif nb and nb in nf and re.search(r"(?<!\w)" + re.escape(nb) + r"(?!\w)", nf):
        msg = "front gives away the answer: it contains the back word for word"
        ch.warn("answer-in-prompt", msg, ch.at((*path, "front")), card)
    if len(front) > LONG_PROMPT:
        msg = (
            f"front is {len(front)} characters long (over {LONG_PROMPT}); "
            "split it into smaller cards"
        )
        ch.warn("long-prompt", msg, ch.at((*path, "front")), card)
