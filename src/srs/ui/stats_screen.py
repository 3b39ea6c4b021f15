"""Renderables for `srs stats` and `srs history`. It knows no database and reads no clock.

Every chart draws itself to the width rich offers and carries its meaning in characters as well
as colours (heat levels are ·░▒▓█, or .-+*# on a terminal without Unicode), so a terminal without
colour, or narrower than 80 columns, still gets a readable view. Card text is untrusted and goes
through `srs.ui.text.plain`, never through markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from srs.core.model import KINDS, Kind, card_ref
from srs.core.stats import Heatmap, Rate, Stats
from srs.ui.ascii import Fold, cut
from srs.ui.console import fold_of
from srs.ui.text import KIND_STYLE, ef_text, plain

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HEAT_CHARS = ("·", "░", "▒", "▓", "█")
HEAT_CHARS_ASCII = (".", "-", "+", "*", "#")
# GitHub's contribution greens; level 0 is a dim dot so empty days inside the window still show
HEAT_STYLES = ("grey42", "#9be9a8", "#40c463", "#30a14e", "#216e39")
WEEKLY_ROWS = 12  # weeks of the retention series shown on screen (the JSON holds them all)
_LABEL = 4  # "Mon " in front of each heatmap row
MAX_BAR = 60  # longer bars only stretch the eye, not the comparison


def _section(title: str) -> Rule:
    return Rule(Text(title, style="bold"), align="left", style="dim")


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


def _percent(rate: Rate) -> str:
    value = rate.rate
    return "-" if value is None else f"{value:.0%}"


# ---- charts -------------------------------------------------------------------------------


class HeatmapView:
    """A contribution graph: 7 rows Mon..Sun, one column a week, newest on the right.

    When the width cannot hold every week, the oldest are dropped and a note says so.
    """

    def __init__(self, heat: Heatmap) -> None:
        self.heat = heat

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(_LABEL + 1, _LABEL + 2 * len(self.heat.weeks))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        heat = self.heat
        chars = HEAT_CHARS_ASCII if options.ascii_only else HEAT_CHARS
        room = max(1, options.max_width - _LABEL)
        cell = 2 if 2 * len(heat.weeks) <= room else 1  # a gap between weeks when it fits
        shown = min(len(heat.weeks), room // cell)
        first_week = len(heat.weeks) - shown
        starts = [heat.start + timedelta(weeks=i) for i in range(first_week, len(heat.weeks))]
        weeks = heat.weeks[first_week:]
        yield self._months(starts, cell)
        for row, name in enumerate(WEEKDAYS):
            line = Text(f"{name} ".ljust(_LABEL), style="dim", no_wrap=True, overflow="crop")
            for column in weeks:
                count = column[row]
                if count is None:
                    line.append(" " * cell)
                    continue
                level = heat.level(count)
                line.append(chars[level], style=HEAT_STYLES[level])
                line.append(" " * (cell - 1))
            yield line
        yield self._legend(chars)
        if shown < len(heat.weeks):
            yield Text(
                f"(last {shown} of {len(heat.weeks)} weeks shown; a wider terminal shows all)",
                style="dim",
            )

    @staticmethod
    def _months(starts: Sequence[date], cell: int) -> Text:
        # a month's name sits over the first week that holds its 1st day, when it has room
        line = [" "] * (_LABEL + cell * len(starts))
        free_from = 0
        for i, start in enumerate(starts):
            week = [start + timedelta(days=d) for d in range(7)]
            first_of_month = next((d for d in week if d.day == 1), None)
            if first_of_month is None and i > 0:
                continue
            label = (first_of_month or start).strftime("%b")
            at = _LABEL + cell * i
            if at >= free_from and at + len(label) <= len(line):
                line[at : at + len(label)] = label
                free_from = at + len(label) + 1
        return Text("".join(line).rstrip(), style="dim", no_wrap=True, overflow="crop")

    def _legend(self, chars: Sequence[str]) -> RenderableType:
        legend = Text("less ", style="dim")
        for level, char in enumerate(chars):
            legend.append(char, style=HEAT_STYLES[level])
            legend.append(" ")
        legend.append("more", style="dim")
        ranges = [
            f"{chars[i]} {low}" if low == high else f"{chars[i]} {low}-{high}"
            for i, (low, high) in enumerate(self.heat.level_ranges(), start=1)
            if high
        ]
        key = Text(f"answers a day: {chars[0]} 0, {', '.join(ranges)}", style="dim")
        return Group(legend, key) if ranges else legend


class BarChart:
    """Horizontal bars, one labelled row per value, scaled to the width available."""

    def __init__(self, rows: Sequence[tuple[str, int]], style: str = "cyan") -> None:
        self.rows = list(rows)
        self.style = style

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        label = max((len(label) for label, _ in self.rows), default=0)
        return Measurement(label + 4, options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        bar_char = "#" if options.ascii_only else "█"
        label_width = max((len(label) for label, _ in self.rows), default=0)
        top = max((value for _, value in self.rows), default=0)
        count_width = len(str(top))
        room = max(1, min(MAX_BAR, options.max_width - label_width - count_width - 2))
        for label, value in self.rows:
            # round to the nearest cell, but never hide a non-zero value
            length = 0 if top == 0 else max(1 if value else 0, round(room * value / top))
            line = Text(label.ljust(label_width) + " ", no_wrap=True, overflow="crop")
            line.append(bar_char * length, style=self.style)
            line.append(" " if length else "")
            line.append(str(value), style="bold" if value else "dim")
            yield line


# ---- stats ----------------------------------------------------------------------------------


def today_view(stats: Stats) -> Table:
    """Today's answers and cards, what is still due, and the streaks."""
    c, s = stats.counts, stats.streaks
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row(
        "Today",
        f"{_n(c.answers, 'answer')} on {_n(c.reviewed, 'card')}, {c.new_seen} new; "
        f"{c.due} still due",
    )
    grid.add_row("Streak", f"{_n(s.current, 'day')} (longest {s.longest})")
    return grid


def forecast_view(stats: Stats) -> BarChart:
    """Cards due on each of the next days; today's bar includes overdue cards."""
    rows = []
    for i, f in enumerate(stats.forecast):
        name = "today" if i == 0 else f.day.strftime("%a")
        rows.append((f"{name:<5} {f.day.strftime('%m-%d')}", f.due))
    return BarChart(rows, style="cyan")


def retention_view(stats: Stats) -> Group:
    """Retention by card kind over the window, then week by week."""
    r = stats.retention
    by_kind = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
    by_kind.add_column("kind")
    for name in ("reviews", "passed", "retention"):
        by_kind.add_column(name, justify="right")
    for kind in KINDS:
        rate = r.by_kind.get(kind, Rate())
        by_kind.add_row(
            Text(kind, style=KIND_STYLE.get(Kind(kind), "")),
            str(rate.reviews),
            str(rate.passed),
            _percent(rate),
        )
    by_kind.add_row(
        Text("all", style="bold"), str(r.total.reviews), str(r.total.passed), _percent(r.total)
    )
    weeks = [w for w in r.weekly if w.total.reviews][-WEEKLY_ROWS:]
    parts: list[RenderableType] = [by_kind]
    if weeks:
        weekly = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
        weekly.add_column("week of")
        for name in ("all", *KINDS):
            weekly.add_column(name, justify="right")
        for w in weeks:
            cells = [_rate_cell(w.total)]
            cells.extend(_rate_cell(w.by_kind.get(kind, Rate())) for kind in KINDS)
            weekly.add_row(w.week.isoformat(), *cells)
        active = sum(1 for w in r.weekly if w.total.reviews)
        caption = f"weeks with reviews: last {len(weeks)} of {active}, as retention (reviews)"
        parts += [Text(""), Text(caption, style="dim"), weekly]
    return Group(*parts)


def _rate_cell(rate: Rate) -> str:
    return "-" if not rate.reviews else f"{_percent(rate)} ({rate.reviews})"


def ef_view(stats: Stats) -> BarChart:
    """How many reviewed cards have each easiness."""
    rows = [(f"{ef_text(b.low)}-{ef_text(b.high)}", b.cards) for b in stats.ef_histogram]
    return BarChart(rows, style="magenta")


class HardestView:
    """The cards with most lapses, then lowest easiness, with their prompts.

    An id is never split: it is shown whole (without its deck when one deck is shown), and the
    prompt takes the width left over, cut with an ellipsis. When the width cannot hold an id
    beside a useful part of its prompt, each card takes two lines: its id, then its figures and
    prompt; and when a `DECK/CARD` ref is wider than the screen, each deck's name heads its
    cards, which show their card ids alone.
    """

    PROMPT_MIN = 16

    def __init__(self, stats: Stats) -> None:
        self.stats = stats
        self.one_deck = stats.decks is not None and len(stats.decks) == 1
        self.ids = [
            h.card_id if self.one_deck else card_ref(h.deck_id, h.card_id) for h in stats.hardest
        ]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        id_width = max((len(i) for i in self.ids), default=4)
        figures = len("misreading") + len("lapses") + len("0.00") + 4  # columns and padding
        if id_width + figures + self.PROMPT_MIN <= width:
            yield self._table(id_width)
        else:
            yield from self._stacked(width, fold_of(console))

    def _kind(self, kind: str) -> Text:
        return Text(kind, style=KIND_STYLE.get(Kind(kind), "") if kind in KINDS else "")

    def _table(self, id_width: int) -> Table:
        # expand, so that the prompt's ratio takes whatever width the other columns leave
        table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold", expand=True)
        table.add_column("card", no_wrap=True, min_width=id_width)
        table.add_column("kind", no_wrap=True)
        table.add_column("lapses", justify="right", no_wrap=True)
        table.add_column("EF", justify="right", no_wrap=True)
        # the prompt gives way first when the width is short: one line, cut with an ellipsis
        table.add_column(
            "prompt", overflow="ellipsis", no_wrap=True, min_width=self.PROMPT_MIN, ratio=1
        )
        for name, h in zip(self.ids, self.stats.hardest, strict=True):
            table.add_row(
                plain(name),
                self._kind(h.kind),
                str(h.lapses),
                ef_text(h.ef),
                plain(" ".join(h.front.split())),  # one line: its own newlines would wrap
            )
        return table

    def _stacked(self, width: int, fold: Fold | None) -> RenderResult:
        # a ref wider than the screen would be split: the deck then heads its cards instead
        by_deck = any(len(name) > width for name in self.ids) and not self.one_deck
        deck = None
        for name, h in zip(self.ids, self.stats.hardest, strict=True):
            if by_deck and h.deck_id != deck:
                deck = h.deck_id
                yield plain(f"{deck}/", "bold cyan")
            yield plain(h.card_id if by_deck else name, "bold")
            line = Text.assemble(
                "  ",
                self._kind(h.kind),
                f" · {_n(h.lapses, 'lapse')} · EF {ef_text(h.ef)} · ",
                plain(" ".join(h.front.split())),
            )
            yield cut(line, width, fold)


def hardest_view(stats: Stats) -> HardestView:
    """The hardest cards, fitted to the width they are drawn at (see `HardestView`)."""
    return HardestView(stats)


def stats_view(stats: Stats, deck_titles: Iterable[str] = ()) -> Group:
    """The whole `srs stats` screen."""
    titles = list(deck_titles)
    heading = Text.assemble(
        ("srs stats", "bold"),
        f" · {stats.today.isoformat()} · last {stats.days} days · ",
        plain(", ".join(titles)) if titles else Text("all decks"),
    )
    parts: list[RenderableType] = [heading, today_view(stats), Text("")]
    parts += [_section(f"Answers per day, last {stats.days} days"), HeatmapView(stats.heatmap)]
    parts += [Text(""), _section("Due in the next 14 days"), forecast_view(stats)]
    parts += [
        Text(""),
        _section(f"Retention, last {stats.weeks} weeks: scheduled reviews graded 3+"),
        retention_view(stats),
    ]
    parts += [Text(""), _section("Easiness (EF) of reviewed cards")]
    parts.append(ef_view(stats) if stats.ef_histogram else Text("no card reviewed yet", "dim"))
    parts += [Text(""), _section("Hardest cards: most lapses, then lowest EF")]
    parts.append(hardest_view(stats) if stats.hardest else Text("none yet", style="dim"))
    return Group(*parts)


__all__ = [
    "BarChart",
    "HeatmapView",
    "forecast_view",
    "hardest_view",
    "retention_view",
    "stats_view",
    "today_view",
]
