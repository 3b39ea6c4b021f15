"""Start-up stays lazy: `srs --help` and shell completion load no database, export or Anki code.

Each case runs the real entry point in a fresh interpreter and lists the top-level packages that
ended up in `sys.modules`. See DESIGN.md, "Slow imports stay lazy", and benchmarks/README.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import SMALL_DECK, run_srs, srs_env

HEAVY = {"sqlalchemy", "genanki", "anki", "fsrs", "html_to_markdown", "zstandard"}

COMPLETION_VARS = (
    "_SRS_COMPLETE",
    "COMP_WORDS",
    "COMP_CWORD",
    "_TYPER_COMPLETE_ARGS",
    "_TYPER_COMPLETE_FISH_ACTION",
    "_TYPER_COMPLETE_WORD_TO_COMPLETE",
)


def startup_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without shell-completion variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in COMPLETION_VARS}
    env.update(extra or {})
    return env


HELP_CASES = [
    pytest.param(["--help"], id="srs --help"),
    pytest.param([], id="srs (no arguments shows help)"),
    pytest.param(["deck", "--help"], id="srs deck --help"),
    pytest.param(["status", "--help"], id="srs status --help"),
    pytest.param(["export", "anki", "--help"], id="srs export anki --help"),
    pytest.param(["config", "--help"], id="srs config --help"),
    pytest.param(["simulate", "--help"], id="srs simulate --help"),
]

COMPLETION_CASES = [
    pytest.param(
        {"_SRS_COMPLETE": "complete_bash", "COMP_WORDS": "srs st", "COMP_CWORD": "1"},
        "status",
        id="bash: srs st",
    ),
    pytest.param(
        {"_SRS_COMPLETE": "complete_bash", "COMP_WORDS": "srs deck ", "COMP_CWORD": "2"},
        "check",
        id="bash: srs deck",
    ),
    pytest.param(
        {"_SRS_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "srs st"},
        "status",
        id="zsh: srs st",
    ),
    pytest.param(
        {
            "_SRS_COMPLETE": "complete_fish",
            "_TYPER_COMPLETE_ARGS": "srs deck ",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        },
        "check",
        id="fish: srs deck",
    ),
]


@pytest.mark.parametrize("args", HELP_CASES)
def test_help_imports_no_heavy_library(args: list[str]) -> None:
    report = run_srs(args, startup_env(), fresh=True)
    assert "Usage" in report.stdout
    assert HEAVY.isdisjoint(report.packages)


@pytest.mark.parametrize(("env", "expected"), COMPLETION_CASES)
def test_completion_imports_no_heavy_library(env: dict[str, str], expected: str) -> None:
    report = run_srs([], startup_env(env), fresh=True)
    assert report.returncode == 0
    assert expected in report.stdout
    assert HEAVY.isdisjoint(report.packages)


def test_a_first_status_loads_no_pydantic(tmp_path: Path) -> None:
    # typer would convert options through pydantic; srs converts its plain options itself. The
    # first run loads the bundled deck, rendering its cards' Anki HTML once (markdown-it); the
    # daily run, which needs neither, is checked with the other commands below.
    env = srs_env(tmp_path / "srs.db", "2026-02-02T09:00")
    first = run_srs(["status"], startup_env(env), fresh=True)
    assert first.returncode == 0 and "pydantic" not in first.packages


def test_bash_completion_does_not_import_rich() -> None:
    env = {"_SRS_COMPLETE": "complete_bash", "COMP_WORDS": "srs ", "COMP_CWORD": "1"}
    report = run_srs([], startup_env(env), fresh=True)
    assert "review" in report.stdout
    assert "rich" not in report.packages


# Loads a deck and answers one card as `srs review` does, then reports whether fsrs was imported.
REVIEW_PROBE = """
import json, sys
from pathlib import Path
from srs.config import resolve
from srs.learner_config import answer_policy
from srs.loading import load_paths, open_collection
from srs.review import ReviewSession
settings = resolve()
with open_collection(
    settings.db_url, "probe", settings.learner, settings.now, False, settings.scheduling
) as store:
    load_paths(store, [Path(sys.argv[1])], settings.now)
    policy = answer_policy(store, settings.scheduling, 8, False)
    session = ReviewSession(store, ["tiny"], settings.now.date(), 20, policy=policy)
    answer = session.answer(4, settings.now)
print(json.dumps({"scheduler": answer.state.scheduler, "fsrs": "fsrs" in sys.modules}))
"""


@pytest.mark.parametrize(("chosen", "loads_fsrs"), [("sm2", False), ("fsrs", True)])
def test_an_sm2_review_never_loads_fsrs(tmp_path: Path, chosen: str, loads_fsrs: bool) -> None:
    deck = tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK, encoding="utf-8")
    env = srs_env(tmp_path / "srs.db", "2026-02-02T09:00", SRS_SCHEDULER=chosen)
    done = subprocess.run(
        [sys.executable, "-c", REVIEW_PROBE, str(deck)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"scheduler": chosen, "fsrs": loads_fsrs}


# The modules of srs each command may load on a collection that is already set up (the daily
# case): its own command module and what it needs, never the deck checker, another command's
# module, or a screen it does not draw (issue 30).
STORE_AND_CORE = {
    "srs", "srs.cli", "srs.commands", "srs.commands.base", "srs.commands.plain_params",
    "srs.commands.registry", "srs.config", "srs.core", "srs.core.cardtext", "srs.core.days",
    "srs.core.errors",
    "srs.core.grades", "srs.core.model", "srs.core.notetype", "srs.core.paper_json",
    "srs.core.scheduling", "srs.core.scheduling.bounds", "srs.core.scheduling.choice",
    "srs.core.scheduling.rule", "srs.core.scheduling.sm2", "srs.core.stats", "srs.core.ticker",
    "srs.learner_config", "srs.loading", "srs.store", "srs.store.answer_sql",
    "srs.store.content", "srs.store.engine", "srs.store.aggregates", "srs.store.listing",
    "srs.store.migrations", "srs.store.queue", "srs.store.report_totals", "srs.store.schema",
    "srs.store.server", "srs.store.setaside", "srs.store.settings", "srs.store.sqlite_file",
    "srs.store.study", "srs.store.transfer", "srs.store.urls", "srs.ui", "srs.ui.console",
    "srs.ui.ascii",
    "srs.ui.text", "srs.core.cardmath", "srs.core.cardmathcheck", "srs.core.cardspans",
    "srs.core.merging",
    "srs.core.wording", "srs.core.cloze", "srs.core.paper", "srs.store.sync",
    "srs.store.log_rows",
}  # fmt: skip
# The store's query objects are made when first used: status answers, lists, moves no progress.
NOT_FOR_STATUS = {
    "srs.store.study", "srs.store.answer_sql", "srs.store.log_rows", "srs.store.setaside",
    "srs.store.listing",
    "srs.store.transfer", "srs.core.merging", "srs.core.stats",
}  # fmt: skip
MAY_LOAD = {
    "status": STORE_AND_CORE - NOT_FOR_STATUS
    | {"srs.commands.progress", "srs.progress", "srs.ui.tables"},
    "review": STORE_AND_CORE
    | {"srs.commands.study", "srs.review", "srs.ui.keys", "srs.ui.review_screen",
       "srs.core.faces", "srs.ui.review_keys", "srs.ui.review_layout"},
    # the commands are listed from srs.commands.registry: no command module is loaded; the
    # help is drawn by srs.commands.top_help, without typer's help module and its Markdown
    "--help": {
        "srs", "srs.cli", "srs.commands", "srs.commands.base", "srs.commands.plain_params",
        "srs.commands.registry", "srs.commands.top_help", "srs.core", "srs.core.errors",
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def set_up(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a collection already set up (the first run is done, in process), which
    the commands below only read."""
    env = startup_env(srs_env(tmp_path_factory.mktemp("set-up") / "srs.db", "2026-02-02T09:00"))
    assert run_srs(["status"], env).returncode == 0
    return env


@pytest.mark.parametrize("command", sorted(MAY_LOAD))
def test_each_command_loads_only_the_modules_of_srs_it_may(
    set_up: dict[str, str], command: str
) -> None:
    report = run_srs([command], set_up, fresh=True)
    assert report.returncode == 0, report.stderr
    assert report.modules <= MAY_LOAD[command], sorted(report.modules - MAY_LOAD[command])
    assert "srs.core.deckfile" not in report.modules
    if command == "--help":
        assert {"markdown_it", "pygments"}.isdisjoint(report.packages)
    if command == "status":  # the daily run: no option converter, no Markdown parser
        assert "srs status" in report.stdout
        assert {"pydantic", "markdown_it"}.isdisjoint(report.packages)


def test_an_unchanged_deck_add_loads_no_checker(tmp_path: Path) -> None:
    deck = tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK, encoding="utf-8")
    env = startup_env(srs_env(tmp_path / "srs.db", "2026-02-02T09:00"))
    assert run_srs(["deck", "add", str(deck)], env).returncode == 0  # in process: loads it
    report = run_srs(["deck", "add", str(deck)], env, fresh=True)
    assert report.returncode == 0, report.stderr
    assert "3 unchanged" in report.stdout
    loaded = {m for m in report.modules if m.startswith(("srs.core.deckfile", "srs.authoring"))}
    assert loaded == set()
    assert HEAVY.isdisjoint(report.packages - {"sqlalchemy"}) and "rich" not in report.packages
