"""`deck check` and `deck add` of the 10k-card synthetic deck, with math in every card and without.

Run: `uv run python benchmarks/math_bench.py`. Each card of the math deck gets a different
formula in its back (so the render cache cannot make one parse serve every card). Both decks are
timed in alternation, five times each, in one process and without the check cache (each card is
checked); the figure recorded in benchmarks/README.md is the ratio of the best time of each.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import write_decks

from srs.authoring import check_paths
from srs.loading import load_paths
from srs.store import Store


def with_math(path: Path) -> Path:
    """A copy of the deck file with a formula appended to every back."""
    text = path.read_text(encoding="utf-8")
    counter = iter(range(1_000_000))

    def add(m: re.Match[str]) -> str:
        i = next(counter)
        formula = rf" Risk $\\alpha_{{{i}}}^2 + \\frac{{1}}{{n}}\\sum_j x_j$."
        return m.group(1) + formula + m.group(2)

    out = path.with_name("math-" + path.name)
    out.write_text(re.sub(r'^(back = "[^"\n]*)(")$', add, text, flags=re.M), encoding="utf-8")
    return out


def timed(run: Callable[[], object]) -> float:
    """The wall time of one call of `run`."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main(rounds: int = 5) -> None:
    """Time both decks in alternation, `rounds` times each, and print the best of each."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (plain,) = write_decks(folder / "plain", "bench", 10_000, 1, seed=1)
        mathy = with_math(plain)
        found: dict[tuple[str, str], list[float]] = {}
        for name, path in (("plain", plain), ("math", mathy)):
            assert not [d for d in check_paths([path]) if d.severity == "error"], name
        for _ in range(rounds):  # alternated, so that a busy moment of the machine hits both
            for name, path in (("plain", plain), ("math", mathy)):
                check = timed(lambda p=path: check_paths([p]))

                def add(p: Path = path, name: str = name) -> None:
                    db = folder / f"{name}-{time.perf_counter_ns()}.db"
                    store = Store.open(f"sqlite:///{db}")
                    load_paths(store, [p], datetime.now(UTC))
                    store.close()

                found.setdefault(("deck check", name), []).append(check)
                found.setdefault(("deck add", name), []).append(timed(add))
        for what in ("deck check", "deck add"):
            plain_s, math_s = min(found[what, "plain"]), min(found[what, "math"])
            print(
                f"{what}: {plain_s:.2f} s without math, {math_s:.2f} s with, "
                f"{math_s / plain_s:.2f}x (best of {rounds} each, alternated)"
            )


if __name__ == "__main__":
    main()
