"""The `srs simulate` screen: each scheduler's figures, the difference, and a workload chart."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from srs.core.simulation import SchedulerRun, Simulation

BLOCKS = " ▁▂▃▄▅▆▇█"
NAMES = {"sm2": "SM-2", "fsrs": "FSRS"}
CHART_WIDTH = 52


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def buckets(daily: tuple[int, ...], width: int = CHART_WIDTH) -> list[float]:
    """Daily reviews averaged over `width` equal spans (fewer when there are fewer days)."""
    count = min(width, len(daily))
    if count == 0:
        return []
    out = []
    for i in range(count):
        lo, hi = i * len(daily) // count, (i + 1) * len(daily) // count
        span = daily[lo:hi] or daily[lo : lo + 1]
        out.append(sum(span) / len(span))
    return out


def sparkline(values: list[float], top: float) -> str:
    """One block character a value, scaled so that `top` is a full block."""
    if top <= 0:
        return " " * len(values)
    steps = len(BLOCKS) - 1
    return "".join(BLOCKS[min(steps, round(v / top * steps))] for v in values)


def workload_chart(runs: tuple[SchedulerRun, ...], days: int) -> Table:
    """Reviews a day over the simulated days, one line a scheduler, on a common scale."""
    series = {run.scheduler: buckets(run.daily) for run in runs}
    top = max((max(v, default=0.0) for v in series.values()), default=0.0)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold")
    grid.add_column()
    for name, values in series.items():
        grid.add_row(NAMES.get(name, name), Text(sparkline(values, top), style="cyan"))
    grid.add_row("", Text(f"day 1 … day {days}; full block = {top:.0f} reviews a day", "dim"))
    return grid


def simulation_view(sim: Simulation) -> RenderableType:
    """Both schedulers side by side, the difference, the chart and the assumptions."""
    sm2, fsrs = sim.run("sm2"), sim.run("fsrs")
    table = Table(box=None, padding=(0, 2, 0, 0), header_style="bold")
    table.add_column("")
    for name in ("SM-2", "FSRS", "FSRS - SM-2"):
        table.add_column(name, justify="right")
    table.add_row(
        "reviews a day (mean)",
        f"{sm2.mean:.1f}",
        f"{fsrs.mean:.1f}",
        f"{fsrs.mean - sm2.mean:+.1f}",
    )
    table.add_row(
        "reviews a day (peak)", str(sm2.peak), str(fsrs.peak), f"{fsrs.peak - sm2.peak:+d}"
    )
    table.add_row("total reviews", str(sm2.total), str(fsrs.total), f"{fsrs.total - sm2.total:+d}")
    table.add_row(
        "minutes", f"{sm2.minutes:.0f}", f"{fsrs.minutes:.0f}", f"{fsrs.minutes - sm2.minutes:+.0f}"
    )
    diff = (
        "-"
        if sm2.retention_end is None or fsrs.retention_end is None
        else f"{(fsrs.retention_end - sm2.retention_end) * 100:+.1f} pts"
    )
    table.add_row(
        "expected retention at the end",
        _percent(sm2.retention_end),
        _percent(fsrs.retention_end),
        diff,
    )
    real = f", {sim.from_real_state} from your own progress" if sim.from_real_state else ""
    title = Text(
        f"Simulated: {sim.cards} cards{real}, {sim.days} days from {sim.start.isoformat()}",
        style="bold",
    )
    assumptions = Text(
        f"A simulated learner whose memory follows FSRS's default model reviews every due card "
        f"and up to {sim.new_per_day} new cards a deck a day; a review takes "
        f"{sim.seconds_per_review} s; "
        f"a grade below 4 costs one drill. FSRS: desired retention {sim.desired_retention}, fuzz "
        f"{'on' if sim.fuzz else 'off'}. Seed {sim.seed}. See docs/scheduling.md for what this "
        "cannot tell you.",
        style="dim",
    )
    return Group(
        Rule(title, align="left"),
        table,
        Text(""),
        Text("Reviews a day", style="bold"),
        workload_chart(sim.runs, sim.days),
        Text(""),
        assumptions,
    )
