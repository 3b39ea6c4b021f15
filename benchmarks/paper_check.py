"""Issue 29's speed target: `srs deck check --paper` of a 100-card deck against a 40-page
two-column paper, the paper's text cached by its digest after the first run, under 1.5 times
`srs deck check` alone (the second and later runs, each a whole process).

    uv run python benchmarks/paper_check.py [--runs 7]

Writes the paper (tests/paper_pdfs.py, with fpdf2) and the deck under benchmarks/data/paper/.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from measure import child_env, median, time_process  # noqa: E402

from paper_pdfs import wrap, write_pdf  # noqa: E402

WORDS = [
    "model",
    "backdoor",
    "training",
    "safety",
    "trigger",
    "deployment",
    "reasoning",
    "scratchpad",
    "evaluation",
    "vulnerability",
    "prompt",
    "behaviour",
    "robust",
    "adversarial",
    "supervised",
    "reinforcement",
    "persists",
    "larger",
    "distilled",
    "chain",
    "thought",
    "helpful",
    "honest",
    "harmless",
    "policy",
    "reward",
    "examples",
    "year",
    "code",
]


def sentence(i: int) -> str:
    """A deterministic sentence, different for each i, with a number in it."""
    words = [WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(14)]
    return f"We find that the {' '.join(words)} changed in {i % 97} of {100 + i % 13} runs."


def build(folder: Path) -> tuple[Path, Path]:
    """The 40-page paper and the 100-card deck quoting it, made once."""
    folder.mkdir(parents=True, exist_ok=True)
    pdf, deck = folder / "paper.pdf", folder / "deck.toml"
    if pdf.exists() and deck.exists():
        return pdf, deck
    per_column = 14
    pages = []
    for p in range(40):
        columns = []
        for c in range(2):
            text = " ".join(sentence((p * 2 + c) * per_column + k) for k in range(per_column))
            columns.append(wrap(text, 48))
        pages.append(columns)
    write_pdf(pdf, pages, title="A forty-page paper", size=6)
    cards = ['[deck]\nid = "bench"\ntitle = "Bench"\npaper = { pdf = "paper.pdf" }\n']
    kinds = ("finding", "limitation", "misreading")
    for i in range(100):
        quoted = sentence(i * 11)
        cards.append(
            f'\n[[card]]\nid = "card-{i}"\nkind = "{kinds[i % 3]}"\n'
            f'front = "What changed in setting {i}, and how often?"\n'
            f'back = "It changed in {(i * 11) % 97} of {100 + (i * 11) % 13} runs."\n'
            f'source = "p. {(i * 11) // 28 + 1}"\nquote = {json.dumps(quoted)}\n'
        )
    deck.write_text("".join(cards), encoding="utf-8")
    return pdf, deck


def main() -> None:
    """Measure both commands and print the ratio against the target."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    folder = HERE / "data" / "paper"
    pdf, deck = build(folder)
    cache = folder / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    env = {"SRS_CACHE_DIR": str(cache)}
    srs = [shutil.which("srs") or "srs"]
    plain = median(time_process([*srs, "deck", "check", str(deck)], args.runs, env))
    first = median(time_process([*srs, "deck", "check", str(deck), "--paper", str(pdf)], 1, env, 0))
    paper = median(
        time_process([*srs, "deck", "check", str(deck), "--paper", str(pdf)], args.runs, env)
    )
    assert child_env()  # the measured processes cache their bytecode (measure.child_env)
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(f"deck check (100 cards):                     {plain:7.0f} ms")
    print(f"deck check --paper, first run (PDF read):   {first:7.0f} ms")
    print(f"deck check --paper, cached (40 pages):      {paper:7.0f} ms")
    ratio = paper / plain
    print(f"ratio: {ratio:.2f} (target: under 1.5) {'met' if ratio < 1.5 else 'NOT MET'}")


if __name__ == "__main__":
    main()
