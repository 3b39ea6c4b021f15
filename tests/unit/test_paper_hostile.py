"""A hostile or broken PDF given as the paper is one error line, read in a child process whose
memory and time are bounded (`srs.paper.source`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from helpers import run_srs
from paper_pdfs import sample_paper
from srs.paper import source

DECK = """\
[deck]
id = "d"
title = "D"

[[card]]
id = "c"
kind = "finding"
front = "Q?"
back = "A."
source = "p. 1"
quote = "We find"
"""


def truncated(folder: Path) -> Path:
    data = sample_paper(folder / "whole.pdf").read_bytes()
    out = folder / "truncated.pdf"
    out.write_bytes(data[: len(data) // 2])
    return out


def encrypted(folder: Path) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.text(20, 20, "We find that this text is locked.")
    pdf.set_encryption(owner_password="owner", user_password="user")
    out = folder / "encrypted.pdf"
    pdf.output(str(out))
    return out


def huge_page_count(folder: Path) -> Path:
    pdf = FPDF()
    pdf.set_compression(False)
    pdf.add_page()
    pdf.add_page()
    data = bytes(pdf.output())
    assert data.count(b"/Count 2") == 1
    out = folder / "count.pdf"
    out.write_bytes(data.replace(b"/Count 2", b"/Count 1000000000"))
    return out


def deeply_nested(folder: Path) -> Path:
    depth = 200_000
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /X " + b"[" * depth + b"]" * depth + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
    ]
    data = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(data))
        data += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(data)
    data += b"xref\n0 4\n0000000000 65535 f \n"
    data += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    data += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    out = folder / "nested.pdf"
    out.write_bytes(bytes(data))
    return out


def error_lines(tmp_path: Path, pdf: Path) -> list[str]:
    deck = tmp_path / "deck.toml"
    deck.write_text(DECK, encoding="utf-8")
    env = {"SRS_CACHE_DIR": str(tmp_path / "cache")}
    result = run_srs(["deck", "check", str(deck), "--paper", str(pdf)], env)
    assert result.returncode == 1
    assert result.stdout == ""
    return result.stderr.splitlines()


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (truncated, "not a readable PDF"),
        (encrypted, "the PDF is encrypted"),
        (huge_page_count, "the PDF has no text"),  # PDFium counts the real pages: two empty ones
        (deeply_nested, "the PDF has no text"),  # PDFium stops at its nesting limit
    ],
)
def test_a_hostile_pdf_is_one_error_line_naming_the_file(
    tmp_path: Path, make: object, says: str
) -> None:
    assert callable(make)
    pdf = make(tmp_path)
    lines = error_lines(tmp_path, pdf)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"srs: error: {pdf}: {says}")


def test_a_reader_past_its_memory_bound_is_stopped_and_named_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf = sample_paper(tmp_path / "paper.pdf")
    monkeypatch.setattr(source, "CHILD_MEMORY", 16 * 1024 * 1024)  # less than Python needs
    lines = error_lines(tmp_path, pdf)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"srs: error: {pdf}: ")


def test_a_reader_past_its_time_bound_is_stopped_and_named_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf = sample_paper(tmp_path / "paper.pdf")
    monkeypatch.setattr(source, "CHILD_TIMEOUT", 0.01)
    assert error_lines(tmp_path, pdf) == [f"srs: error: {pdf}: reading the PDF took over 0 s"]


def test_a_fifo_given_as_the_paper_is_refused_without_waiting(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "paper.pdf"
    os.mkfifo(fifo)
    assert error_lines(tmp_path, fifo) == [f"srs: error: {fifo}: not a regular file"]
