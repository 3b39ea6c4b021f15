"""The deck reader on hostile input: it always ends, with one error, in bounded work and memory.

Work is bounded by CPU time (with a wide margin), never by wall-clock time, so a busy machine
cannot fail these tests.

The fuzz tests run a few seconds in the suite. For a longer run by hand:

    SRS_FUZZ_EXAMPLES=20000 uv run pytest -q tests/unit/test_deck_reader_limits.py -k fuzz
"""

from __future__ import annotations

import os
import signal
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import run_srs
from srs.core.deckfile import (
    MAX_DECK_BYTES,
    MAX_KEY_PARTS,
    MAX_NESTING,
    Diagnostic,
    check_deck,
    read_deck_file,
)
from srs.core.errors import DeckFileError

T = TypeVar("T")

DECK_CODES = {  # every code the checker gives; "internal-error" is not one of them
    "answer-in-prompt",
    "bad-id",
    "control-char",
    "duplicate-id",
    "empty-field",
    "long-prompt",
    "missing-field",
    "missing-kind",
    "missing-table",
    "no-cards",
    "no-source",
    "not-utf8",
    "raw-html",
    "tag-space",
    "toml-syntax",
    "unknown-key",
    "unknown-kind",
    "wrong-type",
}


HANG_S = 120.0
"""Wall-clock seconds after which a block counts as stuck. Not a speed bound: only a block that
waits without working (a read that never returns) gets this far; work is bounded by CPU time."""


class TooMuchWork(Exception):
    """The CPU-time budget of one example ran out."""


class Stuck(Exception):
    """One example neither ended nor used up its CPU budget within `HANG_S`."""


@contextmanager
def cpu_limit(seconds: float) -> Iterator[None]:
    """Fail the block when it uses more than `seconds` of CPU time (this process, user and
    system): a bound on work, which other processes on the machine do not move. The budgets are
    ten times or more what each case costs on a quiet machine, far below what the quadratic or
    unbounded readers they guard against would take. A block that waits instead of working fails
    after `HANG_S`, so a hang is a failure, not a stuck suite."""

    def expire(signum: int, _frame: object) -> None:
        if signum == signal.SIGPROF:
            raise TooMuchWork(f"over {seconds} s of CPU time")
        raise Stuck(f"no end after {HANG_S} s")

    previous = signal.signal(signal.SIGPROF, expire), signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, HANG_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGPROF, previous[0])
        signal.signal(signal.SIGALRM, previous[1])


def bounded(call: Callable[[], T], cpu_seconds: float, max_bytes: int) -> T:
    """Run `call` within a CPU-time budget, and fail when its peak memory passes `max_bytes`."""
    tracemalloc.start()
    try:
        with cpu_limit(cpu_seconds):
            result = call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= max_bytes, f"peak {peak} bytes > {max_bytes}"
    return result


def one_error(diags: list[Diagnostic], code: str) -> Diagnostic:
    errors = [d for d in diags if d.severity == "error"]
    assert [d.code for d in errors] == [code], diags
    return errors[0]


# ---- inputs that once hung or blew up -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["x = [}]", "x = {a = ]}", "x = [,]", "x = [1 2]", "x = [[}]]", "a = [\n}\n]", "x = {,}"],
)
def test_text_the_scanner_cannot_read_ends_in_one_syntax_error(text: str) -> None:
    diags = bounded(lambda: check_deck(text.encode(), "d.toml"), 2, 2_000_000)
    one_error(diags, "toml-syntax")


def test_deck_check_and_deck_add_of_the_eight_byte_deck_end_with_one_line(tmp_path: Path) -> None:
    deck = tmp_path / "loop.toml"
    deck.write_bytes(b"x = [}]\n")
    with cpu_limit(10):
        check = run_srs(["deck", "check", str(deck)], {})
        add = run_srs(["deck", "add", str(deck)], {"SRS_DB": str(tmp_path / "srs.db")})
    assert check.returncode == 1 and check.stdout.count("[toml-syntax]") == 1
    assert add.returncode == 1 and add.stderr.count("\n") == 1 and "toml-syntax" in add.stderr


@pytest.mark.parametrize(
    "text",
    [
        "a" + ".a" * 10_000 + " = 1",
        "[" + "a." * 10_000 + "a]",
        "[[" + "a." * 10_000 + "a]]",
        "x = {" + " a." * 10_000 + "a = 1}",
    ],
)
def test_a_key_of_ten_thousand_parts_is_refused_cheaply(text: str) -> None:
    diags = bounded(lambda: check_deck(text.encode(), "d.toml"), 2, 4_000_000)
    problem = one_error(diags, "toml-syntax")
    assert f"more than {MAX_KEY_PARTS}" in problem.message


@pytest.mark.parametrize("opening", ["[", "{a=", "[{a=", "[ # c\n"])
def test_deep_nesting_is_refused_before_the_parser_recurses(opening: str) -> None:
    text = "x = " + opening * 100_000
    diags = bounded(lambda: check_deck(text.encode(), "d.toml"), 10, 40_000_000)
    problem = one_error(diags, "toml-syntax")
    assert f"more than {MAX_NESTING} levels" in problem.message


@pytest.mark.parametrize(
    "text",
    [
        'x = """' + '\\"' * 30_000,  # an unclosed string of escaped quotes: once quadratic
        'x = "' + "a" * 100_000,  # an unclosed string: once 120 bytes of regex state a char
        "x = '''" + "''a" * 100_000,
        '"a' * 100_000,
    ],
)
def test_unclosed_strings_cost_linear_time_and_little_memory(text: str) -> None:
    data = text.encode()
    diags = bounded(lambda: check_deck(data, "d.toml"), 10, 2_000_000 + 16 * len(data))
    one_error(diags, "toml-syntax")


def test_nesting_after_a_string_closed_by_four_quotes_is_still_counted() -> None:
    text = 'x = """a""""\ny = ' + "[" * 100_000
    problem = one_error(check_deck(text, "d.toml"), "toml-syntax")
    assert "nested too deeply" in problem.message and problem.line == 2


def test_keys_and_nesting_within_the_bounds_still_parse() -> None:
    parts = ".".join(["a"] * MAX_KEY_PARTS)
    nested = "[" * (MAX_NESTING - 1) + "]" * (MAX_NESTING - 1)
    text = f'{parts} = 1\nn = {nested}\ns = "[[[[[ a.b.c.d ]"\nf = [1.5, 2.5, 3.5]\n'
    diags = check_deck(text, "d.toml")
    assert "toml-syntax" not in {d.code for d in diags}


def test_brackets_and_dots_inside_strings_and_comments_are_text() -> None:
    text = 'x = "' + "[" * 200 + "." * 200 + '"  # ' + "{" * 200 + "\n"
    text += "y = '''\n" + "[" * 200 + "\n'''\n"
    assert "toml-syntax" not in {d.code for d in check_deck(text, "d.toml")}


def test_a_byte_order_mark_then_a_bad_byte_is_reported_at_column_one() -> None:
    (problem,) = check_deck(b"\xef\xbb\xbf\xff = 1\n", "d.toml")
    assert (problem.code, problem.line, problem.col) == ("not-utf8", 1, 1)
    (later,) = check_deck(b"\xef\xbb\xbfab\xff = 1\n", "d.toml")
    assert (later.line, later.col) == (1, 3)


def test_checking_a_large_deck_needs_a_small_multiple_of_its_size() -> None:
    card = (
        '[[card]]\nid = "c{i}"\nkind = "finding"\n'
        'front = "What did the paper find about item {i}, and in which setting?"\n'
        'back = """\nIt found that X improves Y by {i} points, **in English text** only.\n"""\n'
        'source = "Section {i}"\ntags = ["results", "x"]\n'
    )
    text = '[deck]\nid = "big"\ntitle = "Big"\n\n' + "".join(card.format(i=i) for i in range(300))
    data = text.encode()
    diags = bounded(lambda: check_deck(data, "big.toml"), 30, 40 * len(data))
    assert [d for d in diags if d.severity == "error"] == []


# ---- what is read at all ------------------------------------------------------------------


def read_problem(path: Path) -> Diagnostic:
    with pytest.raises(DeckFileError) as info:
        bounded(lambda: read_deck_file(path), 5, 8_000_000)
    (problem,) = info.value.problems
    assert problem.code == "read-error"
    return problem


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "deck.toml"
    os.mkfifo(fifo)
    assert "not a regular file" in read_problem(fifo).message
    result = run_srs(["deck", "check", str(fifo)], {})
    assert result.returncode == 1
    assert "not a regular file" in result.stdout
    assert "internal" not in result.stdout + result.stderr


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused_without_reading_it(device: str) -> None:
    assert "not a regular file" in read_problem(Path(device)).message
    result = run_srs(["deck", "check", device], {})
    assert (result.returncode, result.stdout.count("read-error")) == (1, 1)


def test_a_folder_given_as_a_deck_file_is_one_line(tmp_path: Path) -> None:
    assert "folder" in read_problem(tmp_path).message


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    with big.open("wb") as out:  # sparse: costs no disk, and must cost no memory either
        out.truncate(MAX_DECK_BYTES + 1)
    assert "larger than 16 MiB" in read_problem(big).message
    result = run_srs(["deck", "add", str(big)], {"SRS_DB": str(tmp_path / "srs.db")})
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "larger than" in result.stderr


# ---- fuzz ---------------------------------------------------------------------------------

FUZZ_EXAMPLES = int(os.environ.get("SRS_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,  # the CPU budget below is per example and fails a hang outright
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

toml_pieces = st.sampled_from(
    [
        "[", "]", "{", "}", "[[", "]]", "=", ",", ".", " ", "\n", "\r\n", "#", '"', "'", '"""',
        "'''", "\\", "\\u", "a", "x", "1", "1.5", "true", "deck", "card", "id", "front", "\ufeff",
        "\x1b", "\u202e", "\x00", "é", "1979-05-27T07:32:00Z", "inf", "-", "+", "_",
    ]
)  # fmt: skip
toml_shaped = st.lists(toml_pieces, max_size=200).map("".join)


def assert_reader_is_total(data: bytes) -> None:
    """Every example ends quickly, in bounded memory, with deck diagnostics only."""
    diags = bounded(lambda: check_deck(data, "fuzz.toml"), 5, 16_000_000 + 200 * len(data))
    assert {d.code for d in diags} <= DECK_CODES
    assert all(d.line >= 1 and d.col >= 1 for d in diags)


@FUZZ
@given(st.binary(max_size=2000))
def test_fuzz_random_bytes_end_in_deck_diagnostics(data: bytes) -> None:
    assert_reader_is_total(data)


@FUZZ
@given(toml_shaped)
def test_fuzz_toml_shaped_text_ends_in_deck_diagnostics(text: str) -> None:
    assert_reader_is_total(text.encode("utf-8", "surrogatepass"))
