"""A class on a shared PostgreSQL server: setting it up, its people, and the report.

The instructor runs set-up and the people commands with an admin URL (a role that owns the
database and may create roles): `init_class` creates or upgrades the schema, the class's group
roles and its row-level security, and loads the bundled decks; `add_person` creates one login
and returns the URL that person should set, with no password in it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime

from srs.core.classreport import ClassReport
from srs.core.errors import StoreError
from srs.loading import sync_bundled_decks
from srs.store import Store
from srs.store.class_report import class_report
from srs.store.classroom import set_up_class
from srs.store.people import RosterEntry, create_login, remove_login, roster, set_password
from srs.store.report_totals import bad_rows, repair
from srs.store.server import Timeouts
from srs.store.urls import url_without_password


@contextmanager
def _server(url: str, label: str, timeouts: Timeouts) -> Iterator[Store]:
    """The class's store, refused in one line when it is not on a server."""
    store = Store.open(url, label, timeouts=timeouts)
    try:
        if not store.on_server:
            raise StoreError("a class needs a PostgreSQL server: set SRS_DATABASE_URL")
        yield store
    finally:
        store.close()


def init_class(url: str, label: str, now: datetime, timeouts: Timeouts) -> list[str]:
    """Set up (or bring up to date) the class at `url`; what was changed, in words."""
    with _server(url, label, timeouts) as store:
        made = set_up_class(store)
        loaded = sync_bundled_decks(store, now)
        return made + [f"bundled deck {r.deck_id}" for r in loaded if r.created_deck]


def add_person(
    url: str, label: str, name: str, password: str, instructor: bool, timeouts: Timeouts
) -> str:
    """Create the login role `name` in the class; the `SRS_DATABASE_URL` for that person."""
    with _server(url, label, timeouts) as store:
        create_login(store, name, password, instructor)
    return url_without_password(url, name)


def change_password(
    url: str, label: str, name: str | None, password: str, timeouts: Timeouts
) -> None:
    """Set a person's password (the admin, naming them), or one's own (`name` None)."""
    with _server(url, label, timeouts) as store:
        set_password(store, name, password)


def remove_person(
    url: str, label: str, name: str, keep_history: bool, today: date, timeouts: Timeouts
) -> tuple[int, str]:
    """Drop a person's login; their answers deleted, or kept under a name no one can take."""
    with _server(url, label, timeouts) as store:
        return remove_login(store, name, keep_history, today)


def class_roster(url: str, label: str, timeouts: Timeouts) -> list[RosterEntry]:
    """Every person of the class, with their answers and last day."""
    with _server(url, label, timeouts) as store:
        return roster(store)


def repair_totals(url: str, label: str, timeouts: Timeouts) -> int:
    """Rebuild the report's running totals from the log; the log rows left out as invalid."""
    with _server(url, label, timeouts) as store, store.write() as conn:
        return repair(conn)


def report(
    store: Store, deck_ids: Sequence[str], since: date | None, today: date, by_learner: bool
) -> ClassReport:
    """The instructor's report over the decks named (all when empty). On a server whose totals
    hold rows that cannot be right, one line names the learners, and the repair."""
    if since is not None and since > today:
        raise StoreError(f"--since {since.isoformat()} is after today ({today.isoformat()})")
    if store.on_server:
        with store.read() as conn:
            wrong = bad_rows(conn)
        if wrong:
            names = ", ".join(f"{name!r} ({count})" for name, count in sorted(wrong.items()))
            raise StoreError(
                f"the report's totals hold rows out of range for {names}; "
                "an instructor can rebuild them without those rows: srs class repair"
            )
    decks = store.content.require_decks(list(deck_ids)) if deck_ids else []
    return class_report(store, decks, since, today, by_learner)
