"""The class report's running totals, kept on a PostgreSQL server by a trigger on `review_log`.

`srs class report` over a whole class would otherwise aggregate every answer ever given (a million
rows take seconds). The server keeps two small tables up to date as answers are saved and undone:

- `report_card`: per learner and card, the answers, scheduled reviews, lapses, reviews after the
  second (`late`) and those failed, and the last day answered;
- `report_week`: per learner, week (Monday to Sunday, numbered from 2000-01-03), deck and kind,
  the answers, scheduled reviews and those passed. The kind is the card's kind when it was
  answered.

The trigger runs as the learner who saves or undoes the answer (`SECURITY INVOKER`), and both
tables are under the same row-level security as `review_log`: a learner writes and reads only their
own totals, an instructor reads everyone's. SQLite collections have no such tables: the report
reads their log directly (a collection on one machine is small).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, Integer, MetaData, String, Table, text
from sqlalchemy.engine import Connection

from srs.core.model import MAX_ID_LENGTH, MAX_LEARNER_LENGTH

TOTALS_TABLES = ("report_card", "report_week")

# Query-side descriptions only: the tables are created by `install` below, on a server.
_totals = MetaData()
card_totals = Table(
    "report_card",
    _totals,
    Column("learner", String(MAX_LEARNER_LENGTH), primary_key=True),
    Column("card_pk", Integer, primary_key=True),
    Column("answers", Integer),
    Column("reviews", Integer),
    Column("lapses", Integer),
    Column("late", Integer),
    Column("late_failed", Integer),
    Column("last_day", Date),
)
week_totals = Table(
    "report_week",
    _totals,
    Column("learner", String(MAX_LEARNER_LENGTH), primary_key=True),
    Column("week", Integer, primary_key=True),
    Column("deck_id", String(MAX_ID_LENGTH), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("answers", Integer),
    Column("reviews", Integer),
    Column("passed", Integer),
)

WEEK_SQL = "(day - DATE '2000-01-03') / 7"  # the week number of a `review_log` row's day

_TABLES = f"""
CREATE TABLE report_card (
    learner VARCHAR({MAX_LEARNER_LENGTH}) NOT NULL,
    card_pk INTEGER NOT NULL REFERENCES cards (pk) ON DELETE CASCADE,
    answers INTEGER NOT NULL, reviews INTEGER NOT NULL, lapses INTEGER NOT NULL,
    late INTEGER NOT NULL, late_failed INTEGER NOT NULL, last_day DATE,
    PRIMARY KEY (learner, card_pk)
);
CREATE TABLE report_week (
    learner VARCHAR({MAX_LEARNER_LENGTH}) NOT NULL, week INTEGER NOT NULL,
    deck_id VARCHAR({MAX_ID_LENGTH}) NOT NULL REFERENCES decks (id) ON DELETE CASCADE,
    kind VARCHAR(20) NOT NULL,
    answers INTEGER NOT NULL, reviews INTEGER NOT NULL, passed INTEGER NOT NULL,
    PRIMARY KEY (learner, week, deck_id, kind)
);
"""

# The totals of the whole log (also used by benchmarks/class_bench.py after a bulk COPY).
BACKFILL_SQL = f"""
INSERT INTO report_card
SELECT learner, card_pk, count(*),
    count(*) FILTER (WHERE review_kind = 'review'),
    count(*) FILTER (WHERE review_kind = 'review' AND grade < 3),
    count(*) FILTER (WHERE review_kind = 'review' AND prev_reps >= 3),
    count(*) FILTER (WHERE review_kind = 'review' AND prev_reps >= 3 AND grade < 3),
    max(day)
FROM review_log GROUP BY learner, card_pk;
INSERT INTO report_week
SELECT l.learner, {WEEK_SQL.replace("day", "l.day")}, c.deck_id, c.kind, count(*),
    count(*) FILTER (WHERE l.review_kind = 'review'),
    count(*) FILTER (WHERE l.review_kind = 'review' AND l.grade >= 3)
FROM review_log l JOIN cards c ON c.pk = l.card_pk GROUP BY 1, 2, 3, 4;
"""

# One answer saved (+1) or undone (-1). An undone answer that was the card's latest day takes
# `last_day` back to the latest answer left (the deleted row is no longer visible here).
_FUNCTION = f"""
CREATE OR REPLACE FUNCTION srs_report_totals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r review_log%ROWTYPE;
    s INTEGER := 1;
    card_kind TEXT;
    card_deck TEXT;
    d_rev INTEGER;
    d_late INTEGER;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; s := -1; ELSE r := NEW; END IF;
    SELECT kind, deck_id INTO card_kind, card_deck FROM cards WHERE pk = r.card_pk;
    IF NOT FOUND THEN RETURN NULL; END IF;
    d_rev := CASE WHEN r.review_kind = 'review' THEN s ELSE 0 END;
    d_late := CASE WHEN r.review_kind = 'review' AND r.prev_reps >= 3 THEN s ELSE 0 END;
    IF s > 0 THEN
        INSERT INTO report_card AS t VALUES (
            r.learner, r.card_pk, 1, d_rev, CASE WHEN r.grade < 3 THEN d_rev ELSE 0 END,
            d_late, CASE WHEN r.grade < 3 THEN d_late ELSE 0 END, r.day)
        ON CONFLICT (learner, card_pk) DO UPDATE SET
            answers = t.answers + 1, reviews = t.reviews + excluded.reviews,
            lapses = t.lapses + excluded.lapses, late = t.late + excluded.late,
            late_failed = t.late_failed + excluded.late_failed,
            last_day = greatest(t.last_day, excluded.last_day);
        INSERT INTO report_week AS t VALUES (
            r.learner, {WEEK_SQL.replace("day", "r.day")}, card_deck, card_kind, 1, d_rev,
            CASE WHEN r.grade >= 3 THEN d_rev ELSE 0 END)
        ON CONFLICT (learner, week, deck_id, kind) DO UPDATE SET
            answers = t.answers + 1, reviews = t.reviews + excluded.reviews,
            passed = t.passed + excluded.passed;
    ELSE
        UPDATE report_card SET
            answers = answers - 1, reviews = reviews + d_rev,
            lapses = lapses + CASE WHEN r.grade < 3 THEN d_rev ELSE 0 END,
            late = late + d_late,
            late_failed = late_failed + CASE WHEN r.grade < 3 THEN d_late ELSE 0 END,
            last_day = CASE WHEN last_day = r.day THEN (
                SELECT max(day) FROM review_log WHERE learner = r.learner AND card_pk = r.card_pk
            ) ELSE last_day END
        WHERE learner = r.learner AND card_pk = r.card_pk;
        UPDATE report_week SET
            answers = answers - 1, reviews = reviews + d_rev,
            passed = passed + CASE WHEN r.grade >= 3 THEN d_rev ELSE 0 END
        WHERE learner = r.learner AND week = {WEEK_SQL.replace("day", "r.day")}
            AND deck_id = card_deck AND kind = card_kind;
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS srs_report_totals ON review_log;
CREATE TRIGGER srs_report_totals AFTER INSERT OR DELETE ON review_log
    FOR EACH ROW EXECUTE FUNCTION srs_report_totals();
"""


def installed(conn: Connection) -> bool:
    """True when this server database keeps the report's totals."""
    return conn.execute(text("SELECT to_regclass('report_week') IS NOT NULL")).scalar_one() is True


def install(conn: Connection) -> None:
    """Create the totals tables, filled from the log so far, and the trigger that keeps them
    (on PostgreSQL only; a no-op when they are there). Run inside the schema's transaction.

    The log is read past its row-level security for the filling (`NO FORCE` for this
    transaction only: the table's owner runs upgrades), and a class already set up gets the
    same grants and policies on the new tables as on `review_log`.
    """
    if conn.dialect.name != "postgresql" or installed(conn):
        return
    forced = conn.execute(
        text("SELECT relforcerowsecurity FROM pg_class WHERE oid = 'review_log'::regclass")
    ).scalar_one()
    raw = conn.connection.driver_connection
    assert raw is not None
    cursor = raw.cursor()
    cursor.execute(_TABLES)
    if forced:
        cursor.execute("ALTER TABLE review_log NO FORCE ROW LEVEL SECURITY")
    cursor.execute(BACKFILL_SQL)
    if forced:
        cursor.execute("ALTER TABLE review_log FORCE ROW LEVEL SECURITY")
    cursor.execute(_FUNCTION)
    from srs.store.classroom import protect_totals  # classroom imports the engine, which imports us

    protect_totals(conn)
