"""Open an Anki package (.apkg or .colpkg) safely and find the collection inside it.

Three formats exist. `collection.anki2` (Anki before 2.1) and `collection.anki21` (2.1 to 2.1.49)
are plain SQLite files with a JSON media map. Anki 2.1.50+ writes `collection.anki21b`, a
zstd-compressed SQLite file of a newer schema, with a `meta` entry naming the format version and a
zstd-compressed protobuf media map; such packages also carry a dummy `collection.anki2` whose one
note asks the user to update Anki, which must never be imported in its place.

Everything here is untrusted. Each entry is streamed to a temporary file with its decompressed size
counted, so a zip or zstd bomb stops at `limit` bytes; media names are only read, never used as
paths; nothing is written outside the temporary directory the caller owns.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from srs.core.errors import AnkiImportError

LIMIT = 1 << 30
"""The most bytes any one entry may decompress to (1 GiB): a 10k-note collection is about 10 MB."""

SMALL_LIMIT = 64 << 20
"""The most bytes the `meta` entry or the media map may unpack to (64 MiB), as they are read into
memory: a media map of 100k files is a few megabytes."""

_CHUNK = 1 << 20

# The `meta` entry's version (Anki's PackageMetadata.Version) -> the collection entry it names.
_VERSIONS = {1: "collection.anki2", 2: "collection.anki21", 3: "collection.anki21b"}
_NEWEST = max(_VERSIONS)


@dataclass(frozen=True)
class Extracted:
    """The collection found in a package, written out as a plain SQLite file, and the names of
    the media files the package carries."""

    collection: Path
    entry: str
    media: tuple[str, ...]


def extract(package: Path, workdir: Path, limit: int | None = None) -> Extracted:
    """Copy the package's collection to a SQLite file in `workdir` and list its media names.

    Raises `AnkiImportError` for a file that is not an Anki package or is of a newer format.
    """
    limit = LIMIT if limit is None else limit
    try:
        zf = zipfile.ZipFile(package)
    except OSError as exc:  # missing, a folder, unreadable: not a question of format
        raise AnkiImportError(f"cannot read {package}: {exc.strerror or exc}") from None
    except (zipfile.BadZipFile, ValueError):
        raise AnkiImportError(f"{package}: not an Anki package (not a zip file)") from None
    with zf:
        names = set(zf.namelist())
        entry = _choose(package, zf, names, limit)
        target = workdir / "collection.sqlite"
        try:
            with zf.open(entry) as src, open(target, "wb") as out:
                if entry.endswith("21b"):
                    _unzstd(package, src, out, limit)
                else:
                    _copy(package, _chunks(src), out, limit)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise AnkiImportError(f"{package}: damaged Anki package ({exc})") from None
        media = _media_names(package, zf, names, modern=entry.endswith("21b"), limit=limit)
    _check_sqlite(package, target)
    return Extracted(target, entry, media)


def _choose(package: Path, zf: zipfile.ZipFile, names: set[str], limit: int) -> str:
    if "meta" in names:
        version = _meta_version(package, _read(package, zf, "meta", min(limit, SMALL_LIMIT)))
        if version > _NEWEST:
            raise AnkiImportError(
                f"{package}: made by a newer Anki (package format {version}; srs reads up to "
                f"{_NEWEST}); export it from Anki with 'Support older Anki versions' ticked"
            )
        entry = _VERSIONS.get(version)
        if entry in names:
            return entry
    for entry in ("collection.anki21b", "collection.anki21", "collection.anki2"):
        if entry in names:
            return entry
    raise AnkiImportError(f"{package}: not an Anki package (no collection inside)")


def _read(package: Path, zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    out = bytearray()
    with zf.open(name) as src:
        for chunk in _chunks(src):
            out += chunk
            if len(out) > limit:
                raise AnkiImportError(f"{package}: {name} is larger than {limit} bytes unpacked")
    return bytes(out)


def _chunks(src: IO[bytes]) -> Iterator[bytes]:
    while chunk := src.read(_CHUNK):
        yield chunk


def _copy(package: Path, chunks: Iterator[bytes], out: IO[bytes], limit: int) -> None:
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > limit:
            raise AnkiImportError(
                f"{package}: the collection is larger than {limit} bytes unpacked; refused"
            )
        out.write(chunk)


def _unzstd(package: Path, src: IO[bytes], out: IO[bytes], limit: int) -> None:
    import zstandard

    try:
        reader = zstandard.ZstdDecompressor().stream_reader(src, read_across_frames=True)
        _copy(package, _chunks(reader), out, limit)
    except zstandard.ZstdError as exc:
        raise AnkiImportError(f"{package}: damaged Anki package ({exc})") from None


def _unzstd_bytes(package: Path, data: bytes, limit: int) -> bytes:
    import io

    out = io.BytesIO()
    _unzstd(package, io.BytesIO(data), out, limit)
    return out.getvalue()


def _meta_version(package: Path, data: bytes) -> int:
    try:
        version = dict(_protobuf(data)).get(1, 0)
    except ValueError:
        version = 0
    if not isinstance(version, int) or version < 1:
        raise AnkiImportError(f"{package}: not an Anki package (unreadable meta entry)")
    return version


def _media_names(
    package: Path, zf: zipfile.ZipFile, names: set[str], modern: bool, limit: int
) -> tuple[str, ...]:
    """The file names in the media map. Only ever reported, never used as paths."""
    if "media" not in names:
        return ()
    limit = min(limit, SMALL_LIMIT)
    data = _read(package, zf, "media", limit)
    try:
        if modern:
            # MediaEntries { repeated MediaEntry entries = 1 }, MediaEntry { string name = 1 }
            found = []
            for number, entry in _protobuf(_unzstd_bytes(package, data, limit)):
                if number == 1 and isinstance(entry, bytes):
                    name = dict(_protobuf(entry)).get(1)
                    if isinstance(name, bytes):
                        found.append(name.decode("utf-8", "replace"))
            return tuple(found)
        mapping = json.loads(data.decode("utf-8") or "{}")
        return tuple(str(v) for v in mapping.values()) if isinstance(mapping, dict) else ()
    except (ValueError, AnkiImportError):
        return ()  # the media map is only used for warnings


def _protobuf(data: bytes) -> list[tuple[int, int | bytes]]:
    """The top-level fields of a protobuf message: varints and length-delimited values only
    (all that Anki's package metadata, media map and note type config use here)."""
    fields: list[tuple[int, int | bytes]] = []
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
            fields.append((number, value))
        elif wire == 2:
            size, i = _varint(data, i)
            if i + size > len(data):
                raise ValueError("truncated protobuf")
            fields.append((number, data[i : i + size]))
            i += size
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        else:
            raise ValueError("unsupported protobuf wire type")
    return fields


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if i >= len(data) or shift > 63:
            raise ValueError("truncated protobuf varint")
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, i
        shift += 7


def protobuf_varint(data: bytes, number: int) -> int | None:
    """Field `number` of a protobuf message when it is a varint, else None (malformed: None)."""
    try:
        value = dict(_protobuf(data)).get(number)
    except ValueError:
        return None
    return value if isinstance(value, int) else None


def _check_sqlite(package: Path, path: Path) -> None:
    with open(path, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise AnkiImportError(f"{package}: not an Anki package (the collection is not SQLite)")
