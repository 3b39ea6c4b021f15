"""Card Markdown with math or figures is parsed once: the checker's spans and the Anki HTML come
from the same cached tokens, and a one-line paragraph skips markdown-it's block parser. Both
shortcuts must give exactly what the full parse gives."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srs.core import cardspans, cardtext

CORPUS = [
    r"Risk $\alpha_{3}^2 + \frac{1}{n}\sum_j x_j$.",
    r"Costs \$5 and `$x$` here, $y$ there",
    "See ![the loss curve](figures/fig%201.png) and $$E = mc^2$$ now",
    "A *bold* [link](https://example.com/$a$) with $x$ and $5 and $ y$",
    "Trailing space $x$ ",
    " Leading space $x$",
    "Two lines $x$\nand $y$",
    "# Heading $x$",
    "1. list $x$",
    "- item $x$",
    "$$\n\\frac{a}{b}\n$$",
    "Text\n\n$$x$$\n\nmore",
    "Word<b>$x$</b> &amp; $y$",
    "A **$x$** and _$y$_ and ~~$z$~~",
    "Setext $x$\n===",
    "Tab\there $x$",
]


def full_tokens(text: str) -> list[dict[str, Any]]:
    return [t.as_dict() for t in cardspans._parser().parse(text)]


def full_html(text: str, media: dict[str, str]) -> str:
    """What `render_markdown` gave when it parsed the text again for Anki."""
    env: dict[str, Any] = {"media": media}
    clean = cardtext.strip_control_chars(text)
    rendered = cardtext._renderer().render(clean, env).strip().translate(cardtext._ANKI_MARKUP)
    held: list[str] = env.get("math", [])
    return cardtext._HELD.sub(lambda m: held[int(m.group(1))], rendered)


@pytest.mark.parametrize("text", CORPUS)
def test_shared_tokens_are_the_full_parse_and_the_html_is_unchanged(text: str) -> None:
    assert [t.as_dict() for t in cardspans.tokens(text)] == full_tokens(text)
    media = {"figures/fig 1.png": "srs-ab12.png"}
    assert cardtext.render_markdown(text, media) == full_html(text, media)


def test_one_line_of_text_with_math_skips_the_block_parser() -> None:
    text = r"Risk $\alpha_{3}^2$ is bounded."
    assert cardspans._ONE_PARAGRAPH.fullmatch(text) is not None
    assert cardspans.spans(text).math[0].latex == r"\alpha_{3}^2"
    assert cardtext.render_markdown(text) == r"<p>Risk \(\alpha_&#123;3&#125;^2\) is bounded.</p>"


def test_rendering_reuses_the_tokens_the_checker_parsed() -> None:
    text = r"Reused $\beta_{41}$ tokens."
    cardspans.tokens.cache_clear()
    cardspans.spans(text)
    cardtext.render_markdown(text)
    assert cardspans.tokens.cache_info().misses == 1
    assert cardspans.tokens.cache_info().hits >= 1


_piece = st.sampled_from(
    ["a", "Word", " ", "\n", "$", "$$", "x^2", "\\$", "`", "*", "_", "![f](p.png)", "[l](u)",
     "#", "1.", "-", ">", "\\", "5", "{", "}", "<", "&"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_piece, min_size=1, max_size=10).map("".join))
def test_on_generated_text_the_shortcuts_match_the_full_parse(text: str) -> None:
    assert [t.as_dict() for t in cardspans.tokens(text)] == full_tokens(text)
    assert cardtext.render_markdown(text) == full_html(text, {})
