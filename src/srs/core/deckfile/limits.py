"""Bounds a deck must stay within before any parser sees it, and the one way to read a deck file
and the figures beside it.

A deck is untrusted input. `tomllib` recurses once per level of nesting and builds a dict per part
of a dotted key, so a 20 KB file of 10,000 key parts costs it 600 MB; a FIFO or `/dev/zero` would
block or fill memory. These checks are linear in the size of the text and keep every later step
(the position scanner, `tomllib`, the checker) to a small multiple of the deck's size.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from srs.core.errors import Diagnostic

MAX_DECK_BYTES = 16 * 1024 * 1024
"""The largest deck file read (16 MiB); a deck of 10,000 cards is about 3 MB."""

MAX_NESTING = 80
"""The deepest nesting of arrays and inline tables (a deck needs 2: a list of tags)."""

MAX_KEY_PARTS = 80
"""The most parts of one dotted key or table header (`a.b.c` has 3; a deck needs 2)."""

# Strings and comments, whose brackets and dots are text, not structure. Multi-line strings come
# first, so that `"""` is not read as an empty string and a quote. Each alternative is linear in
# time and, written as possessive runs (Python 3.11), constant in memory: `(?:a|b)*` kept about
# 120 bytes of backtracking state a character. A string that is never closed takes the rest of
# the text: TOML stops reading there, and scanning on from each of its quotes again was quadratic
# (`x = """` then 30,000 escaped quotes took minutes). `places` uses it to find multi-line strings.
OPAQUE = re.compile(
    r'"""[^"\\]*+(?:(?:\\[\s\S]|"(?!""))[^"\\]*+)*+(?:""""{0,2}|[\s\S]*)'
    r"|'''[^']*+(?:'(?!'')[^']*+)*+(?:''''{0,2}|[\s\S]*)"
    r'|"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+(?:"|[\s\S]*)'
    r"|'[^'\n]*+(?:'|[\s\S]*)"
    r"|#[^\n]*"
)
_BRACKETS = re.compile(r"[\[\]{}]")
# One key (or header) is a run between `=`, `,`, brackets or a newline; count its dots.
_LONG_KEY = re.compile(r"(?:^|[=,\[\]{}\n])((?:[^=,\[\]{}\n.]*\.){" + str(MAX_KEY_PARTS) + "})")


def structure_problem(text: str, path: str) -> Diagnostic | None:
    """A `toml-syntax` diagnostic when `text` nests or dots keys beyond the bounds, else None.

    Linear in the text: strings and comments are blanked once, then brackets are counted and one
    anchored regex looks for a key with too many parts. Runs before any parser: rtoml has no
    recursion limit of its own (a deeply nested file crashed the process), and `tomllib`'s cost
    grows with depth.
    """
    if not _beyond_bounds(OPAQUE.sub("s", text)):
        # The common case, in C: each string or comment becomes one letter, which keeps the
        # structure but not the offsets. Only a deck found beyond the bounds pays for the exact
        # blanking below, which calls back into Python for every string to keep positions.
        return None
    skeleton = OPAQUE.sub(_blank, text)  # same length, so offsets stay those of `text`
    depth = 0
    for m in _BRACKETS.finditer(skeleton):
        depth = depth + 1 if m.group() in "[{" else max(depth - 1, 0)
        if depth > MAX_NESTING:
            msg = f"values are nested too deeply (more than {MAX_NESTING} levels)"
            return _at(text, m.start(), path, msg)
    long_key = _LONG_KEY.search(skeleton)
    if long_key is not None:
        msg = f"a key has too many dotted parts (more than {MAX_KEY_PARTS})"
        return _at(text, long_key.start(1), path, msg)
    return None


def _beyond_bounds(skeleton: str) -> bool:
    """Whether a skeleton (strings and comments made opaque) nests or dots keys too deeply."""
    depth = 0
    for m in _BRACKETS.finditer(skeleton):
        depth = depth + 1 if m.group() in "[{" else max(depth - 1, 0)
        if depth > MAX_NESTING:
            return True
    return _LONG_KEY.search(skeleton) is not None


def _blank(m: re.Match[str]) -> str:
    # Newlines are kept so that a key never seems to run on past the end of its line.
    found = m.group()
    if "\n" not in found:
        return "s" * len(found)
    return "\n".join("s" * len(line) for line in found.split("\n"))


def _at(text: str, offset: int, path: str, msg: str) -> Diagnostic:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Diagnostic(path, line, col, "error", "toml-syntax", msg)


def read_deck_bytes(path: Path) -> bytes | Diagnostic:
    """The bytes of a deck file, or one `read-error` diagnostic.

    Only a regular file is read, and only up to `MAX_DECK_BYTES`: a folder, a FIFO (which would
    block) or a device such as `/dev/zero` (which never ends) is refused without reading it.
    """
    where = str(path)
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting forever.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        return _read_error(where, "is a folder, not a deck file")
    except OSError as exc:
        return _read_error(where, f"cannot read file: {exc.strerror or exc}")
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            return _read_error(where, "is a folder, not a deck file")
        if not stat.S_ISREG(info.st_mode):
            return _read_error(where, "not a regular file (a pipe, device or socket); not read")
        if info.st_size > MAX_DECK_BYTES:
            return _too_big(where)
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(fd, 1 << 20):  # the file may grow after fstat: keep counting
            size += len(chunk)
            if size > MAX_DECK_BYTES:
                return _too_big(where)
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        return _read_error(where, f"cannot read file: {exc.strerror or exc}")
    finally:
        os.close(fd)


def _too_big(where: str) -> Diagnostic:
    limit = MAX_DECK_BYTES // (1024 * 1024)
    return _read_error(where, f"file is larger than {limit} MiB, the most a deck file may be")


def _read_error(where: str, msg: str) -> Diagnostic:
    return Diagnostic(where, 1, 1, "error", "read-error", msg)


MAX_FIGURE_BYTES = 2 * 1024 * 1024
"""The largest figure file read (2 MiB)."""

FIGURE_KINDS: tuple[str, ...] = ("png", "jpeg", "gif", "webp", "svg")

_SVG_PROLOGUE = re.compile(
    rb"\A(?:\s+|<\?xml[^>]{0,200}\?>|<!--.{0,2000}?-->|<!DOCTYPE svg[^>]{0,500}>)*", re.S
)


@dataclass(frozen=True, slots=True)
class FigureFile:
    """A figure file as read: its bytes, their sha256 and their type."""

    data: bytes
    digest: str
    kind: str


def figure_kind(head: bytes) -> str | None:
    """The image type of a file from its first bytes (its content, never its name), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    body = head.removeprefix(b"\xef\xbb\xbf")
    prologue = _SVG_PROLOGUE.match(body)
    rest = body[prologue.end() :] if prologue else body
    if rest[:4].lower() == b"<svg":
        return "svg"
    return None


def read_figure(folder: Path, relative: str) -> FigureFile | str:
    """The figure at `relative` in the deck's `folder`, or why it cannot be used.

    The second way deck bytes are read, under the same rules as `read_deck_bytes`: a figure is
    part of its deck. The path (already checked to be relative, with no `..`) must still lead
    inside the folder once symbolic links are followed; only a regular file of at most
    `MAX_FIGURE_BYTES` is read, and only as far as that bound; its type comes from its bytes.
    """
    try:
        root = folder.resolve(strict=True)
        target = (root / relative).resolve(strict=True)
    except (OSError, RuntimeError):
        return "no such file beside the deck"
    if not target.is_relative_to(root):
        return "the figure's path leads out of the deck's folder (through a symbolic link)"
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        return f"cannot read the figure: {exc.strerror or exc}"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return "the figure is not a regular file"
        limit = MAX_FIGURE_BYTES // (1024 * 1024)
        if info.st_size > MAX_FIGURE_BYTES:
            return f"the figure is larger than {limit} MiB, the most a figure may be"
        data = os.read(fd, MAX_FIGURE_BYTES + 1)
        while len(data) <= MAX_FIGURE_BYTES and (more := os.read(fd, 1 << 20)):
            data += more
        if len(data) > MAX_FIGURE_BYTES:
            return f"the figure is larger than {limit} MiB, the most a figure may be"
    except OSError as exc:
        return f"cannot read the figure: {exc.strerror or exc}"
    finally:
        os.close(fd)
    kind = figure_kind(data[:4096])
    if kind is None:
        return "the figure is not a PNG, JPEG, GIF, WebP or SVG image (judged by its content)"
    return FigureFile(data, hashlib.sha256(data).hexdigest(), kind)
