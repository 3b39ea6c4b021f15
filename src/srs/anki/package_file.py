"""The package file: the collection and the figures' media, zipped reproducibly.

An Anki package is a zip of `collection.anki2`, a `media` map (`{"0": "name.png", ...}`) and
one entry per media file named by its number. Each figure is named from its content
(`Figure.media_name`), so two decks' `fig1.png` never collide, and new bytes are a new name in a
field that changed, which Anki takes as an edit of the note. An SVG travels as a file, never
inlined into a field.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

from srs.anki.tempfiles import part_path
from srs.core.errors import ExportError, SrsError
from srs.core.model import Figure

# Fixed entry time for the zip, so that the package bytes depend on content alone.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def figure_media(cards: Iterable[tuple[str | None, tuple[Figure, ...]]]) -> dict[str, bytes]:
    """The media of the figures of `cards` (each with its deck file), by media name, read
    from beside each deck file as loaded (`figure_files.figure_file`); `ExportError` when one is
    gone or changed."""
    from srs.figure_files import figure_file

    media: dict[str, bytes] = {}
    for deck_file, figures in cards:
        for figure in figures:
            if figure.media_name in media or not figure.digest:
                continue
            try:
                media[figure.media_name] = figure_file(deck_file, figure)[1].data
            except SrsError as exc:
                raise ExportError(f"cannot export: {exc}") from None
    return media


def write_package(collection: Path, out: Path, media: dict[str, bytes] | None = None) -> None:
    """Zip `collection` and `media` (by media name) into `out` with deflate, through a
    temporary file and an atomic rename."""
    # Opened with "x" in the target directory: the rename stays on one file system, and the file
    # gets the usual permissions rather than mkstemp's 0600.
    part = part_path(out)
    try:
        with open(part, "xb") as fh:
            with zipfile.ZipFile(fh, "w") as zf:
                _add(zf, "collection.anki2", collection.read_bytes())
                names = sorted(media or {})
                index = {str(i): name for i, name in enumerate(names)}
                _add(zf, "media", json.dumps(index, sort_keys=True).encode())
                for number, name in index.items():
                    _add(zf, number, (media or {})[name])
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, out)
    except BaseException:
        with suppress(OSError):
            part.unlink()
        raise


def _add(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
