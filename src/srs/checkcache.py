"""The deck checker's memory between runs: each card's own checks, in a file per deck.

`srs deck check` and `srs deck add` check a deck card by card; a card whose table text was
checked before by the same checker is not checked again (`srs.core.deckfile.cardcheck`). The
entries live in the user cache directory (`config.check_cache_dir`), one JSON file per deck id
(the id hashed into the name), so a deck keeps its entries when its file is renamed or moved,
and `srs deck check` needs no collection.

Why it is safe: an entry's key is the SHA-256 of the card's table text, the `long-back` limit
and `checker_salt()`, a digest of every source file of `srs.core` (the checker, the text rules
it runs) and of what they run on (Python, its Unicode tables, rtoml, markdown-it-py,
mdit-py-plugins, pylatexenc). Any change to srs's checks changes the salt, and a file written
under another salt is not read at all.
A file that cannot be read, is not JSON, or holds anything of the wrong shape is ignored
(the deck is checked in full) and written again; a cache that cannot be written costs time only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the checker is imported when an entry is first read or written
    from srs.core.deckfile import CardEntry

FORMAT = 2
_SEVERITIES = ("error", "warning")


def max_cache_bytes() -> int:
    """The largest cache file read: entries hold at most the back's words and diagnostics."""
    from srs.core.deckfile.limits import MAX_DECK_BYTES

    return 8 * MAX_DECK_BYTES


_salt: str | None = None


def checker_salt() -> str:
    """A digest of the checker's code and of what it runs on (computed once a process)."""
    global _salt
    if _salt is None:
        import srs.core
        from srs.core.deckfile import READER_VERSION

        core = Path(srs.core.__file__).parent
        files = sorted(core.rglob("*.py"))
        # Their version lines, without importing them: markdown-it-py and its dollarmath plugin
        # find the math, pylatexenc's walker checks it.
        for name in ("markdown_it", "mdit_py_plugins", "pylatexenc"):
            spec = find_spec(name)
            if spec is not None and spec.origin:
                origin = Path(spec.origin)
                version = origin.with_name("version.py")  # pylatexenc keeps its version there
                files.append(version if version.is_file() else origin)
        runtime = (sys.version, unicodedata.unidata_version, READER_VERSION)
        _salt = salt_of(files, runtime)
    return _salt


def salt_of(files: Sequence[Path], runtime: Sequence[str]) -> str:
    """The digest of these source files (name and bytes) and runtime versions."""
    digest = hashlib.sha256()
    for part in runtime:
        digest.update(part.encode() + b"\0")
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


class FileCardCache:
    """`CardCache` on files: `folder/<hash of the deck id>.json`, written whole, atomically.

    Making one reads nothing: the salt (`checker_salt`, a digest of srs.core's sources) is
    computed when an entry is first read or written, so a run that checks no card (an unchanged
    `srs deck add`) never pays for it."""

    def __init__(self, folder: Path, salt: str | None = None) -> None:
        self.folder = folder
        self._salt = salt
        self._read: dict[str, frozenset[str]] = {}  # deck id -> the keys its file held

    @property
    def salt(self) -> str:
        """The salt entries are kept under: `checker_salt()` unless one was given."""
        if self._salt is None:
            self._salt = checker_salt()
        return self._salt

    def _file(self, deck_id: str) -> Path:
        name = hashlib.sha256(deck_id.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return self.folder / f"{name}.json"

    def entries(self, deck_id: str) -> Mapping[str, CardEntry]:
        """The entries kept for this deck; empty when there is no usable file."""
        found = self._load(self._file(deck_id))
        self._read[deck_id] = frozenset(found)
        return found

    def _load(self, file: Path) -> dict[str, CardEntry]:
        try:
            with file.open("rb") as handle:
                limit = max_cache_bytes()
                raw = handle.read(limit + 1)
            if len(raw) > limit:
                return {}
            doc = json.loads(raw)
        except (OSError, ValueError, RecursionError):
            return {}
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            return {}
        if doc.get("salt") != self.salt or not isinstance(doc.get("cards"), dict):
            return {}
        out: dict[str, CardEntry] = {}
        for key, value in doc["cards"].items():
            entry = entry_from(value)
            if entry is None:
                return {}  # one damaged entry: trust none of the file
            out[key] = entry
        return out

    def keep(self, deck_id: str, entries: Mapping[str, CardEntry]) -> None:
        """Write this deck's entries, unless the file already holds exactly these keys."""
        if self._read.get(deck_id) == frozenset(entries):
            return
        doc = {
            "format": FORMAT,
            "salt": self.salt,
            "cards": {key: entry_json(e) for key, e in entries.items()},
        }
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(doc, out, ensure_ascii=False, separators=(",", ":"))
                os.replace(tmp, self._file(deck_id))
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
        self._read[deck_id] = frozenset(entries)


def entry_json(entry: CardEntry) -> list[object]:
    """An entry as JSON: [ok, folded back, its key words, quote lines, diagnostics]."""
    diags = [list(d) for d in entry.diags]
    return [entry.ok, entry.folded, entry.keys, list(entry.quote_lines), diags]


def entry_from(value: Any) -> CardEntry | None:
    """The entry a JSON value holds, or None when it is not exactly the shape written."""
    if not isinstance(value, list) or len(value) != 5:
        return None
    ok, folded, keys, lines, diags = value
    if not isinstance(ok, bool) or not (folded is None or isinstance(folded, str)):
        return None
    if (keys is None) != (folded is None) or not (keys is None or isinstance(keys, str)):
        return None
    if not isinstance(lines, list) or not all(_is_int(n) for n in lines):
        return None
    if not isinstance(diags, list):
        return None
    rows = []
    for d in diags:
        if not isinstance(d, list) or len(d) != 6:
            return None
        line, col, severity, code, message, card = d
        if not (_is_int(line) and _is_int(col) and col >= 1 and severity in _SEVERITIES):
            return None
        if not (isinstance(code, str) and isinstance(message, str)):
            return None
        if not (card is None or isinstance(card, str)):
            return None
        rows.append((line, col, severity, code, message, card))
    from srs.core.deckfile import CardEntry

    return CardEntry(ok, folded, keys, tuple(lines), tuple(rows))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1 << 31
