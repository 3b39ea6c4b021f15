"""Authoring: checking files and folders, the JSON report, and scaffolding new decks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from srs.authoring import (
    check_paths,
    deck_paths,
    diagnostics_to_json,
    format_text,
    has_errors,
    new_deck_file,
    scaffold_deck,
)
from srs.core.deckfile import Diagnostic, check_deck, parse_deck
from srs.core.errors import DeckFileError, SrsError
from srs.core.model import Kind


def filled(scaffold: str) -> str:
    """A scaffold with its placeholders written over, as an author would."""
    text = scaffold.replace("Authors (year). Title of the paper", "Doe et al. (2024). A paper")
    return text.replace("Replace this with", "Written:")


CLEAN = filled(scaffold_deck("clean"))


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    return path


# ---- check_paths -----------------------------------------------------------------------------


def test_clean_files_give_no_diagnostics(tmp_path: Path) -> None:
    deck = write(tmp_path / "clean.toml", CLEAN)
    assert check_paths([deck]) == []


def test_folder_means_its_toml_files_in_name_order_not_recursively(tmp_path: Path) -> None:
    write(tmp_path / "b.toml", '[deck]\nid = "b"\ntitle = 1\n')
    write(tmp_path / "a.toml", '[deck]\nid = "a"\ntitle = 1\n')
    write(tmp_path / "notes.md", "not a deck")
    write(tmp_path / "sub" / "c.toml", "broken = [")
    files, problems = deck_paths([tmp_path])
    assert files == [tmp_path / "a.toml", tmp_path / "b.toml"]
    assert problems == []
    errors = [d for d in check_paths([tmp_path]) if d.severity == "error"]
    assert [(Path(d.path).name, d.code, d.line, d.col) for d in errors] == [
        ("a.toml", "wrong-type", 3, 9),
        ("b.toml", "wrong-type", 3, 9),
    ]


def test_missing_path_is_an_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    (diag,) = check_paths([missing])
    assert (diag.path, diag.line, diag.col, diag.severity, diag.code) == (
        str(missing),
        1,
        1,
        "error",
        "missing-path",
    )


def test_folder_without_decks_is_an_error(tmp_path: Path) -> None:
    (diag,) = check_paths([tmp_path])
    assert (diag.path, diag.code, diag.severity) == (str(tmp_path), "no-decks", "error")


def test_file_is_checked_whatever_its_suffix(tmp_path: Path) -> None:
    deck = write(tmp_path / "deck.txt", CLEAN)
    assert check_paths([deck]) == []


def test_unreadable_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deck = write(tmp_path / "locked.toml", CLEAN)

    def refuse(path: object, flags: int) -> int:
        raise PermissionError(13, "Permission denied", str(path))

    # chmod cannot make a file unreadable for root, so the refusal is simulated.
    monkeypatch.setattr(os, "open", refuse)
    diags = check_paths([deck])
    assert [(d.path, d.code, d.line, d.col) for d in diags] == [(str(deck), "read-error", 1, 1)]
    assert "Permission denied" in diags[0].message


def test_two_files_with_one_deck_id_clash_at_the_second_id(tmp_path: Path) -> None:
    first = write(tmp_path / "a.toml", CLEAN)
    second = write(tmp_path / "b.toml", "\n" + CLEAN)
    diags = check_paths([first, second])
    assert [(d.path, d.code, d.line, d.col) for d in diags] == [
        (str(second), "duplicate-deck", 9, 6)
    ]
    assert str(first) in diags[0].message


def test_same_file_named_twice_is_checked_once(tmp_path: Path) -> None:
    deck = write(tmp_path / "a.toml", CLEAN)
    assert check_paths([deck, tmp_path]) == []


def test_problems_of_every_file_are_kept(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.toml", b'[deck]\nid = "x\xff"\n')
    syntax = write(tmp_path / "syntax.toml", "[deck\n")
    diags = check_paths([bad, syntax, tmp_path / "missing.toml"])
    assert [(Path(d.path).name, d.code, d.line, d.col) for d in diags] == [
        ("missing.toml", "missing-path", 1, 1),
        ("bad.toml", "not-utf8", 2, 8),
        ("syntax.toml", "toml-syntax", 1, 6),
    ]


# ---- output ----------------------------------------------------------------------------------

DIAGS = [
    Diagnostic("d.toml", 3, 8, "error", "unknown-kind", "unknown kind 'fact'", "c1"),
    Diagnostic("d.toml", 9, 1, "warning", "no-source", "card has no source", None),
]


def test_json_output_is_a_list_of_objects_with_every_field() -> None:
    assert json.loads(diagnostics_to_json(DIAGS)) == [
        {
            "path": "d.toml",
            "line": 3,
            "col": 8,
            "severity": "error",
            "code": "unknown-kind",
            "message": "unknown kind 'fact'",
            "card_id": "c1",
        },
        {
            "path": "d.toml",
            "line": 9,
            "col": 1,
            "severity": "warning",
            "code": "no-source",
            "message": "card has no source",
            "card_id": None,
        },
    ]
    assert json.loads(diagnostics_to_json([])) == []


def test_json_output_is_ascii_so_nothing_raw_reaches_a_terminal() -> None:
    diag = Diagnostic("d\x1b\x9b\u00e9.toml", 1, 1, "error", "x", "m")
    out = diagnostics_to_json([diag])
    assert out.isascii()
    assert json.loads(out)[0]["path"] == "d\x1b\x9b\u00e9.toml"


def test_text_output_has_one_line_each_and_a_summary() -> None:
    assert format_text(DIAGS).splitlines() == [
        "d.toml:3:8: error: unknown kind 'fact' (card 'c1') [unknown-kind]",
        "d.toml:9:1: warning: card has no source [no-source]",
        "1 error, 1 warning",
    ]
    assert format_text([]) == "0 errors, 0 warnings"


def test_only_errors_fail_a_check() -> None:
    assert has_errors(DIAGS)
    assert not has_errors(DIAGS[1:])


# ---- scaffolding -----------------------------------------------------------------------------


def test_scaffolded_deck_warns_only_of_its_placeholders_until_they_are_written() -> None:
    text = scaffold_deck("my-paper")
    diags = check_deck(text, "decks/my-paper.toml")
    assert [(d.code, d.line, d.col) for d in diags] == [
        ("scaffold-text", 10, 11),
        ("scaffold-text", 17, 9),
        ("scaffold-text", 26, 9),
        ("scaffold-text", 36, 9),
    ]
    assert all("write the real text" in d.message for d in diags)
    assert check_deck(filled(text), "decks/my-paper.toml") == []
    deck = parse_deck(text)
    assert (deck.id, deck.title) == ("my-paper", "My paper")
    assert sorted(c.kind for c in deck.cards) == sorted(Kind)


def test_scaffold_takes_a_title_with_quotes_and_unicode() -> None:
    title = 'On "Attention" \\ Transformers \u00e9'
    deck = parse_deck(scaffold_deck("attention", title))
    assert deck.title == title


@pytest.mark.parametrize("bad", ["My Paper", "my_paper", "", "-x", "x/../y", "a\n"])
def test_scaffold_refuses_ids_that_are_not_slugs(bad: str) -> None:
    with pytest.raises(DeckFileError, match="not a slug"):
        scaffold_deck(bad)


def test_scaffold_refuses_a_title_the_checker_would_refuse() -> None:
    with pytest.raises(DeckFileError) as info:
        scaffold_deck("x", "bell \x07")
    assert info.value.problems[0].code == "control-char"


def test_new_deck_file_writes_a_clean_deck_creating_the_folder(tmp_path: Path) -> None:
    path = new_deck_file("my-paper", tmp_path / "decks", "My Paper")
    assert path == tmp_path / "decks" / "my-paper.toml"
    assert {d.code for d in check_paths([path])} == {"scaffold-text"}
    assert parse_deck(path.read_bytes()).title == "My Paper"
    assert str(path) in path.read_text("utf-8")  # the how-to comments name the real file


def test_new_deck_file_never_overwrites(tmp_path: Path) -> None:
    existing = write(tmp_path / "my-paper.toml", "# my work\n")
    with pytest.raises(SrsError, match="already exists"):
        new_deck_file("my-paper", tmp_path)
    assert existing.read_text("utf-8") == "# my work\n"


def test_new_deck_file_refuses_a_bad_id_without_creating_anything(tmp_path: Path) -> None:
    with pytest.raises(DeckFileError):
        new_deck_file("../escape", tmp_path / "decks")
    assert not (tmp_path / "decks").exists()
    assert list(tmp_path.iterdir()) == []
