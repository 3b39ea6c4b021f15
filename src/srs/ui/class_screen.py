"""`srs class report` on the terminal: tables of what the class fails, every name kept literal."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from srs.core.classreport import ClassReport
from srs.ui.text import plain


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def class_report_view(report: ClassReport) -> RenderableType:
    """The report: hardest cards, retention by kind and week, persistent misreadings, activity,
    and each learner's figures when asked for."""
    since = f" since {report.since.isoformat()}" if report.since else ""
    parts: list[RenderableType] = [
        Text(
            f"Class report for {report.today.isoformat()}{since}: "
            f"{report.learners} learners, {report.answers} answers"
        )
    ]
    hard = Table(title="Cards the class fails most", title_justify="left")
    for name in ("card", "kind", "lapsed", "lapse rate", "answers", "where"):
        hard.add_column(
            name, justify="right" if name in ("lapsed", "lapse rate", "answers") else "left"
        )
    for h in report.hardest:
        hard.add_row(
            plain(f"{h.place.deck_id}/{h.place.card_id}"),
            plain(h.place.kind),
            f"{h.lapsed_learners}/{h.learners} ({_pct(h.share_lapsed)})",
            f"{h.lapses}/{h.reviews} ({_pct(h.lapse_rate)})",
            str(h.answers),
            plain(h.place.where),
        )
    parts.append(hard if report.hardest else Text("No card has lapsed yet."))
    kinds = Table(title="Retention by kind, by week", title_justify="left")
    for name in ("week", "kind", "reviews", "retention"):
        kinds.add_column(name, justify="left" if name in ("week", "kind") else "right")
    for r in report.retention:
        kinds.add_row(r.week.isoformat(), plain(r.kind), str(r.reviews), _pct(r.rate))
    parts.append(kinds if report.retention else Text("No scheduled reviews yet."))
    if report.misreadings:
        mis = Table(title="Misreadings still failed after the second review", title_justify="left")
        for name in ("card", "still failing", "where"):
            mis.add_column(name)
        for m in report.misreadings:
            mis.add_row(
                plain(f"{m.place.deck_id}/{m.place.card_id}"),
                f"{m.still_failing}/{m.learners_past_second}",
                plain(m.place.where),
            )
        parts.append(mis)
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
