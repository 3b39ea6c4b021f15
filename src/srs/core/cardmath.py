"""LaTeX in card math: checked, and shown as Unicode in the terminal.

Parsed by pylatexenc's LaTeX walker and written out by its `latex2text`, extended through its own
extension points (`MacroTextSpec`, `SpecialsTextSpec`) for what it leaves as LaTeX: `x^2` becomes
`x²`, `\\beta_i` `βᵢ`, `\\frac{a+b}{n}` `(a+b)/n`. What Unicode cannot show stays readable:
`x^{(t)}` as `x^(t)`, never a raw `$`.

Chosen by measuring on the forms papers use (Greek, scripts, fractions, sums, `\\mathbb`,
`\\text`, `\\operatorname`, `\\log`): unicodeit writes scripts well but replaces prefixes of longer
commands (`\\log` came out `łog`, `\\operatorname` `øperatorname`) and leaves `\\frac` and `\\text`
as written; latex2text parses properly but writes `x^2`, `∑_i=1^n` and `a+b/n`, which its spec
hooks fix. It is also the parser the checker needs: an unbalanced brace is an error at its
column, and commands that read files or make links (`\\input`, `\\href`) are refused.

Nothing here runs or reads anything: LaTeX is only text, and MathJax in Anki gets it escaped.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pylatexenc.latex2text import LatexNodes2Text
    from pylatexenc.macrospec import LatexContextDb

MAX_MATH = 4000
"""The longest math span, in characters: an equation, not a document."""

# Commands that read or write files, define new commands (so that a refused one could be
# spelled another way), or make links, styles and HTML in MathJax. Refused wherever they are.
REFUSED = frozenset(
    {
        "input", "include", "includeonly", "InputIfFileExists", "openin", "openout", "read",
        "readline", "write", "immediate", "special", "endinput", "usepackage",
        "RequirePackage", "documentclass", "includegraphics", "verbatiminput", "lstinputlisting",
        "def", "edef", "gdef", "xdef", "let", "futurelet", "newcommand", "renewcommand",
        "providecommand", "DeclareMathOperator", "newenvironment", "renewenvironment", "catcode",
        "csname", "endcsname", "expandafter", "uppercase", "lowercase", "loop", "jobname",
        "href", "url", "class", "cssId", "style", "require", "unicode", "bbox", "html",
        "htmlClass", "htmlId", "htmlStyle", "htmlData", "data", "mmlToken", "toggle", "verb",
        "texttip", "mathtip", "tooltip", "statusline", "fbox",
    }
)  # fmt: skip

_SUPER = dict(zip("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", strict=True))
_SUPER.update(zip("abcdefghjklmoprstuvwxyz", "ᵃᵇᶜᵈᵉᶠᵍʰʲᵏˡᵐᵒᵖʳˢᵗᵘᵛʷˣʸᶻ", strict=True))
_SUPER.update({"T": "ᵀ", "\u2032": "\u2032", "*": "*", "\u2212": "⁻", "\u2217": "*"})
_SUB = dict(zip("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎", strict=True))
_SUB.update(zip("aehijklmnoprstuvx", "ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))
_SUB.update({"β": "ᵦ", "γ": "ᵧ", "ρ": "ᵨ", "φ": "ᵩ", "χ": "ᵪ", "\u2212": "₋"})  # noqa: RUF001


def latex_problem(latex: str) -> tuple[int, str] | None:
    """Why `latex` cannot be shown, as (offset in `latex`, message), or None when it can.

    A parse error (an unclosed brace, a stray `}`, `\\end` without `\\begin`) and a refused
    command (`REFUSED`) are problems; an unknown command is not (MathJax may know it). Simple
    formulas are cleared by `cardmathcheck.plainly_fine` without pylatexenc; anything it is not
    sure of is parsed by pylatexenc, which has the last word.
    """
    if len(latex) > MAX_MATH:
        return 0, f"math is {len(latex)} characters long; at most {MAX_MATH}"
    from srs.core.cardmathcheck import plainly_fine

    if plainly_fine(latex, REFUSED):
        return None
    return _problem(latex)


@functools.lru_cache(maxsize=8192)
def _problem(latex: str) -> tuple[int, str] | None:
    from pylatexenc.latexwalker import LatexWalker, LatexWalkerError

    from srs.core.cardmathcheck import walker_context

    try:
        walker = LatexWalker(latex, latex_context=walker_context(), tolerant_parsing=False)
        nodes, _, _ = walker.get_latex_nodes()
    except LatexWalkerError as exc:
        message = str(getattr(exc, "msg", "") or exc).splitlines()[0]
        return int(getattr(exc, "pos", 0) or 0), f"LaTeX cannot be parsed: {message}"
    except RecursionError:
        return 0, "LaTeX is nested too deeply"
    for offset, name in _macros(nodes):
        if name in REFUSED:
            return offset, f"LaTeX command \\{name} is not allowed in card math"
    return None


def _macros(nodes: Any) -> list[tuple[int, str]]:
    """Every command in a node list, nested ones too, with its offset."""
    from pylatexenc.latexwalker import LatexEnvironmentNode, LatexMacroNode

    found: list[tuple[int, str]] = []
    stack = list(nodes or ())
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if isinstance(node, LatexMacroNode):
            found.append((node.pos, node.macroname))
        if isinstance(node, LatexEnvironmentNode):
            found.append((node.pos, node.environmentname))
        stack.extend(getattr(node, "nodelist", None) or ())
        argd = getattr(node, "nodeargd", None)
        if argd is not None:
            stack.extend(getattr(argd, "argnlist", None) or ())
    return sorted(found)


def to_unicode(latex: str) -> str:
    """`latex` as readable Unicode (`\\alpha^2 + \\beta_i` -> `α² + βᵢ`), cached by content;
    LaTeX the checker would refuse comes back as written."""
    if latex_problem(latex) is not None:
        return latex
    return _converted(latex)


@functools.lru_cache(maxsize=8192)
def _converted(latex: str) -> str:
    from pylatexenc.latexwalker import LatexWalker

    converter, context = _converter()
    nodes, _, _ = LatexWalker(latex, latex_context=context, tolerant_parsing=True).get_latex_nodes()
    return " ".join(converter.nodelist_to_text(nodes).split())


def _scripted(table: dict[str, str], mark: str, body: str) -> str:
    """A sub- or superscript in Unicode when every character has one, else `^x` or `^(xy)`."""
    body = body.strip()
    if body and all(ch in table for ch in body):
        return "".join(table[ch] for ch in body)
    if len(body) <= 1 or body.startswith("("):
        return mark + body
    return f"{mark}({body})"


def _grouped(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 1 or text.isalnum() else f"({text})"


@functools.cache
def _converter() -> tuple[LatexNodes2Text, LatexContextDb]:
    """latex2text, and the walker's context that reads `^` and `_` with their argument."""
    from pylatexenc import latex2text, macrospec
    from pylatexenc.latexwalker import get_default_latex_context_db

    def script(table: dict[str, str], mark: str) -> Any:
        def repl(node: Any, l2tobj: Any) -> str:
            args = node.nodeargd.argnlist if node.nodeargd else []
            return _scripted(table, mark, l2tobj.nodelist_to_text(args))

        return repl

    def frac(node: Any, l2tobj: Any) -> str:
        num, den = (l2tobj.nodelist_to_text([a]) for a in node.nodeargd.argnlist[:2])
        return f"{_grouped(num)}/{_grouped(den)}"

    walker_db = get_default_latex_context_db()
    walker_db.add_context_category(
        "srs-scripts",
        prepend=True,
        specials=[
            macrospec.SpecialsSpec(c, args_parser=macrospec.MacroStandardArgsParser("{"))
            for c in "^_"
        ],
    )
    text_db = latex2text.get_default_latex_context_db()
    text_db.add_context_category(
        "srs-scripts",
        prepend=True,
        macros=[
            latex2text.MacroTextSpec("frac", simplify_repl=frac),
            latex2text.MacroTextSpec("dfrac", simplify_repl=frac),
            latex2text.MacroTextSpec("tfrac", simplify_repl=frac),
        ],
        specials=[
            latex2text.SpecialsTextSpec("^", simplify_repl=script(_SUPER, "^")),
            latex2text.SpecialsTextSpec("_", simplify_repl=script(_SUB, "_")),
        ],
    )
    return latex2text.LatexNodes2Text(
        latex_context=text_db, math_mode="text", strict_latex_spaces="based-on-source"
    ), walker_db
