"""Which deck files a command's paths name, and the identity of a file's content as loaded.

Kept apart from the checker (`srs.authoring`, `srs.core.deckfile`) so that `srs deck add` of
files the collection already holds unchanged can tell so without importing it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping, Sequence
from hashlib import sha256
from pathlib import Path

from srs.core.errors import Diagnostic

MAX_UNCHANGED_BYTES = 16 * 1024 * 1024
"""The largest file read to be compared with what was loaded: the checker's `MAX_DECK_BYTES`
(a larger file was never loaded; a test holds the two equal)."""


def deck_paths(paths: Sequence[Path]) -> tuple[list[Path], list[Diagnostic]]:
    """The deck files named, and a diagnostic for each path that yields none.

    A file is taken as given, whatever its suffix. A folder stands for its `*.toml` files in name
    order, not recursively (the same rule as `srs deck add`).
    """
    files: list[Path] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.glob("*.toml") if p.is_file())
            if not found:
                msg = "no deck files (*.toml) in this folder"
                problems.append(Diagnostic(str(path), 1, 1, "error", "no-decks", msg))
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            msg = "no such file or folder"
            problems.append(Diagnostic(str(path), 1, 1, "error", "missing-path", msg))
    return files, problems


def file_digest(path: str, data: bytes) -> str:
    """The identity of one deck file's content as loaded: its bytes and the path it was read
    from (the path is stored with the deck, so a moved file is loaded again)."""
    digest = sha256(path.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(data)  # not joined to the path first: a 6 MB deck is not copied
    return digest.hexdigest()


def unchanged_decks(paths: Sequence[Path], loaded: Mapping[str, str]) -> list[str] | None:
    """The ids of the decks at `paths` when every file named is exactly what the collection
    loaded from it (`loaded`: `file_digest` -> deck id), in the order named; None as soon as one
    is not (new, changed, moved, unreadable, naming figures, or a deck named by two files), and
    then the checker decides (`srs.authoring.analyse_paths`, which skips the same files)."""
    files, problems = deck_paths(paths)
    if problems or not files or not loaded:
        return None
    ids: list[str] = []
    seen: set[Path] = set()
    for file in files:
        resolved = file.resolve()
        if resolved in seen:  # the same file named twice, as the checker skips it
            continue
        seen.add(resolved)
        data = _regular_file_bytes(file)
        if data is None or names_figures(data):  # a figure's bytes may have changed
            return None
        kept = loaded.get(file_digest(str(file), data))
        if kept is None or kept in ids:
            return None
        ids.append(kept)
    return ids


def names_figures(data: bytes) -> bool:
    """Whether a deck's text may name a figure (`![`): such a deck is always checked again.
    (`b"!"` is looked for first: one byte is found at memory speed, two bytes 50 times slower.)"""
    return b"!" in data and b"![" in data


def _regular_file_bytes(path: Path) -> bytes | None:
    """The bytes of a regular file of at most `MAX_UNCHANGED_BYTES`, else None (never blocks
    on a pipe, never reads a device)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_UNCHANGED_BYTES:
            return None
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(MAX_UNCHANGED_BYTES + 1)
        return data if len(data) <= MAX_UNCHANGED_BYTES else None
    except OSError:
        return None
    finally:
        os.close(fd)
