"""docs/deck-format.md stays true: its example deck is clean and its sample output is real."""

from __future__ import annotations

import json
import re
from pathlib import Path

from srs.authoring import diagnostics_to_json
from srs.core.deckfile import QUALITY_CODES, check_deck, parse_deck
from srs.core.deckfile.clozeparts import CLOZE_CODES
from srs.core.deckfile.formerids import FORMER_ID_CODES
from srs.core.model import Kind

DOC = Path(__file__).resolve().parents[2] / "docs" / "deck-format.md"


def fenced(language: str) -> list[str]:
    """The bodies of the doc's code blocks fenced as ```<language>."""
    return re.findall(rf"^```{language}\n(.*?)^```$", DOC.read_text("utf-8"), re.S | re.M)


def example_deck() -> str:
    (block,) = fenced("toml")  # the doc holds exactly one complete example deck
    return block


def test_doc_example_deck_checks_with_no_errors_and_no_warnings() -> None:
    assert check_deck(example_deck(), "decks/attention.toml") == []


def test_doc_example_deck_has_one_card_of_each_kind() -> None:
    deck = parse_deck(example_deck(), "decks/attention.toml")
    assert deck.id == "attention"
    assert sorted(c.kind for c in deck.cards) == sorted(Kind)
    assert all(c.source for c in deck.cards)


def test_doc_sample_check_output_is_what_the_checker_prints() -> None:
    broken = example_deck().replace('kind = "finding"', 'kind = "fact"')
    broken = broken.replace('source = "Section 4, Table 1"\n', "")
    diags = check_deck(broken, "decks/attention.toml")
    (console,) = fenced("console")
    shown = [line for line in console.splitlines() if line.startswith("decks/")]
    assert shown == [d.format() for d in diags]


def test_doc_json_sample_has_the_shape_the_checker_emits() -> None:
    (sample,) = fenced("json")
    broken = example_deck().replace('kind = "finding"', 'kind = "fact"')
    errors = [d for d in check_deck(broken, "decks/attention.toml") if d.severity == "error"]
    assert json.loads(sample) == json.loads(diagnostics_to_json(errors))


def test_doc_lists_every_problem_code() -> None:
    text = DOC.read_text("utf-8")
    codes = {
        *("toml-syntax", "not-utf8", "control-char", "missing-table", "unknown-key"),
        *("missing-field", "empty-field", "wrong-type", "bad-id", "duplicate-id"),
        *("unknown-kind", "tag-space", "raw-html", "duplicate-deck", "missing-path"),
        *("no-decks", "read-error", "internal-error", "missing-kind", "no-cards"),
        *("no-source", "answer-in-prompt", "long-prompt", "bad-guid", "bad-anki-note-type"),
        *FORMER_ID_CODES,
        "more-problems",
        *CLOZE_CODES,
        *QUALITY_CODES,
    }
    assert {c for c in codes if f"| `{c}` |" not in text} == set()
    tables = text.split("### Problem codes", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", tables, re.M))
    assert listed == codes  # and no code the checker does not emit


def test_doc_explains_every_card_quality_warning_with_its_reason() -> None:
    text = DOC.read_text("utf-8")
    section = text.split("## Card quality", 1)[1].split("\n## ", 1)[0]
    assert "minimum information principle" in " ".join(section.split())
    assert {c for c in QUALITY_CODES if f"- **`{c}`**" not in section} == set()
    assert "--strict" in text and "--max-back-words" in text


def test_doc_example_misreading_holds_the_claim_only() -> None:
    deck = parse_deck(example_deck(), "decks/attention.toml")
    (misreading,) = [c for c in deck.cards if c.kind is Kind.MISREADING]
    assert "wrong" not in misreading.front.lower()
