"""`deck check` bounded (issue 28): similar-backs compares bounded prefixes, and the diagnostics
kept for one file are capped, the rest counted in one line."""

from __future__ import annotations

import time
import tracemalloc

from srs.core.deckfile import check_deck
from srs.core.deckfile.checker import MAX_DIAGNOSTICS
from srs.core.deckfile.quality import _similar


def deck(cards: list[tuple[str, str]], tags: str = "") -> bytes:
    lines = ['[deck]\nid = "d"\ntitle = "D"\nsource = "S (2020)"\n']
    for i, (front, back) in enumerate(cards):
        lines.append(f'[[card]]\nid = "c{i}"\nkind = "finding"\nfront = "{front}"\n'
                     f'back = "{back}"\nsource = "p. {i}"\n{tags}\n')  # fmt: skip
    return "\n".join(lines).encode()


def test_two_long_backs_half_alike_cost_bounded_work_in_the_similarity_check() -> None:
    a = {f"alpha{i}" for i in range(4000)} | {f"shared{i}" for i in range(4000)}
    b = {f"beta{i}" for i in range(4000)} | {f"shared{i}" for i in range(4000)}
    text_a, text_b = " ".join(sorted(a)), " ".join(sorted(b))  # 100 KB each, a third alike
    started = time.process_time()
    assert _similar(a, b, text_a, text_b) is False
    assert time.process_time() - started < 20  # CPU seconds, a very wide margin (was minutes)


def test_a_file_with_many_bad_tags_keeps_a_thousand_diagnostics_and_counts_the_rest() -> None:
    tags = "tags = [" + ", ".join(['"a b"'] * 2_000) + "]"
    text = deck([("Front?", "A back.")] * 10, tags)
    tracemalloc.start()
    diags = check_deck(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(diags) == MAX_DIAGNOSTICS + 1
    last = diags[-1]
    assert last.code == "more-problems" and last.severity == "error"
    # 20,000 tags with a space, and two more problems the cards have
    assert last.message == "... and 19002 more problems (at most 1000 are shown)"
    assert peak < 50 << 20  # bytes: the diagnostics past the bound are counted, not kept
