"""The `srs history` screen: one card, its current state, and every answer. No database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from srs.core.grades import passed
from srs.core.model import LogRecord, ReviewKind, SchedState, StoredCard
from srs.core.wording import plural
from srs.ui.text import KIND_STYLE, ef_text, percent, plain, when


def history_view(
    card: StoredCard,
    state: SchedState,
    log: Sequence[LogRecord],
    today: date,
    tz: tzinfo,
    retrievability: float | None = None,
) -> Group:
    """One card: its prompt, its current state (SM-2's figures, or FSRS's with the chance of
    recall today for a card FSRS scheduled), and every answer, oldest first."""
    kind = card.card.kind
    title = Text.assemble(
        plain(card.ref, "bold"),
        " · ",
        (kind.value, f"bold {KIND_STYLE[kind]}"),
        " · ",
        plain(card.deck_title),
    )
    parts: list[RenderableType] = [Rule(title, align="left")]
    if card.retired:
        parts.append(Text("retired: no longer in its deck file", style="yellow"))
    parts.append(plain(card.card.front))
    parts.append(Text(""))
    parts.append(_state_grid(state, today, retrievability))
    parts.append(Text(""))
    if not log:
        parts.append(Text("No answers yet.", style="dim"))
        return Group(*parts)
    table = Table(box=None, padding=(0, 1, 0, 0), show_edge=False, header_style="bold")
    # short headers so the table fits 60 columns; the key below spells them out
    for name, justify in (
        ("answered", "left"),
        ("day", "left"),
        ("as", "left"),
        ("q", "right"),
        ("EF", "right"),
        ("ivl", "right"),
        ("due", "left"),
    ):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for r in log:
        drill = r.review_kind is ReviewKind.DRILL
        table.add_row(
            _local(r.reviewed_at, tz),
            r.day.isoformat(),
            r.review_kind.value,
            Text(str(r.grade), style="green" if passed(r.grade) else "red"),
            "-" if drill else _memory(r),  # a drill leaves the schedule as it was
            "-" if drill else f"{r.interval}d",
            "-" if drill or r.due is None else r.due.isoformat(),
        )
    scheduled = [r for r in log if r.review_kind is ReviewKind.REVIEW]
    kept = sum(1 for r in scheduled if passed(r.grade))
    counts = {k: sum(1 for r in log if r.review_kind is k) for k in ReviewKind}
    summary = (
        f"{plural(len(log), 'answer')}: {counts[ReviewKind.NEW]} first, "
        f"{counts[ReviewKind.REVIEW]} scheduled, {plural(counts[ReviewKind.DRILL], 'drill')}; "
        f"retention {kept}/{len(scheduled)}"
    )
    key = (
        "answered: local time · day: study day (rollover applied) · as: new, review or drill · "
        "q: grade 0-5 · EF: SM-2 easiness, or S: FSRS stability in days · ivl: interval after "
        "the answer"
    )
    parts += [table, Text(""), Text(summary, style="dim"), Text(key, style="dim")]
    return Group(*parts)


def _memory(r: LogRecord) -> str:
    """The EF column: SM-2's easiness, or FSRS's stability for an answer FSRS scheduled."""
    if r.scheduler == "fsrs" and r.stability is not None:
        return f"S{r.stability:.1f}"
    return ef_text(r.ef)


def _state_grid(state: SchedState, today: date, retrievability: float | None) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    if state.is_new:
        grid.add_row("State", "new: never reviewed")
        return grid
    grid.add_row("Due", when(state.due, today))
    grid.add_row("Interval", f"{state.interval} d")
    if state.scheduler == "fsrs" and state.stability is not None:
        grid.add_row("Scheduler", "FSRS")
        grid.add_row("Stability", f"{state.stability:.1f} d")
        grid.add_row("Difficulty", f"{state.difficulty or 0:.2f} (1 to 10)")
        grid.add_row("Recall today", percent(retrievability))
        grid.add_row("Lapses", str(state.lapses))
        grid.add_row("Reviews", str(state.reps))
        return grid
    grid.add_row("EF", ef_text(state.ef))
    grid.add_row("In a row", f"{state.n} successful review{'s' * (state.n != 1)}")
    grid.add_row("Lapses", str(state.lapses))
    grid.add_row("Reviews", str(state.reps))
    return grid


def _local(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")
