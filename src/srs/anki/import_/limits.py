"""The bounds an Anki package is read within: every one names what it bounds in its error.

A package is untrusted input: a 924-byte package can hold a view over an endless recursive query, a
1 KB one a zstd bomb, a small one a million notes. Each bound below stops such a package with a
one-line error that names the bound, before it costs more than a small multiple of what a real
collection of that size costs. `LIMITS` is what `srs import anki` uses; tests pass smaller ones
(or replace `LIMITS`), so that a bound is reached in a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportLimits:
    """The bounds of one import (the README lists the defaults)."""

    entries: int = 200_000
    """The most entries (files) in the zip: media packages of 50k images exist."""
    unpacked: int = 1 << 30
    """The most bytes the collection may decompress to (1 GiB; 10k notes are about 10 MB)."""
    meta: int = 1 << 20
    """The most bytes the `meta` entry may decompress to (it is a few bytes)."""
    value: int = 16 << 20
    """The longest text or blob in the collection (16 MiB, the most a deck file may be):
    SQLite's SQLITE_LIMIT_LENGTH on the reading connection."""
    notes: int = 100_000
    """The most notes read (the largest shared decks have about 40k)."""
    cards: int = 200_000
    """The most cards read."""
    revlog: int = 1_000_000
    """The most review-log rows read with --with-progress."""
    figures: int = 2000
    """The most images written beside the deck (each at most the 2 MiB a figure may be)."""
    figure_bytes: int = 256 << 20
    """The most bytes of images written beside the deck in all (256 MiB)."""
    media_map: int = 16 << 20
    """The most bytes the media map may decompress to (16 MiB: a map of 200k names)."""
    deletions: int = 100
    """The most cloze deletions in one note (each becomes a card holding the whole text)."""
    work: int = 200_000
    """The most SQLite work on the reading connection, in steps of `STEP` virtual machine
    instructions (2e10 instructions: minutes at most; a 10k-note collection takes under 1%)."""


STEP = 100_000
"""Virtual machine instructions between two calls of the reading connection's progress handler."""

LIMITS = ImportLimits()
"""The bounds `srs import anki` reads a package within."""
