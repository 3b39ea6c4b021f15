"""Every `--json` shape srs prints, in one place. Each is documented where users read it:
`srs status --json` in the README, `srs stats --json` in docs/stats.md, `srs deck check --json`
in docs/deck-format.md, `srs history --json` and `srs deck list --json` in the README."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import date
from typing import Any

from srs.core.errors import Diagnostic
from srs.core.model import CardRow, DeckStatus, DeckSummary, LogRecord, SchedState, StoredCard
from srs.core.scheduling.choice import SettingRow
from srs.core.simulation import SchedulerRun, Simulation
from srs.core.stats import Rate, Stats


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def status_json(today: date, rows: Sequence[DeckStatus]) -> dict[str, Any]:
    """`srs status --json`: the study day and each deck's counts."""
    return {
        "today": today.isoformat(),
        "decks": [
            {
                "id": r.id,
                "title": r.title,
                "due": r.due,
                "new": r.new,
                "drill": r.drill,
                "total": r.total,
                "suspended": r.suspended,
                "next_due": _day(r.next_due),
            }
            for r in rows
        ],
    }


def deck_list_json(decks: Sequence[DeckSummary]) -> list[dict[str, Any]]:
    """`srs deck list --json`: one object a deck."""
    return [
        {
            "id": d.id,
            "title": d.title,
            "source": d.source,
            "path": d.path,
            "cards": d.active,
            "retired": d.retired,
            "loaded_at": d.loaded_at.isoformat(),
        }
        for d in decks
    ]


def diagnostics_json(diagnostics: Iterable[Diagnostic]) -> str:
    """A JSON array of objects: path, line, col, severity, code, message, card_id (or null).

    ASCII-only, so no control character in a file name or message can reach a terminal raw.
    """
    return json.dumps([asdict(d) for d in diagnostics], indent=2, ensure_ascii=True)


def paper_check_json(
    diagnostics: Iterable[Diagnostic], pages: Mapping[str, Sequence[int | None]]
) -> str:
    """`srs deck check --paper --json`: {"diagnostics": [as `diagnostics_json`], "quotes":
    {"DECK_ID/CARD_ID": [the page of each quote, null when not found]}}."""
    out = {"diagnostics": [asdict(d) for d in diagnostics], "quotes": dict(pages)}
    return json.dumps(out, indent=2, ensure_ascii=True)


def history_json(
    card: StoredCard,
    state: SchedState,
    log: Sequence[LogRecord],
    retrievability: float | None = None,
) -> dict[str, object]:
    """`srs history --json`: the card, its state and its log (times in UTC, ISO 8601). A card
    FSRS scheduled has `state.fsrs` {stability, difficulty, retrievability (today)}; each log
    entry names the scheduler that scheduled it, with FSRS's stability and difficulty after it."""
    found = _history_json(card, state, log)
    if state.scheduler == "fsrs" and not state.is_new and isinstance(found["state"], dict):
        found["state"]["fsrs"] = {
            "stability": state.stability,
            "difficulty": state.difficulty,
            "retrievability": retrievability,
        }
    return found


def _history_json(
    card: StoredCard, state: SchedState, log: Sequence[LogRecord]
) -> dict[str, object]:
    return {
        "card": {
            "deck": card.deck_id,
            "id": card.card.id,
            "kind": card.card.kind.value,
            "prompt": card.card.front,
            "retired": card.retired,
        },
        "state": None
        if state.is_new
        else {
            "n": state.n,
            "ef": state.ef,
            "interval": state.interval,
            "due": _day(state.due),
            "lapses": state.lapses,
            "reps": state.reps,
        },
        "log": [
            {
                "reviewed_at": r.reviewed_at.isoformat(),
                "day": r.day.isoformat(),
                "review_kind": r.review_kind.value,
                "grade": r.grade,
                "ef": r.ef,
                "interval": r.interval,
                "due": _day(r.due),
                "scheduler": r.scheduler,
                # FSRS's figures belong to answers FSRS scheduled (an older srs carried them
                # through SM-2's answers unchanged)
                "stability": r.stability if r.scheduler == "fsrs" else None,
                "difficulty": r.difficulty if r.scheduler == "fsrs" else None,
                "from_anki": r.from_anki,
            }
            for r in log
        ],
    }


def _rate_json(rate: Rate) -> dict[str, Any]:
    value = rate.rate
    return {
        "reviews": rate.reviews,
        "passed": rate.passed,
        "rate": None if value is None else round(value, 4),
    }


def _kinds_json(by_kind: Mapping[str, Rate]) -> dict[str, Any]:
    return {k: _rate_json(r) for k, r in by_kind.items()}


def stats_json(stats: Stats) -> dict[str, Any]:
    """The figures as plain JSON-ready data; the shape is documented in docs/stats.md."""
    heat = stats.heatmap
    return {
        "date": stats.today.isoformat(),
        "days": stats.days,
        "decks": stats.decks,
        "today": stats.counts._asdict(),
        "streak": {"current": stats.streaks.current, "longest": stats.streaks.longest},
        "reviews_per_day": [{"day": d.isoformat(), "answers": n} for d, n in stats.per_day],
        "heatmap": {
            "start": heat.start.isoformat(),
            "first": heat.first.isoformat(),
            "last": heat.last.isoformat(),
            "max": heat.max,
            "levels": [list(r) for r in heat.level_ranges()],
            "weeks": heat.weeks,
        },
        "forecast": [{"day": f.day.isoformat(), "due": f.due} for f in stats.forecast],
        "retention": {
            "weeks": stats.weeks,
            "first": stats.retention.first.isoformat(),
            "counts_new_cards": False,
            "total": _rate_json(stats.retention.total),
            "by_kind": _kinds_json(stats.retention.by_kind),
            "weekly": [
                {
                    "week": w.week.isoformat(),
                    "total": _rate_json(w.total),
                    "by_kind": _kinds_json(w.by_kind),
                }
                for w in stats.retention.weekly
            ],
        },
        "ef_histogram": [
            {"low": b.low, "high": b.high, "cards": b.cards} for b in stats.ef_histogram
        ],
        "hardest": [
            {
                "deck": h.deck_id,
                "card": h.card_id,
                "kind": h.kind,
                "prompt": h.front,
                "lapses": h.lapses,
                "ef": h.ef,
                "reps": h.reps,
                "due": None if h.due is None else h.due.isoformat(),
            }
            for h in stats.hardest
        ],
    }


def cards_json(rows: Sequence[CardRow], leech_lapses: int) -> list[dict[str, Any]]:
    """`srs cards --json`: one object a card, with this learner's state."""
    return [
        {
            "deck": r.deck_id,
            "card": r.card_id,
            "kind": r.kind.value,
            "front": r.front,
            "due": _day(r.due),
            "interval": r.interval,
            "lapses": r.lapses,
            "suspended": r.suspended,
            "buried_on": _day(r.buried_on),
            "leech": r.lapses >= leech_lapses,
        }
        for r in rows
    ]


def config_json(learner: str, rows: Sequence[SettingRow]) -> dict[str, Any]:
    """`srs config show --json`: the learner and each setting's value and source."""
    return {
        "learner": learner,
        "settings": {r.key: {"value": r.value, "source": r.source} for r in rows},
    }


def _run_json(run: SchedulerRun) -> dict[str, Any]:
    return {
        "total_reviews": run.total,
        "reviews_per_day": {"mean": round(run.mean, 2), "peak": run.peak},
        "minutes": round(run.minutes, 1),
        "retention_end": None if run.retention_end is None else round(run.retention_end, 4),
        "cards_studied": run.studied,
        "daily": list(run.daily),
    }


def simulation_json(sim: Simulation) -> dict[str, Any]:
    """`srs simulate --json` (docs/scheduling.md): the assumptions, each scheduler's figures,
    and FSRS minus SM-2."""
    sm2, fsrs = sim.run("sm2"), sim.run("fsrs")
    retention = (
        None
        if sm2.retention_end is None or fsrs.retention_end is None
        else round(fsrs.retention_end - sm2.retention_end, 4)
    )
    return {
        "start": sim.start.isoformat(),
        "days": sim.days,
        "new_per_day": sim.new_per_day,
        "seed": sim.seed,
        "cards": sim.cards,
        "from_real_state": sim.from_real_state,
        "seconds_per_review": sim.seconds_per_review,
        "fsrs": {"desired_retention": sim.desired_retention, "fuzz": sim.fuzz},
        "schedulers": {run.scheduler: _run_json(run) for run in sim.runs},
        "difference": {
            "total_reviews": fsrs.total - sm2.total,
            "reviews_per_day_mean": round(fsrs.mean - sm2.mean, 2),
            "minutes": round(fsrs.minutes - sm2.minutes, 1),
            "retention_end": retention,
        },
    }
