"""The files an import or export writes on its way: checked outputs, temporary files that name
their process, and the leftovers of a process that was killed, removed at the next start.

An import unpacks a collection (up to a gigabyte) into `$TMPDIR/srs-import-PID-...`; an export
builds one in `$TMPDIR/srs-export-PID-...`; both write their output through
`.NAME.PID.HEX.part` beside it and an atomic rename. On an error, Ctrl-C or SIGTERM they are
removed as the stack unwinds; `kill -9` leaves them, so each import and export first removes those
whose process is gone.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from srs.core.errors import SrsError

_TEMP = re.compile(r"srs-(?:import|export)-(\d+)-")
_PART = re.compile(r"\.(.+)\.(\d+)\.[0-9a-f]+\.part$")


def temp_prefix(kind: str) -> str:
    """The prefix of this process's temporary folder for an `import` or an `export`."""
    return f"srs-{kind}-{os.getpid()}-"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # another user's process, or not a pid: not ours to judge
    return True


def remove_stale(tmp: Path, out: Path) -> int:
    """Remove what a killed import or export left: its folders in `tmp` and its part files beside
    `out`, when the process that made them is gone and they are this user's. Returns how many."""
    removed = 0
    me = os.getuid() if hasattr(os, "getuid") else None
    places = [(tmp, _TEMP, 1), (out.parent if str(out.parent) else Path("."), _PART, 2)]
    for folder, pattern, group in places:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            found = pattern.match(entry.name)
            if found is None or (pattern is _PART and found.group(1) != out.name):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if (me is not None and info.st_uid != me) or _alive(int(found.group(group))):
                continue
            with suppress(OSError):
                if stat.S_ISDIR(info.st_mode):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
                removed += 1
    return removed


def check_output(out: Path, force: bool, error: Callable[[str], SrsError]) -> None:
    """Refuse to write `out` when it exists (without `force`), is not a regular file (even with
    `force`: a FIFO, a device such as /dev/null, a folder), its folder is missing, or its path
    is too long. Raises `error(message)`."""
    try:
        info = os.stat(out)
    except FileNotFoundError:
        info = None
    except OSError as exc:  # too long a name, a loop of links, a file where a folder should be
        raise error(f"cannot write {out}: {exc.strerror or exc}") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise error(f"cannot write {out}: it exists and is not a regular file")
    if info is not None and not force:
        raise error(f"{out} exists; pass --force to replace it")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise error(f"cannot write {out}: no folder {parent}")


def part_path(out: Path) -> Path:
    """The temporary file beside `out` that is renamed over it when complete."""
    return out.with_name(f".{out.name}.{os.getpid()}.{secrets.token_hex(4)}.part")


def write_atomically(out: Path, text: str, error: Callable[[str], SrsError] = SrsError) -> None:
    """Write `text` to `out` through a part file, fsync and an atomic rename; nothing is left
    on any failure. Raises `error(message)` naming `out` on an OS error."""
    part = part_path(out)
    try:
        with open(part, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, out)
    except OSError as exc:
        with suppress(OSError):
            part.unlink()
        raise error(f"cannot write {out}: {exc.strerror or exc}") from None
    except BaseException:
        with suppress(OSError):
            part.unlink()
        raise
