"""Math in card text: found by dollarmath, checked at its line and column, shown as Unicode in
the terminal and as MathJax delimiters for Anki."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import run_srs, srs_env
from srs.core.cardmath import latex_problem, to_unicode
from srs.core.cardspans import spans
from srs.core.cardtext import render_markdown, terminal_markdown
from srs.core.deckfile import check_deck

HEAD = '[deck]\nid = "d"\ntitle = "D"\n\n[[card]]\nid = "a"\nkind = "finding"\nsource = "§1"\n'


def problems(back: str) -> list[tuple[int, int, str, str]]:
    """The math problems of a card with `back`, which starts at line 10, column 9."""
    text = HEAD + "front = 'What is it?'\nback = '" + back + "'\n"
    return [
        (d.line, d.col, d.severity, d.code)
        for d in check_deck(text)
        if "math" in d.code or d.code == "money-dollar"
    ]


@pytest.mark.parametrize(
    ("latex", "shown"),
    [
        (r"\alpha^2 + \beta_i", "α² + βᵢ"),
        (r"\sum_{i=1}^{n} x_i", "∑ᵢ₌₁ⁿ xᵢ"),
        (r"\frac{a+b}{n}", "(a+b)/n"),
        (r"\mathbb{R}^d", "ℝᵈ"),
        (r"\text{if } t < 2024", "if t < 2024"),
        (r"\operatorname{softmax}(QK^T)", "softmax(QKᵀ)"),
        (r"\log p_\theta(y)", "log p_θ(y)"),
    ],
)
def test_latex_papers_use_reads_as_unicode(latex: str, shown: str) -> None:
    assert to_unicode(latex) == shown


def test_what_unicode_cannot_show_stays_readable_latex_without_a_dollar() -> None:
    shown = terminal_markdown(r"Risk is $\mathbb{E}_{x \sim D}[\ell(x)]$ here.")
    assert "$" not in shown and "𝔼" in shown and "ℓ" in shown  # noqa: RUF001


def test_inline_and_display_math_go_to_anki_as_mathjax_delimiters() -> None:
    html = render_markdown("Here $x^2$ is.\n\n$$\n\\frac{a}{b}\n$$\n")
    assert r"\(x^2\)" in html
    assert r"\[\frac&#123;a&#125;&#123;b&#125;\]" in html


def test_an_escaped_dollar_and_a_dollar_in_code_are_not_math() -> None:
    assert spans(r"costs \$5 and `$x$` here").math == ()
    assert render_markdown(r"costs \$5") == "<p>costs $5</p>"


def test_an_unbalanced_dollar_is_an_error_at_its_column() -> None:
    assert problems("the value $x stays") == [(10, 9 + 10, "error", "unbalanced-math")]


def test_a_dollar_before_a_number_is_a_warning_that_suggests_an_escape() -> None:
    assert problems("it cost $5 in all") == [(10, 9 + 8, "warning", "money-dollar")]


def test_latex_that_cannot_be_parsed_is_an_error_at_its_column() -> None:
    assert problems(r"it is $\frac{a}{b$ here") == [
        (10, 9 + 17, "error", "bad-math")
    ]  # the end, unclosed


@pytest.mark.parametrize("latex", [r"\input{/etc/passwd}", r"\href{javascript:alert(1)}{x}"])
def test_latex_that_reads_files_or_makes_links_is_refused(latex: str) -> None:
    assert latex_problem(latex) is not None
    assert problems(f"see ${latex}$ here") == [(10, 9 + 5, "error", "bad-math")]  # the command


def test_hostile_latex_is_one_error_line_in_deck_check(tmp_path: Path) -> None:
    deck = tmp_path / "d.toml"
    deck.write_text(HEAD + "front = 'What?'\nback = 'see $\\input{/etc/passwd}$ now'\n")
    result = run_srs(["deck", "check", str(deck)], srs_env(tmp_path / "db", "2026-01-01T09:00"))
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert result.returncode == 1
    assert len(errors) == 1 and "\\input is not allowed" in errors[0]
