"""`srs config` and `srs simulate`: the learner's choice of scheduler, and the comparison that
helps make it. Heavy libraries load inside the commands."""

from __future__ import annotations

from typing import Annotated

import typer

from srs.commands.base import (
    DbOption,
    JsonOption,
    app,
    collection,
    console,
    echo_json,
    settings_for,
    today_of,
)
from srs.commands.plain_params import SrsGroup

config_app = typer.Typer(
    cls=SrsGroup,
    help="This learner's settings: scheduler (sm2|fsrs), desired-retention, fsrs-fuzz (on|off).",
    no_args_is_help=True,
)
app.add_typer(config_app, name="config")


@config_app.command("set")
def config_set(
    key: Annotated[str, typer.Argument(help="scheduler, desired-retention or fsrs-fuzz.")],
    value: Annotated[str, typer.Argument(help="sm2|fsrs, 0.7 to 0.99, or on|off.")],
    db: DbOption = None,
) -> None:
    """Store one of this learner's settings, kept with their progress.

    scheduler: sm2 (default) or fsrs. desired-retention: FSRS's target recall, 0.7 to 0.99
    (default 0.9). fsrs-fuzz: on (default) or off. $SRS_SCHEDULER, $SRS_DESIRED_RETENTION and
    $SRS_FSRS_FUZZ override them for one run. See docs/scheduling.md.
    """
    from srs.core.cardtext import printable
    from srs.core.scheduling.choice import normalise
    from srs.learner_config import set_setting

    normalise(key, value)  # a bad value is refused before the collection is opened
    settings = settings_for(db)
    with collection(settings, load_bundled=False, writes=True) as store:
        stored = set_setting(store, key, value)
        learner = store.learner
    # "(learner default)" read as a default value: the learner is named, in quotes
    typer.echo(
        f"{key} = {printable(str(stored))}, saved for the learner named '{printable(learner)}'"
    )


@config_app.command("show")
def config_show(db: DbOption = None, as_json: JsonOption = False) -> None:
    """This learner's settings for this run, and where each comes from (default, set, or an
    environment variable). --json prints {learner, settings: {KEY: {value, source}}}."""
    from srs.learner_config import show_settings

    settings = settings_for(db)
    with collection(settings, load_bundled=False) as store:
        rows = show_settings(store, settings.scheduling)
        learner = store.learner  # on a server: the database user
    if as_json:
        from srs.core.reports import config_json

        echo_json(config_json(learner, rows))
        return
    width = max(len(r.key) for r in rows)
    for r in rows:
        typer.echo(f"{r.key.ljust(width)}  {r.value}  ({r.source})")


@app.command()
def simulate(
    decks: Annotated[
        list[str] | None, typer.Argument(help="Deck ids (default: all decks).")
    ] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=3650, help="Days to simulate.")] = 365,
    new_per_day: Annotated[
        int | None,
        typer.Option(help="New cards a deck a day (default 20, or $SRS_NEW_PER_DAY).", min=0),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulated learner.")] = 1,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compare SM-2 and FSRS on a simulated learner studying these decks.

    The learner's memory follows FSRS with its default parameters; each scheduler schedules the
    same cards from this learner's real state (new cards where there is none). Reports, per
    scheduler: reviews a day (mean, peak), total reviews, minutes at a stated pace, expected
    retention at the end, and the difference. Same seed, same figures. The --json shape is in
    docs/scheduling.md.
    """
    from srs.simulate import simulate_decks
    from srs.ui.ticker import terminal_ticker

    settings = settings_for(db, new_per_day)
    today = today_of(settings)
    with collection(settings) as store, terminal_ticker() as bar:
        result = simulate_decks(
            store, decks or [], today, days, settings.new_per_day, seed, settings.scheduling, bar
        )
    if as_json:
        from srs.core.reports import simulation_json

        echo_json(simulation_json(result))
        return
    from srs.ui.simulate_screen import simulation_view

    console().print(simulation_view(result))
