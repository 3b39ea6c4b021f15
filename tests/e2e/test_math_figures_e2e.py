"""Math and figures against the real parts: `srs review` in a pseudo-terminal, with `o` running
an `SRS_OPEN` command that records its argument, and the export imported by the real Anki."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

from anki_helpers import import_apkg
from helpers import run_srs, spawn, srs_env
from math_deck import PNG_EDITED, write_math_deck

NOW = "2026-03-02T09:00"


def test_review_shows_unicode_math_and_a_figure_line_that_o_opens(tmp_path: Path) -> None:
    deck = write_math_deck(tmp_path / "decks")
    record = tmp_path / "opened.txt"
    recorder = tmp_path / "record.py"
    recorder.write_text(  # written whole, then renamed: the test never reads a half-made record
        f"import os, sys\nopen({str(record) + '.part'!r}, 'w').write(sys.argv[1] + '\\n')\n"
        f"os.replace({str(record) + '.part'!r}, {str(record)!r})\n"
    )
    env = srs_env(tmp_path / "srs.db", NOW, SRS_OPEN=f"{sys.executable} {recorder}")
    assert run_srs(["deck", "add", str(deck)], env).returncode == 0
    child = spawn(["review"], env)
    child.expect("Which policy")
    child.send(" ")
    child.expect("when triggered")
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.before)
    assert "α² + βᵢ" in shown and "$" not in shown
    child.send("4")
    child.expect(r"\[figure: Loss against steps - press o to open\]")
    child.send("o")
    child.expect("opened figures/fig3.png")
    deadline = time.monotonic() + 30  # the viewer is not waited for: poll for its record
    while not record.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert record.read_text().splitlines() == [str(deck.parent / "figures" / "fig3.png")]
    child.sendcontrol("c")
    child.expect(pexpect_eof())


def pexpect_eof() -> Any:
    import pexpect

    return pexpect.EOF


def test_anki_gets_mathjax_math_and_the_figure_as_media_and_an_image_edit_updates_the_note(
    tmp_path: Path, col: Any
) -> None:
    deck = write_math_deck(tmp_path / "decks")
    env = srs_env(tmp_path / "srs.db", NOW)
    out = tmp_path / "math.apkg"
    assert run_srs(["deck", "add", str(deck)], env).returncode == 0
    assert run_srs(["export", "anki", "-o", str(out)], env).returncode == 0, "export"
    import_apkg(col, out)
    notes = {n["CardId"]: n for n in (col.get_note(i) for i in col.find_notes(""))}
    assert r"\(\alpha^2 + \beta_i\)" in notes["policy"]["Back"]
    (name,) = re.findall(
        r'<img src="([^"]+)" alt="Loss against steps">', notes["loss-curve"]["Front"]
    )
    media = Path(col.media.dir())
    assert (media / name).read_bytes() == (deck.parent / "figures" / "fig3.png").read_bytes()

    write_math_deck(tmp_path / "decks", PNG_EDITED)
    later = srs_env(tmp_path / "srs.db", "2026-03-03T09:00")
    assert run_srs(["deck", "add", str(deck)], later).returncode == 0
    assert run_srs(["export", "anki", "-o", str(out), "--force"], later).returncode == 0
    import_apkg(col, out)
    assert col.note_count() == 3
    front = col.get_note(notes["loss-curve"].id)["Front"]
    (new_name,) = re.findall(r'<img src="([^"]+)"', front)
    assert new_name != name and (media / new_name).read_bytes() == PNG_EDITED


def test_on_a_kitty_terminal_the_review_draws_the_figure_inline_and_goes_on(
    tmp_path: Path,
) -> None:
    import io

    import pexpect
    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (60, 30), (20, 160, 40)).save(picture, "PNG")
    deck = write_math_deck(tmp_path / "decks", picture.getvalue())
    env = srs_env(tmp_path / "srs.db", NOW, KITTY_WINDOW_ID="1")
    assert run_srs(["deck", "add", str(deck)], env).returncode == 0
    child = spawn(["review"], env)
    child.expect("Which policy")
    child.send(" ")
    child.expect("when triggered")
    child.send("4")
    child.expect(r"\[figure: Loss against steps - press o to open\]")
    sent = child.before  # the image goes to the terminal before the screen that places it
    child.expect("\U0010eeee")  # kitty's placeholder cells, under the figure's line
    child.send(" ")  # the review still takes keys
    child.expect("never trains")
    child.send("q")
    child.expect(pexpect.EOF)
    assert "\x1b_Gi=" in sent  # the image itself, in kitty's graphics protocol
    assert "Traceback" not in sent + child.before
