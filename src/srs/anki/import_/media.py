"""The images a package's fields use, read from its media and written beside the deck file.

Only the images some field's `<img src=...>` names are read, never the rest of the media. The
package's media map (`media`: JSON `{"0": "name.png"}` in legacy packages; a zstd-compressed
protobuf list in Anki 2.1.50+'s, whose files are zstd-compressed too) says which zip entry holds
which name. Everything is bounded (`ImportLimits.figures` images, `figure_bytes` in all, each at
most the 2 MiB a deck's figure may be), each image's type is judged by its content
(`deckfile.limits.figure_kind`: PNG, JPEG, GIF, WebP or SVG), and each is written under a safe
name of its own (letters, digits, `.`, `_`, `-`; its extension its content's) to one folder
beside the deck, `<deck file's stem>-figures`, through a part file and a rename. A name that is
not an image, too large, beyond a bound or absent is reported and not written.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from srs.anki.import_.limits import ImportLimits
from srs.anki.import_.package import (
    ZIP_ERRORS,
    open_regular,
    protobuf_fields,
    refuse_too_many_entries,
)
from srs.anki.tempfiles import part_path
from srs.core.cardtext import printable
from srs.core.deckfile.limits import MAX_FIGURE_BYTES, figure_kind
from srs.core.errors import AnkiImportError

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_EXT = {"png": "png", "jpeg": "jpg", "gif": "gif", "webp": "webp", "svg": "svg"}


@dataclass
class Figures:
    """The images found for a deck: by the name fields use, the path beside the deck file (as a
    card's Markdown names it) and the bytes to write; what could not be had, with why."""

    folder: Path
    paths: dict[str, str] = field(default_factory=dict)
    data: dict[str, bytes] = field(default_factory=dict)  # file name in `folder` -> bytes
    refused: list[str] = field(default_factory=list)


def folder_for(out: Path) -> Path:
    """The folder beside deck file `out` that its imported images go to."""
    return out.with_name(f"{out.stem}-figures")


def read_figures(package: Path, wanted: Sequence[str], out: Path, limits: ImportLimits) -> Figures:
    """The images of `wanted` (names fields use, each once) from `package`'s media, for the deck
    file `out`; nothing is written. Raises `AnkiImportError` only for a package that is not a zip.
    """
    found = Figures(folder_for(out))
    if not wanted:
        return found
    with open_regular(package) as fh:
        refuse_too_many_entries(package, fh, limits)
        try:
            with zipfile.ZipFile(fh) as zf:
                _read_wanted(zf, wanted, limits, found)
        except ZIP_ERRORS as exc:
            raise AnkiImportError(f"{package}: damaged Anki package ({exc})") from None
    return found


def _read_wanted(
    zf: zipfile.ZipFile, wanted: Sequence[str], limits: ImportLimits, found: Figures
) -> None:
    names = set(zf.namelist())
    try:
        entries = _media_map(zf, limits) if "media" in names else {}
    except ZIP_ERRORS:
        entries = {}
    total = 0
    used: set[str] = set()
    for name in wanted:
        entry = entries.get(name)
        if entry is None or entry not in names:
            continue  # reported as missing by the conversion
        if len(found.paths) >= limits.figures:
            found.refused.append(
                f"{printable(name)} (over the {limits.figures} images srs imports)"
            )
            continue
        try:
            data = _entry_bytes(zf, entry)
        except ZIP_ERRORS:
            found.refused.append(f"{printable(name)} (a damaged entry of the package)")
            continue
        if data is None:
            found.refused.append(f"{printable(name)} (larger than {MAX_FIGURE_BYTES >> 20} MiB)")
            continue
        kind = figure_kind(data[:4096])
        if kind is None:
            found.refused.append(
                f"{printable(name)} (not a PNG, JPEG, GIF, WebP or SVG image by its content)"
            )
            continue
        if total + len(data) > limits.figure_bytes:
            found.refused.append(
                f"{printable(name)} (over the {limits.figure_bytes >> 20} MiB of images srs "
                "imports)"
            )
            continue
        total += len(data)
        file_name = _safe_name(name, kind, data, used)
        found.data[file_name] = data
        found.paths[name] = f"{found.folder.name}/{file_name}"


def _media_map(zf: zipfile.ZipFile, limits: ImportLimits) -> dict[str, str]:
    """The media map: a field's name -> the zip entry that holds the file."""
    raw = _bounded(zf, "media", limits.media_map)
    if raw is None:
        return {}
    if raw.startswith(_ZSTD_MAGIC):
        raw = _unzstd(raw, limits.media_map)
        if raw is None:
            return {}
        return _modern_map(raw)
    try:
        value = json.loads(raw.decode("utf-8", "replace") or "{}")
    except (ValueError, RecursionError):
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(v): str(k) for k, v in value.items() if isinstance(v, str)}


def _modern_map(raw: bytes) -> dict[str, str]:
    """MediaEntries { repeated MediaEntry entries = 1 } with MediaEntry { string name = 1; ...;
    optional uint32 legacy_zip_filename = 4 }: the entry of the i-th is `i` unless it says."""
    found: dict[str, str] = {}
    try:
        for index, (number, value) in enumerate(protobuf_fields(raw)):
            if number != 1 or not isinstance(value, bytes):
                continue
            name, entry = "", str(index)
            for inner, part in protobuf_fields(value):
                if inner == 1 and isinstance(part, bytes):
                    name = part.decode("utf-8", "replace")
                elif inner == 4 and isinstance(part, int):
                    entry = str(part)
            if name:
                found.setdefault(name, entry)
    except ValueError:
        return found
    return found


def _entry_bytes(zf: zipfile.ZipFile, entry: str) -> bytes | None:
    """An image entry's bytes (zstd-decompressed when so written), or None past the bound."""
    raw = _bounded(zf, entry, MAX_FIGURE_BYTES + 64)
    if raw is None:
        return None
    if raw.startswith(_ZSTD_MAGIC):
        return _unzstd(raw, MAX_FIGURE_BYTES)
    return raw if len(raw) <= MAX_FIGURE_BYTES else None


def _bounded(zf: zipfile.ZipFile, entry: str, limit: int) -> bytes | None:
    out = bytearray()
    with zf.open(entry) as src:
        while chunk := src.read(1 << 16):
            out += chunk
            if len(out) > limit:
                return None
    return bytes(out)


def _unzstd(raw: bytes, limit: int) -> bytes | None:
    import zstandard

    try:
        reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
        data = reader.read(limit + 1)
    except zstandard.ZstdError:
        return None
    return data if len(data) <= limit else None


def _safe_name(name: str, kind: str, data: bytes, used: set[str]) -> str:
    """A file name from the field's name: safe characters only, its content's extension, made
    unique with a piece of the content's digest."""
    base = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    base = _UNSAFE.sub("-", base).strip(".-_")[:60] or "figure"
    candidate = f"{base}.{_EXT[kind]}"
    if candidate.casefold() in used:
        candidate = f"{base}-{hashlib.sha256(data).hexdigest()[:12]}.{_EXT[kind]}"
    used.add(candidate.casefold())
    return candidate


def write_figures(figures: Figures, force: bool) -> None:
    """Write the images into their folder beside the deck, each through a part file and a
    rename; a file already there with other bytes is replaced only with `force`. Raises
    `AnkiImportError` (one line)."""
    if not figures.data:
        return
    folder = figures.folder
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise AnkiImportError(f"cannot write {folder}: {exc.strerror or exc}") from None
    if info is not None and not stat.S_ISDIR(info.st_mode):
        raise AnkiImportError(f"cannot write images to {folder}: it exists and is not a folder")
    try:
        folder.mkdir(exist_ok=True)
        for name, data in figures.data.items():
            target = folder / name
            if target.is_symlink() or (target.exists() and not target.is_file()):
                raise AnkiImportError(f"cannot write {target}: it exists and is not a file")
            if target.exists() and target.read_bytes() != data and not force:
                raise AnkiImportError(f"{target} exists; pass --force to replace it")
            part = part_path(target)
            with open(part, "xb") as fh:
                fh.write(data)
            os.replace(part, target)
    except OSError as exc:
        raise AnkiImportError(f"cannot write images to {folder}: {exc.strerror or exc}") from None
