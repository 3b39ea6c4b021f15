"""A paper's text from its file: a PDF through PDFium in a child process, or plain text.

A PDF is untrusted input read by a C library, so it is read in a child process
(`srs.paper.pdf_child`) with its memory, CPU time and wall-clock time bounded: a truncated,
encrypted, damaged or hostile file ends as one line, never as a hang or a crash of `srs` itself.
The text is cached by the file's SHA-256 digest, so the second check of a deck against the same
PDF reads one JSON file instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from srs.core.errors import SrsError
from srs.paper.text import PaperText, split_pages

MAX_PDF_BYTES = 256 * 1024 * 1024
MAX_TEXT_BYTES = 32 * 1024 * 1024
MAX_CACHE_BYTES = 128 * 1024 * 1024
CHILD_MEMORY = 2 * 1024 * 1024 * 1024  # address space of the reading process
CHILD_CPU_SECONDS = 60
CHILD_TIMEOUT = 90.0  # seconds of wall-clock time, for a child that waits instead of working
EXTRACTOR = "pdfium-1"  # part of the cache key: a new way of reading makes new entries

INSTALL_HINT = "reading a PDF needs the paper extra: pip install 'srs[paper]' (or a .txt paper)"


class PaperError(SrsError):
    """A paper's file cannot be read: missing, too big, not a PDF, encrypted, hostile."""


@dataclass(frozen=True)
class PaperFile:
    """A paper as read from its file: its text, and the title and author its PDF declares."""

    text: PaperText
    title: str = ""
    author: str = ""


def read_paper(path: Path, cache_dir: Path | None = None) -> PaperFile:
    """The text of the paper at `path`: a `.txt` file (pages split on form feeds) or a PDF.

    A PDF's text is cached in `cache_dir` (when given) under its digest. Raises `PaperError` with
    a one-line message naming the file.
    """
    data = _read_bounded(path, MAX_TEXT_BYTES if _is_text(path) else MAX_PDF_BYTES)
    if _is_text(path):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PaperError(f"{path}: not UTF-8 text (byte {exc.start})") from None
        return PaperFile(PaperText.of(split_pages(text)))
    if not data.startswith(b"%PDF") and b"%PDF" not in data[:1024]:
        raise PaperError(f"{path}: not a PDF (a paper is a .pdf or a .txt file)")
    digest = hashlib.sha256(data).hexdigest()
    cached = _from_cache(cache_dir, digest)
    if cached is None:
        cached = _extract(path)
        _to_cache(cache_dir, digest, cached)
    pages = cached.get("pages")
    if not isinstance(pages, list) or not all(isinstance(p, str) for p in pages):
        raise PaperError(f"{path}: the PDF's text could not be read")
    if not any(p.strip() for p in pages):
        raise PaperError(f"{path}: the PDF has no text (a scan? srs reads a PDF's text layer)")
    title, author = cached.get("title", ""), cached.get("author", "")
    return PaperFile(
        PaperText.of(tuple(pages)),
        title if isinstance(title, str) else "",
        author if isinstance(author, str) else "",
    )


def _is_text(path: Path) -> bool:
    return path.suffix.lower() in {".txt", ".text", ".md"}


def _read_bounded(path: Path, limit: int) -> bytes:
    try:
        if path.exists() and not path.is_dir() and not path.is_file():  # a FIFO would block
            raise PaperError(f"{path}: not a regular file")
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise PaperError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise PaperError(f"{path}: a folder, not a paper") from None
    except OSError as exc:
        raise PaperError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise PaperError(f"{path}: larger than {limit // (1024 * 1024)} MiB")
    return data


def _limits() -> None:  # pragma: no cover - runs in the child, before exec
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CHILD_CPU_SECONDS, CHILD_CPU_SECONDS))


def _extract(path: Path) -> dict[str, object]:
    if importlib.util.find_spec("pypdfium2") is None:
        raise PaperError(f"{path}: {INSTALL_HINT}")
    command = [sys.executable, "-m", "srs.paper.pdf_child", str(path)]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            timeout=CHILD_TIMEOUT,
            preexec_fn=_limits if os.name == "posix" else None,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PaperError(f"{path}: reading the PDF took over {CHILD_TIMEOUT:.0f} s") from None
    if done.returncode != 0:
        line = done.stderr.decode("utf-8", "replace").strip().splitlines()
        if done.returncode == 2 and line:
            raise PaperError(f"{path}: {line[-1][:300]}")
        why = f"signal {-done.returncode}" if done.returncode < 0 else f"status {done.returncode}"
        raise PaperError(f"{path}: the PDF reader stopped ({why}; out of memory or time?)")
    try:
        out = json.loads(done.stdout)
    except ValueError:
        raise PaperError(f"{path}: the PDF reader's output could not be read") from None
    if not isinstance(out, dict):
        raise PaperError(f"{path}: the PDF reader's output could not be read")
    return out


def _cache_file(cache_dir: Path, digest: str) -> Path:
    return cache_dir / f"{digest}-{EXTRACTOR}.json"


def _from_cache(cache_dir: Path | None, digest: str) -> dict[str, object] | None:
    if cache_dir is None:
        return None
    try:
        with _cache_file(cache_dir, digest).open("rb") as handle:
            raw = handle.read(MAX_CACHE_BYTES + 1)
        out = json.loads(raw) if len(raw) <= MAX_CACHE_BYTES else None
    except (OSError, ValueError):
        return None  # no entry, or a damaged one: read the PDF again
    return out if isinstance(out, dict) else None


def _to_cache(cache_dir: Path | None, digest: str, content: dict[str, object]) -> None:
    if cache_dir is None:
        return
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(content, out)
            os.replace(tmp, _cache_file(cache_dir, digest))
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
