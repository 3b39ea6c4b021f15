"""The review screen in a real pseudo-terminal from 40x12 to 120x40, read back through a
terminal emulator (pyte), so that "on screen" means what the learner would actually see."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pexpect
import pyte
import pytest

from helpers import SRS, default_signals, run_srs, srs_env
from srs.core.model import Card, Deck, Kind
from srs.store import Store

NOW = "2026-03-02T09:00"
QUESTION = "What is wrong with this reading?"
CLAIM = "Attention alone tells the model the order of the words."
LONG_BACK = "\n\n".join(f"Reason {i}: the positional encodings carry the order." for i in range(30))


class Terminal:
    """A pty running `srs review`, with an emulated screen of the same size."""

    def __init__(self, db: Path, rows: int, cols: int, **extra: str) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.Stream(self.screen)
        self.raw: list[str] = []  # every character written, as written
        env = srs_env(db, NOW, **extra)
        del env["COLUMNS"]  # the size comes from the terminal itself, as for a learner
        self.child = pexpect.spawn(
            SRS,
            ["review"],
            env=env,
            encoding="utf-8",
            dimensions=(rows, cols),
            preexec_fn=default_signals,
        )
        self.child.delaybeforesend = None  # keys go at once, as a learner's do
        self.child.logfile_read = self  # every byte read is fed to the emulator

    def write(self, data: str) -> None:
        self.raw.append(data)
        self.stream.feed(data)

    def flush(self) -> None:
        pass

    @property
    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait(self, ready: Callable[[str], bool], timeout: float = 60) -> str:
        end = time.monotonic() + timeout
        while not ready(self.text):
            if time.monotonic() > end:
                raise AssertionError(f"screen never became ready:\n{self.text}")
            with contextlib.suppress(pexpect.TIMEOUT):
                self.child.read_nonblocking(65536, timeout=0.2)
        with contextlib.suppress(pexpect.TIMEOUT):  # the rest of the frame, if it is still coming
            while True:
                self.child.read_nonblocking(65536, timeout=0.05)
        return self.text


# the smallest and the most common in a real terminal; every size up to 120x40 is checked in
# process (test_terminal_render.py)
@pytest.mark.parametrize(("cols", "rows"), [(40, 12), (80, 24)])
def test_review_screen_at_common_terminal_sizes(tmp_path: Path, cols: int, rows: int) -> None:
    db = tmp_path / "srs.db"
    store = Store.open(f"sqlite:///{db}")
    cards = (
        Card("order-claim", Kind.MISREADING, CLAIM, LONG_BACK, "§3.5"),
        # both misreadings, so that new cards come in deck order (kinds take turns: README)
        Card("cost", Kind.MISREADING, "What does attention cost?", "Quadratic in length.", "§4"),
    )
    store.content.load_deck(
        Deck("attn", "Attention paper", "Vaswani 2017", cards), datetime.now(UTC)
    )
    store.close()
    term = Terminal(db, rows, cols)

    def on_screen(shown: str, answer: bool) -> None:
        assert shown.splitlines()[0].startswith("Attention paper")
        assert shown.count(QUESTION) == 1 and CLAIM[:30] in shown
        assert ("Reason 0: the positional" in shown) is answer

    # the misreading asks its question once, above the claim
    shown = term.wait(lambda t: CLAIM[:30] in t and "left" in t)
    on_screen(shown, answer=False)
    # after the reveal, the title, the question and the answer's first line are on screen
    term.child.send(" ")
    shown = term.wait(lambda t: "Reason 0" in t)
    on_screen(shown, answer=True)
    assert "j/k: lines 1-" in shown  # the long answer is what gives way, and scrolls
    assert "? keys" in shown
    if 16 <= rows <= 24:
        assert "5 perfect" in shown  # the legend says what each grade means
    # ? shows the keys, and they leave the title, the question and the answer's start in place
    term.child.send("?")
    shown = term.wait(lambda t: "show the answer" in t)
    on_screen(shown, answer=True)
    term.child.send("?")
    shown = term.wait(lambda t: "show the answer" not in t)
    # j scrolls the answer: its first line gives way to the next ones
    term.child.send("j")
    shown = term.wait(lambda t: "Reason 0: the positional" not in t)
    assert shown.splitlines()[0].startswith("Attention paper") and CLAIM[:30] in shown
    term.child.send("k")
    shown = term.wait(lambda t: "Reason 0: the positional" in t)

    # bury, then u: the buried card comes back
    term.child.send("s")
    shown = term.wait(lambda t: "What does attention cost?" in t)
    assert "buried order-claim until tomorrow" in shown
    term.child.send("u")
    shown = term.wait(lambda t: CLAIM[:30] in t and "unburied" in t)
    assert "done 0 · left 2" in shown
    on_screen(shown, answer=False)

    # suspend: the card leaves the queue and the counts
    term.child.send("!")
    shown = term.wait(lambda t: "What does attention cost?" in t)
    assert "suspended order-claim" in shown and "done 0 · left 1" in shown
    term.child.send("q")
    term.child.expect(pexpect.EOF)
    term.child.close()
    assert term.child.exitstatus == 0
    status = run_srs(["status", "--json"], srs_env(db, NOW))
    (deck,) = [d for d in json.loads(status.stdout)["decks"] if d["id"] == "attn"]
    assert (deck["suspended"], deck["new"]) == (1, 1)


@pytest.mark.parametrize("args", [["review"], ["stats"]])
def test_a_terminal_that_is_not_utf8_gets_ascii_and_exit_0(tmp_path: Path, args: list[str]) -> None:
    db = tmp_path / "srs.db"
    env = srs_env(db, NOW, PYTHONIOENCODING="ascii", LC_ALL="C")
    done = subprocess.run([SRS, *args], env=env, input=" 4 0q", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.isascii() and done.stdout.strip()
    assert "done 0 - left" in done.stdout or "srs stats" in done.stdout


ESCAPES = re.compile(
    r"\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])"
)


def test_review_on_an_ascii_terminal_writes_card_text_in_ascii_within_80_columns(
    tmp_path: Path,
) -> None:
    db = tmp_path / "srs.db"
    store = Store.open(f"sqlite:///{db}")
    claim = "\u201cBigger models are always safer\u201d \u2014 the paper\u2019s main claim\u2026"
    back = "No \u2014 \u03b1 and \u03b2\u2026 both grow; na\u00efve \u2264 3 \u2192 none. " * 3
    title = "Caf\u00e9 \u2014 \u201cquotes\u201d\u2026 " * 4
    card = Card("curly", Kind.MISREADING, claim, back, "\u00a73")
    store.content.load_deck(Deck("uni", title, "M\u00fcller 2024", (card,)), datetime.now(UTC))
    store.close()
    term = Terminal(db, 24, 80, PYTHONIOENCODING="ascii", LC_ALL="C")
    term.wait(lambda t: "Bigger models" in t and "left" in t)
    for key, shown in ((" ", "alpha and beta"), ("?", "show the answer"), ("?", "5 perfect")):
        term.child.send(key)
        term.wait(lambda t, shown=shown: shown in t)
    term.child.send("q")
    term.child.expect(pexpect.EOF)
    written = ESCAPES.sub("", "".join(term.raw))
    assert written.isascii()
    assert '"Bigger models are always safer" -- the paper\'s main claim...' in written
    assert "No -- alpha and beta... both grow; naive <= 3 -> none." in written
    assert 'Cafe -- "quotes"...' in written
    others = re.sub(r"What is wrong with this reading\?|\? keys|\?\s+show or hide", "", written)
    assert "?" not in others
    lines = re.split(r"\r?\n|\r", written)
    assert max(len(line) for line in lines) <= 80
