"""The deck checker clears simple LaTeX without pylatexenc (`cardmathcheck.plainly_fine`); it
must never clear a formula pylatexenc would refuse, and must clear the forms papers use."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srs.core import cardmath
from srs.core.cardmathcheck import plainly_fine

PAPER_FORMS = [
    r"\alpha^2 + \beta_i",
    r"\alpha_{17}^2 + \frac{1}{n}\sum_j x_j",
    r"\sum_{i=1}^{n} x_i",
    r"\frac{a+b}{n}",
    r"\mathbb{R}^d",
    r"\text{if } t < 2024",
    r"\operatorname{softmax}(QK^T)",
    r"\log p_\theta(y)",
    r"\mathbb{E}_{x \sim D}[\ell(x)]",
    r"\pi_\theta(y \mid x, t)",
    r"R_{\text{train}}(\theta) = \mathbb{E}_{x \sim D_{\text{train}}} \ell(\theta, x)",
    r"\hat{y} = \arg\max_y p(y)",
    r"\frac12 \cdot \frac\alpha\beta",
    "\\frac\n{1}{2}",
]

EDGES = [
    r"\frac{1}",
    r"\frac",
    r"{\frac}",
    r"\frac{a} ",
    r"\frac{a}}",
    r"a}",
    r"{a",
    r"\(",
    r"\)x",
    r"\[x\]",
    r"\end{x}",
    r"\begin{x}",
    r"\sqrt",
    r"\sqrt[3]{x}",
    r"\sqrt[3",
    r"\text{a",
    r"a\\",
    r"a\\[2pt]",
    r"\\[",
    r"\frac%c",
    "\\frac\n\n{1}{2}",
    r"\input{/etc/passwd}",
    r"\frac{\input{x}}{2}",
    r"\frac\href{x}",
    r"\href{javascript:alert(1)}{x}",
    r"\def\x{1}",
    r"x \\ y",
    r"\frac{}{}",
    r"\frac\hat x",
    r"\frac{a}\hat",
    "{" * 40 + "}" * 40,
    r"\verb|x|",
    r"a \$ b",
    "\\",
]


def walker_verdict(latex: str) -> tuple[int, str] | None:
    return cardmath._problem.__wrapped__(latex)  # type: ignore[attr-defined]


def test_the_forms_papers_use_are_cleared_without_pylatexenc() -> None:
    for latex in PAPER_FORMS:
        assert plainly_fine(latex, cardmath.REFUSED), latex
        assert walker_verdict(latex) is None, latex


@pytest.mark.parametrize("latex", EDGES)
def test_what_the_quick_pass_clears_pylatexenc_accepts_too(latex: str) -> None:
    if plainly_fine(latex, cardmath.REFUSED):
        assert walker_verdict(latex) is None
    assert cardmath.latex_problem(latex) == walker_verdict(latex)


def test_refused_commands_and_broken_braces_are_never_cleared() -> None:
    for latex in (r"\input{x}", r"\frac{\href{a}{b}}{2}", r"a}", r"{a", r"\frac{1}", r"\begin{x}"):
        assert not plainly_fine(latex, cardmath.REFUSED), latex


_pieces = st.sampled_from(
    [
        "x", "2", " ", "\n", "{", "}", "^", "_", "[", "]", "(", "+", "'", "-", "*", "&", "~",
        "\\frac", "\\alpha", "\\sqrt", "\\hat", "\\text", "\\mathbb", "\\sum", "\\\\", "\\{",
        "\\}", "\\,", "\\left", "\\right", "\\input", "\\begin{a}", "\\end{a}", "\\(", "\\)",
        "\\operatorname", "\\", "%", "$",
    ]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(_pieces, max_size=10).map("".join))
def test_on_generated_formulas_the_quick_pass_agrees_with_pylatexenc(latex: str) -> None:
    if plainly_fine(latex, cardmath.REFUSED):
        assert walker_verdict(latex) is None
    assert cardmath.latex_problem(latex) == walker_verdict(latex)


def test_latex_backslashes_do_not_look_like_control_escapes_but_a_real_one_is_found() -> None:
    from srs.core.deckfile import check_deck
    from srs.core.deckfile.checker import _CONTROL_ESCAPE

    assert _CONTROL_ESCAPE.search(r'back = "$\\frac{1}{n} \\beta \\rho \\underline{x}$"') is None
    head = '[deck]\nid = "d"\ntitle = "D"\n\n[[card]]\nid = "a"\nkind = "finding"\n'
    text = head + 'front = "Q?"\nback = "$\\\\frac{1}{2}$ and \\\\\\u0007 bell"\n'
    codes = [(d.line, d.code) for d in check_deck(text) if d.severity == "error"]
    assert codes == [(9, "control-char")]
