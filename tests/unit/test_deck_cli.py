"""`srs deck new|check|add|list|remove` as an instructor uses them."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import SMALL_DECK, Result, run_srs, srs_env

NOW = "2026-03-02T09:00"


def run(args: list[str], db: Path, cwd: Path | None = None) -> Result:
    return run_srs(args, srs_env(db, NOW), cwd=cwd)


def test_new_deck_scaffold_warns_only_of_placeholders_and_is_never_overwritten(
    tmp_path: Path,
) -> None:
    db = tmp_path / "srs.db"
    done = run(["deck", "new", "my-paper", "--dir", str(tmp_path / "decks")], db)
    assert done.returncode == 0, done.stderr
    path = tmp_path / "decks" / "my-paper.toml"
    assert path.exists()
    check = run(["deck", "check", str(path)], db)
    assert check.returncode == 0
    lines = check.stdout.strip().splitlines()
    assert lines[-1] == "0 errors, 4 warnings"
    assert all(line.endswith("[scaffold-text]") for line in lines[:-1])
    assert run(["deck", "check", "--strict", str(path)], db).returncode == 1
    path.write_text(path.read_text() + "\n# my work\n")
    again = run(["deck", "new", "my-paper", "--dir", str(tmp_path / "decks")], db)
    assert again.returncode == 1
    assert "already exists" in again.stderr and "Traceback" not in again.stderr
    assert path.read_text().endswith("# my work\n")
    assert not db.exists()  # scaffolding and checking never touch a database


def test_new_deck_refuses_an_id_that_is_not_a_slug(tmp_path: Path) -> None:
    done = run(["deck", "new", "My Paper!", "--dir", str(tmp_path)], tmp_path / "srs.db")
    assert done.returncode == 1
    assert "slug" in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_check_reports_every_problem_ruff_style_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        SMALL_DECK.replace('kind = "limitation"', 'kind = "limitations"').replace(
            'front = "Front of gamma"', 'front = "Front <b>of</b> gamma"\nfornt = "x"'
        )
    )
    done = run(["deck", "check", str(bad)], tmp_path / "srs.db")
    assert done.returncode == 1
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith(f"{bad}:1:1: warning: deck has no limitation card")
    assert lines[1].startswith(f"{bad}:15:8: error: unknown kind 'limitations'")
    assert any(f"{bad}:23:" in line and "HTML" in line for line in lines)
    assert any(f"{bad}:24:1: error:" in line and "did you mean 'front'" in line for line in lines)
    assert f"{bad}:25:8: warning: a misreading's back of 3 words" in done.stdout
    assert lines[-1] == "3 errors, 2 warnings"


def test_check_warnings_alone_exit_0_and_json_is_machine_readable(tmp_path: Path) -> None:
    only_findings = tmp_path / "decks"
    only_findings.mkdir()
    (only_findings / "a.toml").write_text(SMALL_DECK.split('[[card]]\nid = "beta"')[0])
    done = run(["deck", "check", "--json", str(only_findings)], tmp_path / "srs.db")
    assert done.returncode == 0, done.stdout
    problems = json.loads(done.stdout)
    assert problems and all(p["severity"] == "warning" for p in problems)
    assert set(problems[0]) == {"path", "line", "col", "severity", "code", "message", "card_id"}


def test_check_strict_fails_on_warnings_and_the_back_word_limit_is_settable(
    tmp_path: Path,
) -> None:
    deck = tmp_path / "d.toml"
    long_back = " ".join(["word"] * 12)
    deck.write_text(
        SMALL_DECK.replace('back = "Back of alpha"', f'back = "{long_back}"').replace(
            'back = "Back of gamma"',
            'back = "The paper shows something much narrower than that, in §3."',
        )
    )
    db = tmp_path / "srs.db"
    assert run(["deck", "check", str(deck)], db).stdout.strip() == "0 errors, 0 warnings"
    assert run(["deck", "check", "--strict", str(deck)], db).returncode == 0
    short = run(["deck", "check", "--max-back-words", "10", str(deck)], db)
    assert short.returncode == 0
    assert short.stdout.splitlines()[0] == (
        f"{deck}:10:8: warning: back has 12 words (over 10); a card should ask one thing: "
        "split it into cards or cut it to the fact asked for (card 'alpha') [long-back]"
    )
    strict = run(["deck", "check", "--strict", "--max-back-words", "10", str(deck)], db)
    assert strict.returncode == 1
    assert run(["deck", "check", "--max-back-words", "0", str(deck)], db).returncode != 0


def test_check_default_back_word_limit_is_the_checkers(tmp_path: Path) -> None:
    from srs.core.deckfile import MAX_BACK_WORDS

    deck = tmp_path / "d.toml"
    db = tmp_path / "srs.db"
    for words, warned in ((MAX_BACK_WORDS, False), (MAX_BACK_WORDS + 1, True)):
        deck.write_text(SMALL_DECK.replace("Back of alpha", " ".join(["word"] * words)))
        done = run(["deck", "check", str(deck)], db)
        assert ("[long-back]" in done.stdout) is warned, words


def test_deck_list_shows_the_file_a_deck_came_from_as_an_absolute_path(tmp_path: Path) -> None:
    db = tmp_path / "srs.db"
    (tmp_path / "mydecks").mkdir()
    (tmp_path / "mydecks" / "tiny.toml").write_text(SMALL_DECK)
    assert run(["deck", "add", "mydecks/tiny.toml"], db, cwd=tmp_path).returncode == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (listed,) = json.loads(run(["deck", "list", "--json"], db, cwd=elsewhere).stdout)
    assert listed["path"] == str((tmp_path / "mydecks" / "tiny.toml").resolve())


def test_deck_list_resolves_a_path_stored_as_typed_when_it_names_a_file_here(
    tmp_path: Path,
) -> None:
    import sqlite3

    db = tmp_path / "srs.db"
    (tmp_path / "tiny.toml").write_text(SMALL_DECK)
    assert run(["deck", "add", str(tmp_path / "tiny.toml")], db).returncode == 0
    with sqlite3.connect(db) as conn:  # as an older srs stored it
        conn.execute("UPDATE decks SET path = 'tiny.toml'")
    (here,) = json.loads(run(["deck", "list", "--json"], db, cwd=tmp_path).stdout)
    assert here["path"] == str((tmp_path / "tiny.toml").resolve())
    (there,) = json.loads(run(["deck", "list", "--json"], db, cwd=db.parent.parent).stdout)
    assert there["path"] == "tiny.toml"  # no such file from there: shown as stored
