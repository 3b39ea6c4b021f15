"""Timing helpers: medians of repeated runs, whole processes, the machine and the versions."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

BIN = Path(sys.executable).parent  # the project's virtualenv: `srs` lives next to `python`
# Child processes cache their bytecode here, as any normal install does in __pycache__. (Some
# sandboxes set PYTHONDONTWRITEBYTECODE=1, which makes every start-up compile every module.)
PYCACHE = Path(__file__).resolve().parent / "data" / "pycache"


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for measured processes: ours, with bytecode caching switched on."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env.update(extra or {})
    return env


@dataclass
class Row:
    """One line of the results table. Times are medians in milliseconds."""

    section: str
    name: str
    srs_ms: float | None
    other_name: str = ""
    other_ms: float | None = None
    target: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """srs / counterpart, when both were measured."""
        if self.srs_ms is None or not self.other_ms:
            return None
        return self.srs_ms / self.other_ms


def median(samples: Sequence[float]) -> float:
    """The median of `samples` (seconds), in milliseconds."""
    return statistics.median(samples) * 1000


def time_calls(fn: Callable[[], object], runs: int, warmup: int = 0) -> list[float]:
    """Seconds taken by each of `runs` calls of `fn`, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return samples


def time_process(
    argv: Sequence[str],
    runs: int,
    env: Mapping[str, str] | None = None,
    warmup: int = 1,
) -> list[float]:
    """Wall-clock seconds from start to exit of a whole process, `runs` times.

    The untimed warm-up runs fill the page cache and the bytecode cache, so these are cold
    interpreters on warm files, as when a user types a command twice. Output is discarded; a
    failure raises with its stderr.
    """
    full_env = child_env(env)
    samples = []
    for i in range(warmup + runs):
        t0 = time.perf_counter()
        done = subprocess.run(
            list(argv), env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        elapsed = time.perf_counter() - t0
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-2000:]}"
            )
        if i >= warmup:
            samples.append(elapsed)
    return samples


def copy_db(src: Path, dst_dir: Path) -> Path:
    """Copy a SQLite file (and any -wal/-shm beside it) into `dst_dir`; returns the copy."""
    dst_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        part = src.with_name(src.name + suffix)
        if part.exists():
            shutil.copyfile(part, dst_dir / part.name)
    return dst_dir / src.name


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                kib = int(line.split()[1])
                return f"{kib / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as the kernel reports them."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def source_revision(repo: Path) -> str:
    """The commit measured, and whether `src/` had uncommitted changes at the time."""
    try:
        head = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} (with uncommitted changes in src/)" if dirty else head


def environment(dists: Iterable[str]) -> dict[str, str]:
    """The machine, the date and the versions that the results belong to."""
    info = {
        "commit": source_revision(Path(__file__).resolve().parents[1]),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "memory": _memory(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }
    for dist in dists:
        info[dist] = _version(dist)
    return info
