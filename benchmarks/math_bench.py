"""`deck check` and `deck add` of the 10k-card synthetic deck, with math in every card and without.

Run: `uv run python benchmarks/math_bench.py`. Each card of the math deck gets a different
formula in its back (so the render cache cannot make one parse serve every card); the figure
recorded in benchmarks/README.md is the ratio of the best of three runs each.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
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


def best(run: object, times: int = 3) -> float:
    """The best wall time of `times` calls of `run`."""
    found = []
    for _ in range(times):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        found.append(time.perf_counter() - start)
    return min(found)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (plain,) = write_decks(folder / "plain", "bench", 10_000, 1, seed=1)
        mathy = with_math(plain)
        results = {}
        for name, path in (("plain", plain), ("math", mathy)):
            assert not [d for d in check_paths([path]) if d.severity == "error"], name
            check = best(lambda p=path: check_paths([p]))

            def add(p: Path = path, name: str = name) -> None:
                db = folder / f"{name}-{time.perf_counter_ns()}.db"
                store = Store.open(f"sqlite:///{db}")
                load_paths(store, [p], datetime.now(UTC))
                store.close()

            results[name] = (check, best(add))
        for i, what in enumerate(("deck check", "deck add")):
            ratio = results["math"][i] / results["plain"][i]
            print(
                f"{what}: {results['plain'][i]:.2f} s without math, "
                f"{results['math'][i]:.2f} s with, {ratio:.2f}x"
            )


if __name__ == "__main__":
    main()
