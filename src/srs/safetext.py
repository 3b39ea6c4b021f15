"""Neutralise untrusted deck text before it reaches a terminal or an Anki field. Stdlib only."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 controls (which some terminals obey as CSI).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_control_chars(text: str) -> str:
    """Remove every control character but tab and newline (ESC included, so no escape sequence
    survives)."""
    return CONTROL_CHARS.sub("", text)


def find_control_char(text: str) -> int | None:
    """Index of the first control character other than tab and newline, or None."""
    match = CONTROL_CHARS.search(text)
    return None if match is None else match.start()
