"""Open an Anki package (.apkg or .colpkg) safely and find the collection inside it.

Three formats exist. `collection.anki2` (Anki before 2.1) and `collection.anki21` (2.1 to 2.1.49)
are plain SQLite files with a JSON media map. Anki 2.1.50+ writes `collection.anki21b`, a
zstd-compressed SQLite file of a newer schema, with a `meta` entry naming the format version and a
zstd-compressed protobuf media map; such packages also carry a dummy `collection.anki2` whose one
note asks the user to update Anki, which must never be imported in its place.

Everything here is untrusted. Only a regular file is opened (a FIFO would block, `/dev/zero` never
end); the zip's entry count is read from its end record before `zipfile` builds an object for each
entry; each entry is streamed to a temporary file with its decompressed size counted, so a zip or
zstd bomb stops at its bound; every zip, zstd and protobuf error is one line. The media map is
read only for the images fields use (`media`), within bounds of its own.
"""

from __future__ import annotations

import lzma
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from srs.anki.import_ import limits as bounds
from srs.anki.import_.limits import ImportLimits
from srs.core.errors import AnkiImportError

_CHUNK = 1 << 20

# The `meta` entry's version (Anki's PackageMetadata.Version) -> the collection entry it names.
_VERSIONS = {1: "collection.anki2", 2: "collection.anki21", 3: "collection.anki21b"}
_NEWEST = max(_VERSIONS)

# What a damaged or unsupported zip entry raises while it is read: a bad CRC or header, corrupt
# deflate, LZMA or bzip2 data, an encrypted entry (RuntimeError), an unknown method
# (NotImplementedError), a truncated stream.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OSError,
)


class _WriteError(Exception):
    """Writing the unpacked collection failed (a full disk): not the package's fault."""


@dataclass(frozen=True)
class Extracted:
    """The collection found in a package, written out as a plain SQLite file."""

    collection: Path
    entry: str


def refuse_too_many_entries(package: Path, fh: IO[bytes], limits: ImportLimits) -> None:
    """Refuse, from the zip's end record alone, a package of more entries than `limits` allow
    (before the zip module builds an entry for each)."""
    count = entry_count(fh)
    if count is not None and count > limits.entries:
        raise AnkiImportError(
            f"{package}: the package has {count} entries, over the {limits.entries} srs reads"
        )


def extract(package: Path, workdir: Path, limits: ImportLimits | None = None) -> Extracted:
    """Copy the package's collection to a SQLite file in `workdir`.

    Raises `AnkiImportError` for a file that is not a regular file, not an Anki package, damaged,
    beyond `limits`, or of a newer format.
    """
    limits = bounds.LIMITS if limits is None else limits
    with open_regular(package) as fh:
        refuse_too_many_entries(package, fh, limits)
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, ValueError, EOFError, struct.error):
            raise AnkiImportError(f"{package}: not an Anki package (not a zip file)") from None
        except OSError as exc:
            raise AnkiImportError(f"cannot read {package}: {exc.strerror or exc}") from None
        with zf:
            if len(zf.infolist()) > limits.entries:  # an end record that lied
                raise AnkiImportError(
                    f"{package}: the package has over {limits.entries} entries, the most srs reads"
                )
            names = set(zf.namelist())
            entry = _choose(package, zf, names, limits)
            target = workdir / "collection.sqlite"
            try:
                with zf.open(entry) as src, open(target, "wb") as out:
                    if entry.endswith("21b"):
                        _unzstd(package, src, out, limits.unpacked)
                    else:
                        _copy(package, _chunks(src), out, limits.unpacked)
            except _WriteError as exc:
                raise AnkiImportError(f"cannot unpack {package}: {exc}") from None
            except ZIP_ERRORS as exc:
                raise AnkiImportError(f"{package}: damaged Anki package ({_why(exc)})") from None
    _check_sqlite(package, target)
    return Extracted(target, entry)


def open_regular(package: Path) -> IO[bytes]:
    """The package opened for reading, refused unless it is a regular file (as `deck check`)."""
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting forever.
        fd = os.open(package, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:  # missing, unreadable: not a question of format
        raise AnkiImportError(f"cannot read {package}: {exc.strerror or exc}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise AnkiImportError(f"cannot read {package}: Is a directory")
        raise AnkiImportError(f"{package}: not a regular file (a pipe, device or socket); not read")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def entry_count(fh: IO[bytes]) -> int | None:
    """The number of entries the zip's end record declares (zip64 too); None if there is none."""
    try:
        size = fh.seek(0, os.SEEK_END)
        start = max(0, size - (22 + 0xFFFF))
        fh.seek(start)
        tail = fh.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            return None
        count = int(struct.unpack_from("<H", tail, at + 10)[0])
        locator = at - 20
        if count == 0xFFFF and locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
            (offset,) = struct.unpack_from("<Q", tail, locator + 8)
            fh.seek(offset)
            record = fh.read(56)
            if len(record) == 56 and record[:4] == b"PK\x06\x06":
                count = int(struct.unpack_from("<Q", record, 32)[0])
        return count
    except (OSError, ValueError, OverflowError, struct.error):
        return None
    finally:
        fh.seek(0)


def _why(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return text or type(exc).__name__


def _choose(package: Path, zf: zipfile.ZipFile, names: set[str], limits: ImportLimits) -> str:
    if "meta" in names:
        try:
            data = _read(package, zf, "meta", limits.meta)
        except ZIP_ERRORS as exc:
            raise AnkiImportError(f"{package}: damaged Anki package ({_why(exc)})") from None
        version = _meta_version(package, data)
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
        try:
            out.write(chunk)
        except OSError as exc:
            raise _WriteError(f"{exc.strerror or exc} (in the temporary folder)") from None


def _unzstd(package: Path, src: IO[bytes], out: IO[bytes], limit: int) -> None:
    import zstandard

    try:
        reader = zstandard.ZstdDecompressor().stream_reader(src, read_across_frames=True)
        _copy(package, _chunks(reader), out, limit)
    except zstandard.ZstdError as exc:
        raise AnkiImportError(f"{package}: damaged Anki package ({_why(exc)})") from None


def _meta_version(package: Path, data: bytes) -> int:
    version = protobuf_varint(data, 1)
    if version is None or version < 1:
        raise AnkiImportError(f"{package}: not an Anki package (unreadable meta entry)")
    return version


def protobuf_fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """The top-level fields of a protobuf message, one at a time: varints and length-delimited
    values only (all that Anki's package metadata and note type config use here)."""
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
            yield number, value
        elif wire == 2:
            size, i = _varint(data, i)
            if i + size > len(data):
                raise ValueError("truncated protobuf")
            yield number, data[i : i + size]
            i += size
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        else:
            raise ValueError("unsupported protobuf wire type")


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


def _last_of(data: bytes, number: int) -> int | bytes | None:
    """The last value of field `number` of a protobuf message (fields read one at a time, only
    that one kept, as protobuf has it); None when absent or malformed."""
    kept: int | bytes | None = None
    try:
        for found, value in protobuf_fields(data):
            if found == number:
                kept = value
    except ValueError:
        return None
    return kept


def protobuf_varint(data: bytes, number: int) -> int | None:
    """Field `number` of a protobuf message when it is a varint, else None (malformed: None)."""
    kept = _last_of(data, number)
    return kept if isinstance(kept, int) else None


def protobuf_text(data: bytes, number: int) -> str:
    """Field `number` of a protobuf message as text when it is length-delimited, else ""."""
    kept = _last_of(data, number)
    return kept.decode("utf-8", "replace") if isinstance(kept, bytes) else ""


def _check_sqlite(package: Path, path: Path) -> None:
    with open(path, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise AnkiImportError(f"{package}: not an Anki package (the collection is not SQLite)")
