"""The learner's scheduler settings: which scheduler, FSRS's desired retention and fuzz.

They are stored with the learner's state (`learner_settings`), so a learner keeps their choice on
every machine that opens the collection, and each can be overridden for one run from the
environment (`SRS_SCHEDULER`, `SRS_DESIRED_RETENTION`, `SRS_FSRS_FUZZ`, read by `srs.config`).
"""

from __future__ import annotations

from collections.abc import Mapping

from srs.core.errors import ConfigError
from srs.core.scheduling.choice import (
    DEFAULTS,
    ENV_VARS,
    KEYS,
    SchedulerChoice,
    SettingRow,
    choose,
    make_scheduler,
    normalise,
)
from srs.core.scheduling.rule import AnswerPolicy
from srs.store import Store


def stored_settings(store: Store) -> dict[str, str]:
    """The learner's stored settings; values an older or newer srs wrote badly are ignored."""
    found: dict[str, str] = {}
    for key, value in store.settings.learner_settings().items():
        if key in KEYS:
            try:
                found[key] = normalise(key, value)
            except ConfigError:
                continue
    return found


def chosen_scheduler(store: Store, overrides: Mapping[str, str]) -> SchedulerChoice:
    """The learner's chosen scheduler for this run (a bad stored or overriding value refused)."""
    return choose(stored_settings(store), overrides)


def answer_policy(
    store: Store, overrides: Mapping[str, str], leech_lapses: int, leech_suspend: bool
) -> AnswerPolicy:
    """How this run decides the learner's answers: their chosen scheduler and the leech rule."""
    scheduler = make_scheduler(chosen_scheduler(store, overrides))
    return AnswerPolicy(scheduler, leech_lapses, leech_suspend)


def set_setting(store: Store, key: str, raw: str) -> str:
    """`srs config set KEY VALUE`: check and store one setting; returns the value as stored."""
    value = normalise(key, raw)
    store.settings.set_learner_setting(key, value)
    return value


def show_settings(store: Store, overrides: Mapping[str, str]) -> list[SettingRow]:
    """`srs config show`: each setting's value for this run, and where it comes from."""
    stored = stored_settings(store)
    rows = []
    for key in KEYS:
        if key in overrides:
            rows.append(SettingRow(key, overrides[key], ENV_VARS[key]))
        elif key in stored:
            rows.append(SettingRow(key, stored[key], "set"))
        else:
            rows.append(SettingRow(key, DEFAULTS[key], "default"))
    return rows
