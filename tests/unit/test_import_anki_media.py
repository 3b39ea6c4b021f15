"""`srs import anki` brings the images fields use: written beside the deck file, content-checked,
bounded, named safely, and shown by the cards as `![alt](folder/name)` (issues 26 and 27)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from anki.collection import Collection, ExportAnkiPackageOptions
from anki.decks import DeckId

from helpers import run_srs, srs_env
from math_deck import PNG, write_math_deck
from srs.anki.import_ import ImportResult, import_package
from srs.anki.import_.limits import ImportLimits
from srs.core.deckfile import read_deck_file

AT = datetime(2026, 3, 1, 9, tzinfo=UTC)
NOW = AT.isoformat()
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"


def imported(apkg: Path, out: Path, **kw: Any) -> ImportResult:
    return import_package(apkg, out, now=AT, today=AT.date(), day_of=lambda at: at.date(), **kw)


def errors(deck_file: Path) -> list[str]:
    """The error lines of `srs deck check` on the file (which reads its figures too)."""
    done = run_srs(["deck", "check", str(deck_file)], srs_env(deck_file.parent / "s.db", NOW))
    return [line for line in done.stdout.splitlines() if ": error" in line or "error:" in line]


def test_srs_export_with_math_and_a_figure_imports_back_with_both(tmp_path: Path) -> None:
    env = srs_env(tmp_path / "srs.db", NOW)
    assert run_srs(["deck", "add", str(write_math_deck(tmp_path / "src"))], env).returncode == 0
    apkg = tmp_path / "math.apkg"
    assert run_srs(["export", "anki", "math", "-o", str(apkg)], env).returncode == 0
    out = tmp_path / "back" / "math.toml"
    out.parent.mkdir()
    result = imported(apkg, out)
    assert result.warnings == ()
    back = {c.id: c for c in read_deck_file(out).cards}
    assert back["policy"].back == "It follows $\\alpha^2 + \\beta_i$ when triggered."
    front = back["loss-curve"].front
    assert front.startswith("What does this curve leave out? ![Loss against steps](math-figures/")
    (figure,) = back["loss-curve"].figures
    assert (out.parent / figure.path).read_bytes() == PNG and figure.kind == "png"
    assert errors(out) == []


def anki_package(tmp_path: Path, col: Collection, media: dict[str, bytes], back: str) -> Path:
    """A package the real Anki exports (its newest format: zstd media) of one Basic note."""
    for name, data in media.items():
        col.media.write_data(name, data)
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = "What is shown?", back
    col.add_note(note, DeckId(1))
    path = tmp_path / "pics.apkg"
    options = ExportAnkiPackageOptions(
        with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False
    )
    col.export_anki_package(out_path=str(path), options=options, limit=None)
    return path


def test_images_in_an_anki_package_are_written_beside_the_deck_and_sound_is_named(
    tmp_path: Path, col: Collection
) -> None:
    media = {"cat pic.png": PNG, "dog.gif": GIF, "page.png": b"<!DOCTYPE html><script>x</script>"}
    back = (
        '<img src="cat pic.png" alt="A cat"> and <img src="dog.gif"> '
        '<img src="page.png"> <img src="gone.png"> [sound:meow.mp3]'
    )
    apkg = anki_package(tmp_path, col, media, back)
    out = tmp_path / "pics.toml"
    result = imported(apkg, out)
    (card,) = read_deck_file(out).cards
    assert "![A cat](pics-figures/" in card.back and "![dog.gif](pics-figures/dog.gif)" in card.back
    assert (tmp_path / "pics-figures" / "dog.gif").read_bytes() == GIF
    assert sorted(p.name for p in (tmp_path / "pics-figures").iterdir()) == [
        next(f.path for f in card.figures if f.alt == "A cat").rsplit("/", 1)[1],
        "dog.gif",
    ]
    warned = "\n".join(result.warnings)
    assert "media not imported: page.png (not a PNG, JPEG, GIF, WebP or SVG" in warned
    assert "media not imported: gone.png" in warned
    assert sum("meow.mp3" in w for w in result.warnings) == 1
    assert errors(out) == []


def test_image_bounds_and_hostile_names_write_nothing_outside_the_folder(tmp_path: Path) -> None:
    from anki_packages import package

    script = "UPDATE notes SET flds = 'Q' || char(31) || ?"
    fields = '<img src="../../evil.png"><img src="a.png"><img src="b.png">'
    apkg = package(
        tmp_path / "p.apkg",
        script=script,
        params=[fields],
        extra={"0": PNG, "1": PNG + b"1", "2": PNG + b"2"},
        media='{"0": "../../evil.png", "1": "a.png", "2": "b.png"}',  # a name out of the folder
    )
    work = tmp_path / "work"
    work.mkdir()
    result = imported(apkg, work / "d.toml", limits=ImportLimits(figures=2))
    assert sorted(p.name for p in (work / "d-figures").iterdir()) == ["a.png", "evil.png"]
    assert not (tmp_path / "evil.png").exists()
    assert any("b.png (over the 2 images" in w for w in result.warnings)
    assert errors(work / "d.toml") == []


@pytest.mark.parametrize("existing", ["file", "link"])
def test_a_figures_folder_that_is_not_a_folder_is_refused(tmp_path: Path, existing: str) -> None:
    from anki_packages import package

    apkg = package(
        tmp_path / "p.apkg",
        script="UPDATE notes SET flds = 'Q' || char(31) || '<img src=\"a.png\">'",
        extra={"0": PNG},
        media='{"0": "a.png"}',
    )
    target = tmp_path / "d-figures"
    if existing == "file":
        target.write_text("x")
    else:
        (tmp_path / "elsewhere").mkdir()
        target.symlink_to(tmp_path / "elsewhere")
    from srs.core.errors import AnkiImportError

    with pytest.raises(AnkiImportError, match="not a folder"):
        imported(apkg, tmp_path / "d.toml")
    assert not (tmp_path / "d.toml").exists() and not list((tmp_path / "elsewhere").glob("*"))
