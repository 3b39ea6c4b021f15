"""The files an import or export writes on its way: checked outputs, temporary files that name
their process, and the leftovers of a process that was killed, removed at the next start.

An import unpacks a collection (up to a gigabyte) into `$TMPDIR/srs-import-PID-...`; an export
builds one in `$TMPDIR/srs-export-PID-...`; both write their output through
`.NAME.PID.HEX.part` beside it and an atomic rename. On an error or Ctrl-C they are removed as
the stack unwinds, and on SIGTERM or SIGHUP too (`removed_on_signal` turns the signal into an
exception for the command's duration, then ends the process by it); `kill -9` leaves them, so each
import and export first removes those whose process is gone.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import Any

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


class Terminated(BaseException):
    """A signal that ends the process arrived: unwind (removing temporary files), then die by it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_ENDING = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))


@contextmanager
def removed_on_signal() -> Iterator[None]:
    """For the block, SIGTERM and SIGHUP unwind the stack like Ctrl-C, so that every temporary
    file and part file is removed as on an error; the process then ends by that signal, as it
    would have (its exit status still says which). A second signal during the unwinding is
    ignored. Only the main thread can set handlers; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def ending(signum: int, frame: FrameType | None) -> None:
        for number in _ENDING:
            signal.signal(number, signal.SIG_IGN)
        raise Terminated(signum)

    previous: dict[int, Any] = {number: signal.signal(number, ending) for number in _ENDING}
    try:
        yield
    except Terminated as stop:
        signal.signal(stop.signum, signal.SIG_DFL)
        os.kill(os.getpid(), stop.signum)
        raise  # pragma: no cover (the signal ended the process)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
