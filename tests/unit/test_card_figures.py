"""Figures in card text: a path inside the deck's folder, an image by its content, at most
2 MiB, alt text required; each hostile figure is one error line and nothing outside is read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import run_srs, srs_env
from math_deck import PNG, write_math_deck
from srs.core.deckfile import read_deck_file
from srs.core.deckfile.limits import figure_kind


def check(tmp_path: Path, figure: str) -> list[str]:
    """The error lines of `deck check` for the math deck whose figure is written as `figure`."""
    deck = write_math_deck(tmp_path)
    deck.write_text(deck.read_text().replace("figures/fig3.png", figure))
    result = run_srs(["deck", "check", str(deck)], srs_env(tmp_path / "db", "2026-01-01T09:00"))
    return [line for line in result.stdout.splitlines() if ": error:" in line]


def test_a_figure_beside_the_deck_is_read_with_its_digest_and_type(tmp_path: Path) -> None:
    deck = read_deck_file(write_math_deck(tmp_path))
    (figure,) = next(c for c in deck.cards if c.id == "loss-curve").figures
    assert (figure.path, figure.alt, figure.kind) == (
        "figures/fig3.png",
        "Loss against steps",
        "png",
    )
    assert figure.media_name.startswith("srs-") and figure.media_name.endswith(".png")


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("../outside.png", "no '..'"),
        ("/etc/passwd", "not absolute"),
        ("https://example.org/x.png", "a URL is not a figure"),
        ("figures/none.png", "no such file"),
    ],
)
def test_a_figure_path_that_leaves_the_folder_is_one_error(
    tmp_path: Path, written: str, said: str
) -> None:
    (errors,) = check(tmp_path / "deck", written)
    assert said in errors and ":15:" in errors


def test_a_symbolic_link_out_of_the_folder_is_one_error(tmp_path: Path) -> None:
    outside = tmp_path / "secret.png"
    outside.write_bytes(PNG)
    (tmp_path / "deck" / "figures").mkdir(parents=True)
    (tmp_path / "deck" / "figures" / "link.png").symlink_to(outside)
    (errors,) = check(tmp_path / "deck", "figures/link.png")
    assert "leads out of the deck's folder" in errors


def test_a_renamed_html_file_is_not_an_image(tmp_path: Path) -> None:
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "page.png").write_text("<!DOCTYPE html><html><script>x</script>")
    (errors,) = check(tmp_path, "figures/page.png")
    assert "not a PNG, JPEG, GIF, WebP or SVG" in errors


def test_a_2_gb_figure_is_refused_without_being_read(tmp_path: Path) -> None:
    (tmp_path / "figures").mkdir()
    big = tmp_path / "figures" / "big.png"
    with open(big, "wb") as fh:  # sparse: 2 GB on paper, nothing on disk
        fh.write(PNG)
        fh.truncate(2 * 1024**3)
    (errors,) = check(tmp_path, "figures/big.png")
    assert "larger than 2 MiB" in errors
    assert os.stat(big).st_size == 2 * 1024**3


def test_a_figure_without_alt_text_is_an_error(tmp_path: Path) -> None:
    deck = write_math_deck(tmp_path)
    deck.write_text(deck.read_text().replace("[Loss against steps]", "[]"))
    result = run_srs(["deck", "check", str(deck)], srs_env(tmp_path / "db", "2026-01-01T09:00"))
    assert "has no alt text" in result.stdout and result.returncode == 1


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (PNG, "png"),
        (b"\xff\xd8\xff\xe0", "jpeg"),
        (b"GIF89a", "gif"),
        (b"RIFF\0\0\0\0WEBPVP8 ", "webp"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "svg"),
        (b"<html><svg/></html>", None),
    ],
)
def test_a_figure_type_comes_from_its_bytes(head: bytes, kind: str | None) -> None:
    assert figure_kind(head) == kind
