"""A class on a shared PostgreSQL server: setting it up, adding people, and the report.

The instructor runs these with an admin URL (a role that may create roles): `init_class` creates
or upgrades the schema, the two group roles and the row-level security policies, and loads the
bundled decks; `add_person` creates one login role and returns the URL that person should set.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from srs.core.classreport import ClassReport
from srs.core.errors import StoreError
from srs.loading import sync_bundled_decks
from srs.store import Store
from srs.store.class_report import class_report
from srs.store.classroom import create_login, set_up_class


def init_class(url: str, label: str, now: datetime) -> list[str]:
    """Set up (or bring up to date) the class at `url`; what was changed, in words."""
    store = Store.open(url, label)
    try:
        if not store.on_server:
            raise StoreError("a class needs a PostgreSQL server: set SRS_DATABASE_URL")
        made = set_up_class(store)
        loaded = sync_bundled_decks(store, now)
        made += [f"bundled deck {r.deck_id}" for r in loaded if r.created_deck]
        return made
    finally:
        store.close()


def person_url(url: str, name: str) -> str:
    """The admin's `url` with `name` as the user and no password: what that person sets."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(username=name, password=None)
    if parsed.drivername == "postgresql+psycopg":
        parsed = parsed.set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def add_person(url: str, label: str, name: str, password: str, instructor: bool) -> str:
    """Create the login role `name` in the class; the `SRS_DATABASE_URL` for that person."""
    store = Store.open(url, label)
    try:
        if not store.on_server:
            raise StoreError("a class needs a PostgreSQL server: set SRS_DATABASE_URL")
        create_login(store, name, password, instructor)
    finally:
        store.close()
    return person_url(url, name)


def report(
    store: Store, deck_ids: Sequence[str], since: date | None, today: date, by_learner: bool
) -> ClassReport:
    """The instructor's report over the decks named (all when empty)."""
    decks = store.require_decks(list(deck_ids)) if deck_ids else []
    return class_report(store, decks, since, today, by_learner)
