"""`srs class report` on the terminal: what the class fails, every name kept literal.

A card's place (`file:line`) is on a line of its own and is never wrapped or cut, whatever the
width of the terminal: print the view with `print_class_report` (the console must not crop it).
"""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from srs.core.classreport import CardPlace, ClassReport
from srs.core.model import card_ref
from srs.core.wording import plural
from srs.ui.text import plain


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _place_line(place: CardPlace) -> Text:
    """The place, indented, on a line the console never wraps or cuts."""
    return Text.assemble("    ", plain(place.where), no_wrap=True, overflow="ignore")


def _title(title: str) -> Text:
    return Text(title, style="italic")


def _hardest(report: ClassReport) -> list[RenderableType]:
    if not report.hardest:
        return [Text("No card has lapsed yet.")]
    parts: list[RenderableType] = [_title("Cards the class fails most")]
    for rank, h in enumerate(report.hardest, 1):
        parts.append(
            Text.assemble(
                f"{rank:>2}. ",
                plain(card_ref(h.place.deck_id, h.place.card_id), style="bold"),
                " (",
                plain(h.place.kind),
                f"): {h.lapsed_learners} of {plural(h.learners, 'learner')} lapsed "
                f"({_pct(h.share_lapsed)}); lapse rate {h.lapses}/{h.reviews} "
                f"({_pct(h.lapse_rate)}); {plural(h.answers, 'answer')}",
            )
        )
        parts.append(_place_line(h.place))
    return parts


def _misreadings(report: ClassReport) -> list[RenderableType]:
    if not report.misreadings:
        return []
    parts: list[RenderableType] = [_title("Misreadings still failed after the second review")]
    for m in report.misreadings:
        parts.append(
            Text.assemble(
                "  - ",
                plain(card_ref(m.place.deck_id, m.place.card_id), style="bold"),
                f": {m.still_failing} of {plural(m.learners_past_second, 'learner')} "
                "past their second review still failing",
            )
        )
        parts.append(_place_line(m.place))
    return parts


def print_class_report(console: Console, report: ClassReport) -> None:
    """Print the report on `console`, places whole: lines longer than the console are left for
    the terminal to fold, so a `file:line` copied from it is never cut."""
    console.print(class_report_view(report), crop=False)


def class_report_view(report: ClassReport) -> RenderableType:
    """The report: hardest cards, retention by kind and week, persistent misreadings, activity,
    and each learner's figures when asked for."""
    since = f" since {report.since.isoformat()}" if report.since else ""
    parts: list[RenderableType] = [
        Text(
            f"Class report for {report.today.isoformat()}{since}: "
            f"{plural(report.learners, 'learner')}, {plural(report.answers, 'answer')}"
        )
    ]
    parts += _hardest(report)
    kinds = Table(title="Retention by kind, by week", title_justify="left")
    for name in ("week", "kind", "reviews", "retention"):
        kinds.add_column(name, justify="left" if name in ("week", "kind") else "right")
    for r in report.retention:
        kinds.add_row(r.week.isoformat(), plain(r.kind), str(r.reviews), _pct(r.rate))
    parts.append(kinds if report.retention else Text("No scheduled reviews yet."))
    parts += _misreadings(report)
    active = Table(title="Learners active per week", title_justify="left")
    active.add_column("week")
    active.add_column("learners", justify="right")
    for week, n in report.active:
        active.add_row(week.isoformat(), str(n))
    parts.append(active)
    if report.by_learner is not None:
        people = Table(title="By learner", title_justify="left")
        for name in ("learner", "answers", "retention", "due", "last active"):
            people.add_column(name, justify="left" if name == "learner" else "right")
        for f in report.by_learner:
            people.add_row(
                plain(f.learner),
                str(f.answers),
                _pct(f.retention),
                str(f.due),
                "-" if f.last_day is None else f.last_day.isoformat(),
            )
        parts.append(people)
    return Group(*parts)
