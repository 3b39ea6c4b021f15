"""Text helpers every screen shares: untrusted text made literal, kind colours, dates in words."""

from __future__ import annotations

from datetime import date

from rich.text import Text

from srs.core.cardtext import safe_text
from srs.core.model import Kind

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
