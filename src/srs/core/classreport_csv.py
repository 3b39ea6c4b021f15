"""`srs class report --format csv`: the report's sections for a spreadsheet.

One block per section, blocks separated by a blank line. Each block starts with a header row, and
the first column of every row is `section`, naming the section, so the blocks can also be pasted
into one sheet and filtered. Rates are fractions rounded to 4 places, empty when there is nothing
to divide by; a missing date, file or line is an empty cell. The columns are documented in
docs/class.md.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from srs.core.classreport import CardPlace, ClassReport

Row = Sequence[Any]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, date):
        return value.isoformat()
    return value


PLACE_COLUMNS = ("deck", "card", "kind", "file", "line", "retired")


def _place(place: CardPlace) -> list[Any]:
    return [place.deck_id, place.card_id, place.kind, place.file, place.line, place.retired]


def class_report_sections(report: ClassReport) -> list[tuple[str, tuple[str, ...], list[Row]]]:
    """Each section of the report as (name, column names after `section`, rows)."""
    sections: list[tuple[str, tuple[str, ...], list[Row]]] = [
        (
            "report",
            ("date", "since", "decks", "learners", "answers"),
            [
                [
                    report.today,
                    report.since,
                    " ".join(report.decks),
                    report.learners,
                    report.answers,
                ]
            ],
        ),
        (
            "hardest",
            (
                "rank",
                *PLACE_COLUMNS,
                "learners",
                "lapsed_learners",
                "share_lapsed",
                "share_lapsed_lower_bound",
                "reviews",
                "lapses",
                "lapse_rate",
                "answers",
            ),
            [
                [
                    rank,
                    *_place(h.place),
                    h.learners,
                    h.lapsed_learners,
                    h.share_lapsed,
                    h.evidence,
                    h.reviews,
                    h.lapses,
                    h.lapse_rate,
                    h.answers,
                ]
                for rank, h in enumerate(report.hardest, 1)
            ],
        ),
        (
            "retention_by_kind",
            ("week", "kind", "reviews", "passed", "rate"),
            [[r.week, r.kind, r.reviews, r.passed, r.rate] for r in report.retention],
        ),
        (
            "persistent_misreadings",
            (*PLACE_COLUMNS, "learners_past_second_review", "still_failing"),
            [
                [*_place(m.place), m.learners_past_second, m.still_failing]
                for m in report.misreadings
            ],
        ),
        ("active_learners", ("week", "learners"), [[w, n] for w, n in report.active]),
    ]
    if report.by_learner is not None:
        sections.append(
            (
                "by_learner",
                ("learner", "answers", "reviews", "passed", "retention", "due", "last_day"),
                [
                    [f.learner, f.answers, f.reviews, f.passed, f.retention, f.due, f.last_day]
                    for f in report.by_learner
                ],
            )
        )
    return sections


def class_report_csv(report: ClassReport) -> str:
    """The report as CSV text: a header row and the rows of each section, a blank line between
    sections (Python's csv module: fields with commas, quotes or line breaks are quoted)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for k, (name, columns, rows) in enumerate(class_report_sections(report)):
        if k:
            writer.writerow([])
        writer.writerow(["section", *columns])
        writer.writerows([name, *(_cell(v) for v in row)] for row in rows)
    return out.getvalue()
