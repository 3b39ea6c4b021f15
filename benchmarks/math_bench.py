"""`deck check` and `deck add` of the 10k-card synthetic deck, with math in every card and without.

Run: `uv run python benchmarks/math_bench.py`. Each card of the math deck gets a different
formula in its back (so the render cache cannot make one parse serve every card). Both decks are
timed in alternation, five times each, in one process and without the check cache (each card is
checked), with a third deck whose backs get as many plain words instead of the formula (the same
text volume). The figures recorded in benchmarks/README.md are ratios of the best time of each,
in CPU time of the process (steadier on a shared machine) and in wall time.
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
from srs.checkcache import FileCardCache
from srs.core import cardmath, cardspans
from srs.loading import load_paths
from srs.store import Store


def formula(i: int) -> str:
    """The sentence with math appended to back number `i` (as the back reads, not as TOML)."""
    return rf" Risk $\alpha_{{{i}}}^2 + \frac{{1}}{{n}}\sum_j x_j$."


def words(i: int) -> str:
    """A sentence of plain words exactly as long as `formula(i)`: the same text volume, no math."""
    sentence = f" Risk alpha {i} squared plus one over n times the sum of every x sub j here"
    return sentence[: len(formula(i)) - 1] + "."


def with_sentence(path: Path, prefix: str, sentence: Callable[[int], str]) -> Path:
    """A copy of the deck file with `sentence(i)` appended to its `i`-th back."""
    text = path.read_text(encoding="utf-8")
    counter = iter(range(1_000_000))

    def add(m: re.Match[str]) -> str:
        escaped = sentence(next(counter)).replace("\\", "\\\\")  # a TOML basic string
        return m.group(1) + escaped + m.group(2)

    out = path.with_name(prefix + path.name)
    out.write_text(re.sub(r'^(back = "[^"\n]*)(")$', add, text, flags=re.M), encoding="utf-8")
    return out


def with_math(path: Path) -> Path:
    """A copy of the deck file with a formula appended to every back."""
    return with_sentence(path, "math-", formula)


def forget() -> None:
    """Empty srs's in-process caches of parsed card text, as a new `srs` process starts."""
    cardspans.tokens.cache_clear()
    cardspans._spans.cache_clear()
    cardspans.quick_spans.cache_clear()
    cardmath._problem.cache_clear()
    cardmath._converted.cache_clear()


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """The wall time and the CPU time of this process for one call of `run`, its caches
    emptied first."""
    forget()
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def main(rounds: int = 5) -> None:
    """Time the decks in alternation, `rounds` times each, and print the best of each.

    "plain" is the deck as generated; "words" appends to every back a sentence of plain words
    as long as the formula "math" appends, so that math is compared with the same text volume.
    """
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (plain,) = write_decks(folder / "plain", "bench", 10_000, 1, seed=1)
        decks = {
            "plain": plain,
            "words": with_sentence(plain, "words-", words),
            "math": with_math(plain),
        }
        found: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for name, path in decks.items():
            assert not [d for d in check_paths([path]) if d.severity == "error"], name
        for _ in range(rounds):  # alternated, so that a busy moment of the machine hits all
            for name, path in decks.items():
                check = timed(lambda p=path: check_paths([p]))

                def add(p: Path = path, name: str = name) -> None:
                    db = folder / f"{name}-{time.perf_counter_ns()}.db"
                    store = Store.open(f"sqlite:///{db}")
                    load_paths(store, [p], datetime.now(UTC))
                    store.close()

                found.setdefault(("deck check", name), []).append(check)
                found.setdefault(("deck add", name), []).append(timed(add))
        for what in ("deck check", "deck add"):
            for clock, which in (("CPU", 1), ("wall", 0)):
                best = {name: min(t[which] for t in found[what, name]) for name in decks}
                print(
                    f"{what}, {clock}: {best['plain']:.2f} s without math, "
                    f"{best['math']:.2f} s with, {best['math'] / best['plain']:.2f}x; "
                    f"{best['words']:.2f} s with as many words instead, "
                    f"{best['math'] / best['words']:.2f}x"
                )
        print(f"(best of {rounds} runs each, the decks alternated)")
        warm = {}
        for name, path in decks.items():  # `srs deck check` run again on an unchanged deck
            cache = FileCardCache(folder / f"cache-{name}")
            check_paths([path], cache=cache)
            warm[name] = min(
                timed(lambda p=path, c=cache: check_paths([p], cache=c))[1] for _ in range(3)
            )
        print(
            f"deck check again, check cache warm, CPU: {warm['plain']:.2f} s without math, "
            f"{warm['math']:.2f} s with, {warm['math'] / warm['plain']:.2f}x; "
            f"{warm['words']:.2f} s with as many words instead"
        )


if __name__ == "__main__":
    main()
