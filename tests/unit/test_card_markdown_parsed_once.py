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


@pytest.mark.parametrize(
    "text", [r"Linked [$\beta_{42}$](https://example.com) \$5.", r"Mixed *$\beta_{43}$* emphasis"]
)
def test_check_and_anki_html_parse_a_card_text_at_most_once(text: str) -> None:
    cardspans.tokens.cache_clear()
    cardspans._spans.cache_clear()
    assert cardspans.spans(text).math
    cardtext.render_markdown(text)
    assert cardspans.tokens.cache_info().misses == 1


_piece = st.sampled_from(
    ["a", "Word", " ", "\n", "$", "$$", "x^2", "\\$", "`", "*", "_", "![f](p.png)", "[l](u)",
     "#", "1.", "-", ">", "\\", "5", "{", "}", "<", "&"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_piece, min_size=1, max_size=10).map("".join))
def test_on_generated_text_the_shortcuts_match_the_full_parse(text: str) -> None:
    assert [t.as_dict() for t in cardspans.tokens(text)] == full_tokens(text)
    assert cardtext.render_markdown(text) == full_html(text, {})


QUICK = [
    r"Risk $\alpha_{3}^2 + \frac{1}{n}\sum_j x_j$.",
    r"Words `code` and *em* and _x_ with $a^2$ then $b$ end",
    r"Price is $5 and $x$",
    r"Spaced $ x$ and $x $ here",
    r"Digit 2$x$ and $x$3 here",
    r"Escaped $x\$ here",
    r"Code `$x$` here",
    r"Math $a`b$ here",
    r"Double $$x$$ here",
    r"Link [a]($x$) here",
    r"Image ![a](b.png) here $x$",
    r"Entity &#36;x$ here",
    r"Back ``a`` and $x$",
    r"Emphasis *$x$* and *a* $y$ and `c` $z$*",
    'Quote "$x$" and {$y$} and $a < b$ & more',
    r"Ends with math $x$",
]


@pytest.mark.parametrize("text", QUICK)
def test_the_quick_reading_of_spans_is_dollarmaths_or_steps_aside(text: str) -> None:
    quick = cardspans.quick_spans(text)
    if quick is not None:
        assert quick == cardspans._parsed_spans(text)
    assert cardtext.render_markdown(text) == full_html(text, {})


def test_a_typical_back_with_math_is_read_without_markdown_it() -> None:
    text = r"Shift `confidence` of *model*. Risk $\alpha_{0}^2 + \frac{1}{n}\sum_j x_j$."
    quick = cardspans.quick_spans(text)
    assert quick is not None and quick == cardspans._parsed_spans(text)
    assert [m.latex for m in quick.math] == [r"\alpha_{0}^2 + \frac{1}{n}\sum_j x_j"]
    cardspans.tokens.cache_clear()
    html = cardtext.render_markdown(text)
    assert cardspans.tokens.cache_info().misses == 0  # written without markdown-it
    assert html == full_html(text, {})
    assert r"<code>confidence</code> of <em>model</em>. Risk \(\alpha_" in html


@settings(max_examples=600, deadline=None)
@given(st.lists(_piece, min_size=1, max_size=12).map(lambda p: "Word " + "".join(p)))
def test_on_generated_lines_the_quick_reading_matches_dollarmath(text: str) -> None:
    quick = cardspans.quick_spans(text)
    if quick is not None:
        assert quick == cardspans._parsed_spans(text)
    assert cardtext.render_markdown(text) == full_html(text, {})
