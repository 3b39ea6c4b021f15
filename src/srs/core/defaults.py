"""Defaults of options a user can change, each defined once, in a module light enough for the
CLI to import when it builds `--help` (the deck reader behind them is not)."""

from __future__ import annotations

MAX_BACK_WORDS = 60
"""Default of `srs deck check --max-back-words`: a longer back draws `long-back`."""
