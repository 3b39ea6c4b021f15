"""The deck checker: every problem, each at its exact line and column."""

from __future__ import annotations

import os
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srs.core.cardtext import find_raw_html
from srs.core.deckfile import (
    LONG_PROMPT,
    SLUG,
    Diagnostic,
    check_deck,
    parse_deck,
    read_deck_file,
)
from srs.core.errors import DeckFileError
from srs.core.model import Kind

VALID = """\
[deck]
id = "demo"
title = "Demo"
source = "Someone et al. (2024)"

[[card]]
id = "f1"
kind = "finding"
front = "What did the paper find?"
back = "X improves Y by 3 points."
source = "Section 4"
tags = ["results", "x"]

[[card]]
id = "l1"
kind = "limitation"
front = "Where was the result not tested?"
back = "Only on English text."
source = "Section 6"

[[card]]
id = "m1"
kind = "misreading"
front = '"X always beats Y."'
back = "It was only shown at the tested scale."
source = "Section 5"
"""

HEAD = '[deck]\nid = "demo"\ntitle = "Demo"\n\n'  # 4 lines: the first card header is line 5


def card(body: str, header: str = "[[card]]") -> str:
    """A deck whose single card (header at line 5) has the given body lines."""
    return HEAD + header + "\n" + body


def found(text: str | bytes, code: str) -> list[tuple[int, int]]:
    """(line, col) of every diagnostic with this code."""
    return [(d.line, d.col) for d in check_deck(text, "t.toml") if d.code == code]


def codes(text: str | bytes) -> set[str]:
    return {d.code for d in check_deck(text, "t.toml")}


def errors(text: str | bytes) -> list[Diagnostic]:
    return [d for d in check_deck(text, "t.toml") if d.severity == "error"]


GOOD_CARD = 'id = "c1"\nkind = "finding"\nfront = "Q?"\nback = "A."\nsource = "p. 1"\n'


# ---- a valid deck ----------------------------------------------------------------------------


def test_valid_deck_has_no_diagnostics_and_parses_to_model_objects() -> None:
    assert check_deck(VALID, "demo.toml") == []
    deck = parse_deck(VALID.encode(), "demo.toml")
    assert (deck.id, deck.title, deck.source, deck.path) == (
        "demo",
        "Demo",
        "Someone et al. (2024)",
        "demo.toml",
    )
    assert [c.id for c in deck.cards] == ["f1", "l1", "m1"]
    assert [c.kind for c in deck.cards] == [Kind.FINDING, Kind.LIMITATION, Kind.MISREADING]
    assert [c.line for c in deck.cards] == [6, 14, 21]
    assert deck.cards[0].tags == ("results", "x")
    assert deck.cards[1].tags == ()
    assert deck.cards[2].front == '"X always beats Y."'


def test_card_line_is_the_line_of_its_header_even_when_indented() -> None:
    deck = parse_deck(HEAD + "\n\n  [[card]]\n" + GOOD_CARD)
    assert deck.cards[0].line == 7


def test_crlf_line_endings_and_a_byte_order_mark_are_accepted() -> None:
    data = ("\ufeff" + VALID).replace("\n", "\r\n").encode()
    assert check_deck(data, "demo.toml") == []
    assert parse_deck(data).cards[2].line == 21


def test_crlf_file_reports_positions_as_an_editor_shows_them() -> None:
    text = card('id = "c1"\nkind = "fact"\n').replace("\n", "\r\n")
    assert found(text, "unknown-kind") == [(7, 8)]


def test_multiline_strings_keep_their_text() -> None:
    text = card(
        'id = "c1"\nkind = "finding"\nfront = """\nline one\nline two"""\n'
        "back = '''\nraw \\n text'''\nsource = \"s\"\n"
    )
    c = parse_deck(text).cards[0]
    assert c.front == "line one\nline two"
    assert c.back == "raw \\n text"


# ---- TOML syntax ----------------------------------------------------------------------------


def test_toml_syntax_error_has_tomllib_position() -> None:
    diags = check_deck('[deck]\nid = = "x"\n', "t.toml")
    assert [(d.code, d.line, d.col) for d in diags] == [("toml-syntax", 2, 6)]
    assert diags[0].message.startswith("invalid TOML: ")


def test_unclosed_string_points_at_end_of_its_line_with_a_hint() -> None:
    diags = check_deck('[deck]\nid = "demo\ntitle = "x"\n', "t.toml")
    assert [(d.code, d.line, d.col) for d in diags] == [("toml-syntax", 2, 11)]
    assert '"""' in diags[0].message


@pytest.mark.parametrize(
    "tail, quotes",
    [
        ('front = """\nabc\nback = "A."\n', '"""'),
        ("front = '''abc\n\nback = 'A.'\n", "'''"),
        ('front = "abc', '"'),  # at the very end of the file
    ],
)
def test_string_never_closed_is_reported_where_it_opens(tail: str, quotes: str) -> None:
    (diag,) = check_deck(card('id = "c1"\nkind = "finding"\n' + tail), "t.toml")
    assert (diag.code, diag.line, diag.col) == ("toml-syntax", 8, 9)
    assert (
        diag.message
        == f"string opened here with {quotes} is never closed; add the closing {quotes}"
    )


def test_card_header_with_single_brackets_gets_the_double_bracket_hint() -> None:
    hint = "[card] is a single table: start each card with [[card]] (two brackets)"
    one = card(GOOD_CARD, header="[card]")
    assert [(d.line, d.col, d.message) for d in errors(one)] == [(5, 1, hint)]
    two = one + '\n[card]\nid = "c2"\n'
    assert [(d.line, d.col, d.message) for d in errors(two)] == [(5, 1, hint)]
    mixed = one + '\n[[card]]\nid = "c2"\n'
    assert [(d.line, d.col, d.message) for d in errors(mixed)] == [(5, 1, hint)]


@pytest.mark.parametrize(
    "value, col, shown",
    [
        ("Attention is all you need", 9, '"Attention is all you need"'),
        ("3 body problem", 9, '"3 body problem"'),
        ("tru", 9, '"tru"'),
        ('["x", y]', 15, '"y"'),
    ],
)
def test_unquoted_text_value_gets_add_quotes(value: str, col: int, shown: str) -> None:
    (diag,) = check_deck(f'[deck]\nid = "d"\ntitle = {value}\n', "t.toml")
    assert (diag.code, diag.line, diag.col) == ("toml-syntax", 3, col)
    assert diag.message == f"text values need quotes: add quotes, as in {shown}"


def test_a_number_or_date_is_not_told_to_take_quotes() -> None:
    (diag,) = check_deck('[deck]\nid = "d"\ntitle = 12 12\n', "t.toml")
    assert "quotes" in diag.message  # "12 12" is text
    for value in ("12", "2024-01-01", "true"):
        messages = [d.message for d in check_deck(f'[deck]\nid = "d"\ntitle = {value}\n', "t")]
        assert not any("quotes" in m for m in messages)


def test_duplicate_key_points_at_the_second_definition() -> None:
    diags = check_deck('[deck]\nid = "a"\ntitle = "T"\n  id = "b"\n', "t.toml")
    assert [(d.code, d.line, d.col) for d in diags] == [("toml-syntax", 4, 3)]
    assert "first at line 2" in diags[0].message


def test_table_declared_twice_points_at_the_second_header() -> None:
    diags = check_deck('[deck]\nid = "a"\n\n[deck]\n', "t.toml")
    assert [(d.code, d.line, d.col) for d in diags] == [("toml-syntax", 4, 1)]


def test_syntax_error_at_end_of_document_points_at_the_end() -> None:
    diags = check_deck('[deck]\nid = "a"\ntags = [1,', "t.toml")
    assert [(d.code, d.line) for d in diags] == [("toml-syntax", 3)]
    assert diags[0].col >= 1


# ---- unknown keys ---------------------------------------------------------------------------


def test_unknown_deck_key_suggests_the_close_one() -> None:
    diags = [
        d for d in check_deck('[deck]\nid = "demo"\ntitel = "x"\n', "t") if d.code == "unknown-key"
    ]
    assert [(d.line, d.col) for d in diags] == [(3, 1)]
    assert "did you mean 'title'?" in diags[0].message


def test_unknown_card_key_suggests_the_close_one_and_names_the_card() -> None:
    text = card(GOOD_CARD + "  fornt = 'x'\n")
    diags = [d for d in check_deck(text, "t") if d.code == "unknown-key"]
    assert [(d.line, d.col, d.card_id) for d in diags] == [(11, 3, "c1")]
    assert "did you mean 'front'?" in diags[0].message


def test_unknown_card_key_maps_other_tools_names() -> None:
    text = card(GOOD_CARD + "answer = 'x'\n")
    (diag,) = [d for d in check_deck(text, "t") if d.code == "unknown-key"]
    assert "did you mean 'back'?" in diag.message


def test_unknown_top_level_key_and_table() -> None:
    text = 'title = "x"\n' + HEAD + "[cards]\n" + GOOD_CARD
    diags = [d for d in check_deck(text, "t") if d.code == "unknown-key"]
    assert [(d.line, d.col) for d in diags] == [(1, 1), (6, 1)]
    assert "belongs in the [deck] table" in diags[0].message
    assert "did you mean 'card'?" in diags[1].message


def test_sub_table_of_a_card_is_an_unknown_key_at_its_header() -> None:
    text = card(GOOD_CARD + "[card.notes]\nx = 1\n")
    assert found(text, "unknown-key") == [(11, 1)]  # the [card.notes] header


# ---- required fields and types ---------------------------------------------------------------


def test_missing_deck_table() -> None:
    text = "[[card]]\n" + GOOD_CARD
    assert found(text, "missing-table") == [(1, 1)]


def test_missing_deck_fields_point_at_the_deck_header() -> None:
    text = '\n[deck]\nsource = "s"\n'
    diags = [d for d in check_deck(text, "t") if d.code == "missing-field"]
    assert [(d.line, d.col) for d in diags] == [(2, 1), (2, 1)]
    assert {"'id'" in d.message or "'title'" in d.message for d in diags} == {True}


def test_missing_card_fields_point_at_the_card_header() -> None:
    text = card('id = "c1"\nsource = "s"\n', header="  [[card]]")
    diags = [d for d in check_deck(text, "t") if d.code == "missing-field"]
    assert [(d.line, d.col, d.card_id) for d in diags] == [(5, 3, "c1")] * 3
    assert sorted(d.message.split("'")[1] for d in diags) == ["back", "front", "kind"]


def test_card_without_id_is_reported_without_a_card_name() -> None:
    text = card('kind = "finding"\nfront = "Q"\nback = "A"\nsource = "s"\n')
    diags = [d for d in check_deck(text, "t") if d.code == "missing-field"]
    assert [(d.line, d.col, d.card_id) for d in diags] == [(5, 1, None)]


def test_empty_required_fields_point_at_the_value() -> None:
    text = card('id = "c1"\nkind = "finding"\nfront = "   "\nback = """\n"""\nsource = "s"\n')
    assert found(text, "empty-field") == [(8, 9), (9, 8)]
    assert found('[deck]\nid = "demo"\ntitle = ""\n', "empty-field") == [(3, 9)]


def test_wrong_types_point_at_the_value() -> None:
    text = card('id = "c1"\nkind = "finding"\nfront = 42\nback = ["A"]\nsource = true\n')
    diags = [d for d in check_deck(text, "t") if d.code == "wrong-type"]
    assert [(d.line, d.col) for d in diags] == [(8, 9), (9, 8), (10, 10)]
    assert "'front' must be a string, not an integer" in diags[0].message
    assert "not an array" in diags[1].message
    assert "not a boolean" in diags[2].message


def test_tags_must_be_an_array_of_strings() -> None:
    assert found(card(GOOD_CARD + 'tags = "a"\n'), "wrong-type") == [(11, 8)]
    assert found(card(GOOD_CARD + 'tags = ["a", 2, "b"]\n'), "wrong-type") == [(11, 14)]


def test_deck_and_card_tables_of_the_wrong_shape() -> None:
    assert found('deck = "demo"\n', "wrong-type") == [(1, 8)]
    text = HEAD + "[card]\n" + GOOD_CARD
    diags = [d for d in check_deck(text, "t") if d.code == "wrong-type"]
    assert [(d.line, d.col) for d in diags] == [(5, 1)]
    assert "[[card]]" in diags[0].message


def test_inline_array_of_card_tables_is_checked_too() -> None:
    text = 'card = [\n  {id = "c1", kind = "fact", front = "Q", back = "A", source = "s"},\n]\n'
    assert found(text + HEAD, "unknown-kind") == [(2, 22)]


def test_top_level_key_written_after_a_table_belongs_to_that_table() -> None:
    text = HEAD + "card = []\n"
    (diag,) = [d for d in check_deck(text, "t") if d.code == "unknown-key"]
    assert (diag.line, diag.col) == (5, 1)
    assert "before the first table header" in diag.message


# ---- ids -------------------------------------------------------------------------------------


def test_duplicate_card_id_names_both_lines() -> None:
    text = VALID.replace('id = "l1"', 'id = "f1"')
    diags = [d for d in check_deck(text, "t") if d.code == "duplicate-id"]
    assert [(d.line, d.col, d.card_id) for d in diags] == [(15, 6, "f1")]
    assert "line 7" in diags[0].message and "line 15" in diags[0].message


def test_ids_that_are_not_slugs_are_refused_with_a_suggestion() -> None:
    text = VALID.replace('id = "demo"', 'id = "My Deck"').replace('id = "l1"', 'id = "L_1"')
    diags = [d for d in check_deck(text, "t") if d.code == "bad-id"]
    assert [(d.line, d.col) for d in diags] == [(2, 6), (15, 6)]
    assert "try 'my-deck'" in diags[0].message
    assert "try 'l-1'" in diags[1].message


def test_ids_longer_than_the_store_holds_are_refused_where_they_are_written() -> None:
    long_id = "-".join(["abcd"] * 41)  # 204 characters, a valid slug
    text = VALID.replace('id = "demo"', f'id = "{long_id}"').replace(
        'id = "l1"', f'id = "{long_id}"'
    )
    diags = [d for d in check_deck(text, "t") if d.code == "bad-id"]
    assert [(d.line, d.col) for d in diags] == [(2, 6), (15, 6)]
    assert "204 characters long; at most 200" in diags[0].message


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        *[("a", True), ("a-1", True), ("abc-def-9", True), ("A", False), ("a--b", False)],
        *[("-a", False), ("a-", False), ("a_b", False), ("a b", False), ("a\n", False)],
        ("", False),
    ],
)
def test_slug_pattern(value: str, ok: bool) -> None:
    assert bool(SLUG.match(value)) is ok


# ---- kinds and tags --------------------------------------------------------------------------


def test_unknown_kind_lists_the_kinds_or_suggests_one() -> None:
    diags = [
        d for d in check_deck(card('id = "c1"\nkind = "fact"\n'), "t") if d.code == "unknown-kind"
    ]
    assert [(d.line, d.col, d.card_id) for d in diags] == [(7, 8, "c1")]
    assert "'finding', 'limitation' or 'misreading'" in diags[0].message
    (diag,) = [d for d in check_deck(card('kind = "Findings"\n'), "t") if d.code == "unknown-kind"]
    assert "did you mean 'finding'?" in diag.message


def test_tags_with_spaces_point_at_the_tag() -> None:
    text = card(GOOD_CARD + 'tags = [\n  "ok",\n  "machine learning",\n]\n')
    diags = [d for d in check_deck(text, "t") if d.code == "tag-space"]
    assert [(d.line, d.col) for d in diags] == [(13, 3)]
    assert "'machine-learning'" in diags[0].message


def test_empty_tag_is_an_error() -> None:
    assert found(card(GOOD_CARD + 'tags = ["a", ""]\n'), "empty-field") == [(11, 14)]


# ---- raw HTML --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Use `<script>` tags",
        "is a < b and b > c?",
        "see <https://example.org>",
        "```\n<b>in a code block</b>\n```",
        "    <div>indented code</div>",
        "plain **bold** _em_",
    ],
)
def test_markdown_that_is_not_raw_html(text: str) -> None:
    assert find_raw_html(text) is None


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("a <b>x</b>", 2),
        ("<img src=x onerror=alert(1)>", 0),
        ("line one\n\n<div>\nblock\n</div>", 10),
        ("x `code` then <!-- note -->", 14),
        ("> quoted <span>x</span>", 9),
    ],
)
def test_raw_html_is_found_at_its_offset(text: str, offset: int) -> None:
    found_html = find_raw_html(text)
    assert found_html is not None
    assert found_html[0] == offset


def test_raw_html_in_card_text_points_at_the_tag() -> None:
    text = card(
        'id = "c1"\nkind = "finding"\nfront = "A `<b>` is \\u00e9 <b>bold</b>"\n'
        'back = """\nfirst line\n  and <img src=x onerror=alert(1)>"""\nsource = "s"\n'
    )
    diags = [d for d in check_deck(text, "t") if d.code == "raw-html"]
    assert [(d.line, d.col, d.card_id) for d in diags] == [(8, 28, "c1"), (11, 7, "c1")]
    assert "'<img src=x onerror=alert(1)>'" in diags[1].message


def test_html_block_in_multiline_literal_string_points_at_its_line() -> None:
    text = card("id = 'c1'\nkind = 'finding'\nfront = '''\nQ\n\n<div>hi</div>'''\nback = 'A'\n")
    assert found(text, "raw-html") == [(11, 1)]


# ---- control characters and encoding ------------------------------------------------------------


def test_escaped_control_characters_point_at_the_escape() -> None:
    text = card(
        'id = "c1"\nkind = "finding"\nfront = "bell \\u0007 here"\nback = "csi \\u009b"\n'
        'source = "del \\u007F"\ntags = ["a\\bb"]\n'
    )
    diags = [d for d in check_deck(text, "t") if d.code == "control-char"]
    assert [(d.line, d.col, d.card_id) for d in diags] == [
        (8, 15, "c1"),
        (9, 13, "c1"),
        (10, 15, "c1"),
        (11, 11, "c1"),
    ]
    assert "U+0007" in diags[0].message and "front" in diags[0].message


def test_raw_control_character_is_reported_at_its_column() -> None:
    diags = check_deck('[deck]\nid = "demo"\ntitle = "a\x07b"\n', "t")
    assert [(d.code, d.line, d.col) for d in diags] == [("control-char", 3, 11)]


def test_raw_c1_control_character_that_toml_allows_is_still_refused() -> None:
    assert found('[deck]\nid = "demo"\ntitle = "ab\x9b"\n', "control-char") == [(3, 12)]


def test_control_characters_in_multiline_and_literal_strings() -> None:
    text = card(
        "id = 'c1'\nkind = 'finding'\nfront = '''\nok\nx\x85'''\nback = \"\"\"\\\n   y\\r\"\"\"\n"
    )
    assert found(text, "control-char") == [(10, 2), (12, 5)]


def test_tab_and_newline_are_not_control_problems() -> None:
    text = card(
        'id = "c1"\nkind = "finding"\nfront = "a\\tb\tc"\nback = """x\ny"""\nsource = "s"\n'
    )
    assert "control-char" not in codes(text)


def test_file_that_is_not_utf8_points_at_the_first_bad_byte() -> None:
    data = b'[deck]\nid = "demo"\ntitle = "\xc3\xa9\xff"\n'
    diags = check_deck(data, "t")
    assert [(d.code, d.line, d.col) for d in diags] == [("not-utf8", 3, 11)]


def test_text_with_a_lone_surrogate_is_refused() -> None:
    diags = check_deck('[deck]\nid = "demo"\ntitle = "\ud800"\n', "t")
    assert [(d.code, d.line, d.col) for d in diags] == [("not-utf8", 3, 10)]


# ---- warnings --------------------------------------------------------------------------------


def test_deck_lacking_a_kind_is_warned_at_the_deck_header() -> None:
    text = "\n" + card(GOOD_CARD)
    diags = [d for d in check_deck(text, "t") if d.code == "missing-kind"]
    assert [(d.line, d.col, d.severity) for d in diags] == [(2, 1, "warning")] * 2
    assert "limitation" in diags[0].message and "misreading" in diags[1].message


def test_deck_without_cards_is_warned() -> None:
    assert found(HEAD, "no-cards") == [(1, 1)]
    assert parse_deck(HEAD).cards == ()


def test_card_without_source_is_warned_at_its_header() -> None:
    text = card('id = "c1"\nkind = "finding"\nfront = "Q"\nback = "A"\n')
    assert found(text, "no-source") == [(5, 1)]
    assert found(text.replace('back = "A"', 'back = "A"\nsource = " "'), "no-source") == [(5, 1)]


def test_front_equal_to_back_is_warned_at_the_front() -> None:
    text = card('id = "c1"\nkind = "finding"\nfront = "The  Answer"\nback = "the answer."\n')
    assert found(text, "answer-in-prompt") == [(8, 9)]


def test_front_containing_the_back_is_warned() -> None:
    text = card('id = "c1"\nkind = "finding"\nfront = "Is it 42 percent?"\nback = "42 Percent"\n')
    diags = [d for d in check_deck(text, "t") if d.code == "answer-in-prompt"]
    assert [(d.line, d.col, d.severity) for d in diags] == [(8, 9, "warning")]


def test_back_matching_only_part_of_a_word_is_not_a_give_away() -> None:
    text = card('id = "c1"\nkind = "finding"\nfront = "Do we know this?"\nback = "No"\n')
    assert "answer-in-prompt" not in codes(text)


def test_long_prompt_threshold() -> None:
    def with_front(n: int) -> str:
        return card(f'id = "c1"\nkind = "finding"\nfront = "{"x" * n}"\nback = "A"\nsource = "s"\n')

    assert "long-prompt" not in codes(with_front(LONG_PROMPT))
    assert found(with_front(LONG_PROMPT + 1), "long-prompt") == [(8, 9)]


def test_warnings_never_stop_a_deck_from_parsing() -> None:
    text = card('id = "c1"\nkind = "finding"\nfront = "Same"\nback = "same"\n')
    assert {d.severity for d in check_deck(text, "t")} == {"warning"}
    assert parse_deck(text).cards[0].id == "c1"


# ---- all problems, errors and output ----------------------------------------------------------


def test_every_problem_is_reported_sorted_by_position() -> None:
    text = (
        '[deck]\nid = "Bad"\n\n[[card]]\nid = "a"\nkind = "fact"\nfront = "<b>x</b>"\n'
        'back = "y"\ntags = ["a b"]\n\n'
        '[[card]]\nid = "a"\nkind = "finding"\nfront = 1\nback = "z"\n'
    )
    diags = check_deck(text, "t")
    positions = [(d.line, d.col) for d in diags]
    assert positions == sorted(positions)
    assert [(d.code, d.line, d.col) for d in diags if d.severity == "error"] == [
        ("missing-field", 1, 1),
        ("bad-id", 2, 6),
        ("unknown-kind", 6, 8),
        ("raw-html", 7, 10),
        ("tag-space", 9, 9),
        ("duplicate-id", 12, 6),
        ("wrong-type", 14, 9),
    ]


def test_parse_deck_raises_with_the_first_error_and_every_error() -> None:
    text = '[deck]\nid = "demo"\ntitle = "T"\n\n[[card]]\nid = "Bad Id"\nkind = "fact"\n'
    with pytest.raises(DeckFileError) as info:
        parse_deck(text, "decks/t.toml")
    exc = info.value
    # The first by position: the card header, where the missing fields are reported.
    assert (exc.path, exc.line, exc.col, exc.card_id) == ("decks/t.toml", 5, 1, "Bad Id")
    assert "missing required field" in exc.message
    assert all(isinstance(p, Diagnostic) and p.severity == "error" for p in exc.problems)
    assert [(p.code, p.line, p.col) for p in exc.problems] == [
        ("missing-field", 5, 1),
        ("missing-field", 5, 1),
        ("bad-id", 6, 6),
        ("unknown-kind", 7, 8),
    ]
    assert {p.code for p in exc.problems} == {"bad-id", "unknown-kind", "missing-field"}
    assert str(exc).startswith("decks/t.toml:5:1: ")


def test_diagnostic_format_is_ruff_style_with_severity_card_and_code() -> None:
    d = Diagnostic("decks/x.toml", 12, 8, "error", "unknown-kind", "unknown kind 'fact'", "foo")
    assert d.format() == "decks/x.toml:12:8: error: unknown kind 'fact' (card 'foo') [unknown-kind]"
    w = Diagnostic("x.toml", 1, 1, "warning", "no-cards", "deck has no cards")
    assert w.format() == "x.toml:1:1: warning: deck has no cards [no-cards]"


def test_diagnostic_format_escapes_control_characters_in_the_path() -> None:
    d = Diagnostic("a\x1b[31m.toml", 1, 1, "error", "x", "m")
    assert "\x1b" not in d.format()


def test_messages_quote_user_text_without_raw_control_characters() -> None:
    text = '[deck]\nid = "demo"\ntitle = "T"\n"bad\\u001bkey" = 1\n'
    for d in check_deck(text, "t"):
        assert "\x1b" not in d.format()


def test_read_deck_file_reads_bytes_and_names_an_unreadable_path(tmp_path: Path) -> None:
    good = tmp_path / "demo.toml"
    good.write_bytes(VALID.encode())
    assert read_deck_file(good).path == str(good)
    with pytest.raises(DeckFileError) as info:
        read_deck_file(tmp_path / "missing.toml")
    assert info.value.path == str(tmp_path / "missing.toml")
    assert info.value.problems[0].code == "read-error"


# ---- robustness (hypothesis) -----------------------------------------------------------------


def assert_parse_is_total(data: str | bytes) -> None:
    """parse_deck returns a Deck or raises DeckFileError with a real position; nothing else."""
    try:
        parse_deck(data, "fuzz.toml")
    except DeckFileError as exc:
        assert exc.line >= 1 and exc.col >= 1
        assert exc.problems
    diags = check_deck(data, "fuzz.toml")
    assert all(d.line >= 1 and d.col >= 1 for d in diags)
    assert "internal-error" not in {d.code for d in diags}


# SRS_FUZZ_EXAMPLES=5000 for a deeper run than the suite's
FUZZ = settings(max_examples=int(os.environ.get("SRS_FUZZ_EXAMPLES", "100")), deadline=None)


@FUZZ
@given(st.text())
def test_arbitrary_text_never_crashes_the_parser(text: str) -> None:
    assert_parse_is_total(text)


@FUZZ
@given(st.binary())
def test_arbitrary_bytes_never_crash_the_parser(data: bytes) -> None:
    assert_parse_is_total(data)


# A tiny TOML serialiser, so that the fuzzer reaches the checks behind the syntax check.
def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_multiline(text: str, literal: bool) -> str:
    if literal and "'''" not in text and "\r" not in text:
        return "'''\n" + text + "'''"
    return '"""\n' + toml_string(text)[1:-1].replace("\\u000a", "\n") + '"""'


def toml_key(key: str) -> str:
    return (
        key
        if key and all(c in string.ascii_letters + string.digits + "-_" for c in key)
        else toml_string(key)
    )


scalars = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["finding", "limitation", "misreading", "fact", "", " ", "a-b", "<b>x</b>"]),
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
keys = st.sampled_from(["id", "kind", "front", "back", "source", "tags", "title", "fornt", "x y"])
tables = st.dictionaries(keys, values, max_size=7)


@st.composite
def toml_documents(draw: st.DrawFn) -> str:
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["[deck]", "  [deck]", "[ deck ]"])))
        for key, value in draw(tables).items():
            lines.append(f"{toml_key(key)} = {toml_value(value)}")
    for _ in range(draw(st.integers(0, 4))):
        lines.append(draw(st.sampled_from(["", "# comment", "[[card]]", "[[ card ]]  # c"])))
        for key, value in draw(tables).items():
            if isinstance(value, str) and draw(st.booleans()):
                rendered = toml_multiline(value, draw(st.booleans()))
            else:
                rendered = toml_value(value)
            lines.append(f"{toml_key(key)} = {rendered}")
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["[card]", "card = 1", "x = [", "[deck]", "extra = 1"])))
    return "\n".join(lines) + "\n"


@pytest.mark.slow
@FUZZ
@given(toml_documents())
def test_arbitrary_toml_documents_never_crash_the_parser(text: str) -> None:
    assert_parse_is_total(text)
    assert_parse_is_total(text.encode())
