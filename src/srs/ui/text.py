"""Text helpers every screen shares: untrusted text made literal, kind colours, dates in words."""

from __future__ import annotations

from datetime import date

from rich.text import Text

from srs.core.cardtext import safe_text
from srs.core.model import Kind, SchedState

KIND_STYLE = {Kind.FINDING: "green", Kind.LIMITATION: "yellow", Kind.MISREADING: "magenta"}


def plain(text: str, style: str = "") -> Text:
    """Untrusted text as a literal `Text`: never parsed as rich markup, with control and
    bidirectional characters shown as visible escapes (`srs.core.cardtext.safe_text`)."""
    return Text(safe_text(text), style=style)


def ef_text(ef: int) -> str:
    """Easiness in hundredths as the usual decimal: 250 -> "2.50"."""
    return f"{ef // 100}.{ef % 100:02d}"


def when(day: date | None, today: date, missing: str = "-") -> str:
    """A date with how far it is from today; `missing` when there is no date."""
    if day is None:
        return missing
    delta = (day - today).days
    if delta == 0:
        return f"{day.isoformat()} (today)"
    if delta == 1:
        return f"{day.isoformat()} (tomorrow)"
    if delta > 0:
        return f"{day.isoformat()} (in {delta} days)"
    return f"{day.isoformat()} ({-delta} days ago)"


def memory_text(state: SchedState, recall: float | None = None) -> str:
    """The figures of the scheduler that last scheduled a card, in one short phrase:
    "SM-2 · EF 2.50 · 6 d" or "FSRS · S 12.3 d · D 5.1 · R 87.0%"; empty for a new card."""
    if state.is_new:
        return ""
    if state.scheduler == "fsrs" and state.stability is not None and state.difficulty is not None:
        figures = f"FSRS · S {state.stability:.1f} d · D {state.difficulty:.1f}"
        return figures if recall is None else f"{figures} · R {percent(recall)}"
    return f"SM-2 · EF {ef_text(state.ef)} · {state.interval} d"


def percent(value: float | None) -> str:
    """A probability as a percentage with one decimal; "-" when there is none."""
    return "-" if value is None else f"{value * 100:.1f}%"
