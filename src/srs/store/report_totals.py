"""The class report's running totals, kept on a PostgreSQL server by a trigger on `review_log`.

`srs class report` over a whole class would otherwise aggregate every answer ever given (a million
rows take seconds). The server keeps two small tables up to date as answers are saved and undone:

- `report_card`: per learner and card, the answers, scheduled reviews, lapses, reviews after the
  second (`late`) and those failed, and the last day answered;
- `report_week`: per learner, week (Monday to Sunday, numbered from 2000-01-03), deck and kind,
  the answers, scheduled reviews and those passed. The kind is the card's kind when it was
  answered.

The trigger runs as the class's owner (`SECURITY DEFINER`, with `search_path` pinned to
`pg_catalog, srs`, so nothing a learner could create is ever called): it alone writes both tables.
A learner may only read their own totals (row-level security), an instructor everyone's, and
`srs_repair_totals()`, which only instructors may call, rebuilds them from the log. SQLite
collections have no such tables: the report reads their log directly (a collection on one machine
is small).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, Integer, MetaData, String, Table, text
from sqlalchemy.engine import Connection

from srs.core.grades import PASS_MARK
from srs.core.model import MAX_ID_LENGTH, MAX_LEARNER_LENGTH
from srs.store.schema import DAY_CHECK, GRADE_CHECK, KIND_CHECK, REPS_CHECK

TOTALS_TABLES = ("report_card", "report_week")
LATE_REPS = 3
"""`prev_reps` of a scheduled review after the second: the first answer and two reviews before it
(what "still failing after the second review" counts, docs/class.md)."""

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
CREATE TABLE srs.report_card (
    learner VARCHAR({MAX_LEARNER_LENGTH}) NOT NULL,
    card_pk INTEGER NOT NULL REFERENCES srs.cards (pk) ON DELETE CASCADE,
    answers INTEGER NOT NULL, reviews INTEGER NOT NULL, lapses INTEGER NOT NULL,
    late INTEGER NOT NULL, late_failed INTEGER NOT NULL, last_day DATE,
    PRIMARY KEY (learner, card_pk)
);
CREATE TABLE srs.report_week (
    learner VARCHAR({MAX_LEARNER_LENGTH}) NOT NULL, week INTEGER NOT NULL,
    deck_id VARCHAR({MAX_ID_LENGTH}) NOT NULL REFERENCES srs.decks (id) ON DELETE CASCADE,
    kind VARCHAR(20) NOT NULL,
    answers INTEGER NOT NULL, reviews INTEGER NOT NULL, passed INTEGER NOT NULL,
    PRIMARY KEY (learner, week, deck_id, kind)
);
"""

# Log rows any writer could have put there before the log's CHECK constraints (version 10): they
# are left out of the totals, and named by `bad_rows`.
GOOD_ROW = f"({GRADE_CHECK}) AND ({KIND_CHECK}) AND ({DAY_CHECK}) AND ({REPS_CHECK})"

# The totals of the whole log (also used by benchmarks/class_bench.py after a bulk COPY).
BACKFILL_SQL = f"""
INSERT INTO srs.report_card
SELECT learner, card_pk, count(*),
    count(*) FILTER (WHERE review_kind = 'review'),
    count(*) FILTER (WHERE review_kind = 'review' AND grade < {PASS_MARK}),
    count(*) FILTER (WHERE review_kind = 'review' AND prev_reps >= {LATE_REPS}),
    count(*) FILTER (
        WHERE review_kind = 'review' AND prev_reps >= {LATE_REPS} AND grade < {PASS_MARK}),
    max(day)
FROM srs.review_log WHERE {GOOD_ROW} GROUP BY learner, card_pk;
INSERT INTO srs.report_week
SELECT l.learner, {WEEK_SQL.replace("day", "l.day")}, c.deck_id, c.kind, count(*),
    count(*) FILTER (WHERE l.review_kind = 'review'),
    count(*) FILTER (WHERE l.review_kind = 'review' AND l.grade >= {PASS_MARK})
FROM srs.review_log l JOIN srs.cards c ON c.pk = l.card_pk
WHERE {GOOD_ROW.replace("grade", "l.grade").replace("day", "l.day").replace("prev_", "l.prev_")}
GROUP BY 1, 2, 3, 4;
"""

# One answer saved (+1) or undone (-1). An undone answer that was the card's latest day takes
# `last_day` back to the latest answer left (the deleted row is no longer visible here).
_FUNCTION = f"""
CREATE OR REPLACE FUNCTION srs.srs_report_totals() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, srs AS $$
DECLARE
    r srs.review_log%ROWTYPE;
    s INTEGER := 1;
    card_kind TEXT;
    card_deck TEXT;
    d_rev INTEGER;
    d_late INTEGER;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; s := -1; ELSE r := NEW; END IF;
    SELECT kind, deck_id INTO card_kind, card_deck FROM srs.cards WHERE pk = r.card_pk;
    IF NOT FOUND THEN RETURN NULL; END IF;
    d_rev := CASE WHEN r.review_kind = 'review' THEN s ELSE 0 END;
    d_late := CASE WHEN r.review_kind = 'review' AND r.prev_reps >= {LATE_REPS} THEN s ELSE 0 END;
    IF s > 0 THEN
        INSERT INTO srs.report_card AS t VALUES (
            r.learner, r.card_pk, 1, d_rev, CASE WHEN r.grade < {PASS_MARK} THEN d_rev ELSE 0 END,
            d_late, CASE WHEN r.grade < {PASS_MARK} THEN d_late ELSE 0 END, r.day)
        ON CONFLICT (learner, card_pk) DO UPDATE SET
            answers = t.answers + 1, reviews = t.reviews + excluded.reviews,
            lapses = t.lapses + excluded.lapses, late = t.late + excluded.late,
            late_failed = t.late_failed + excluded.late_failed,
            last_day = greatest(t.last_day, excluded.last_day);
        INSERT INTO srs.report_week AS t VALUES (
            r.learner, {WEEK_SQL.replace("day", "r.day")}, card_deck, card_kind, 1, d_rev,
            CASE WHEN r.grade >= {PASS_MARK} THEN d_rev ELSE 0 END)
        ON CONFLICT (learner, week, deck_id, kind) DO UPDATE SET
            answers = t.answers + 1, reviews = t.reviews + excluded.reviews,
            passed = t.passed + excluded.passed;
    ELSE
        UPDATE srs.report_card SET
            answers = answers - 1, reviews = reviews + d_rev,
            lapses = lapses + CASE WHEN r.grade < {PASS_MARK} THEN d_rev ELSE 0 END,
            late = late + d_late,
            late_failed = late_failed + CASE WHEN r.grade < {PASS_MARK} THEN d_late ELSE 0 END,
            last_day = CASE WHEN last_day = r.day THEN (
                SELECT max(day) FROM srs.review_log
                WHERE learner = r.learner AND card_pk = r.card_pk) ELSE last_day END
        WHERE learner = r.learner AND card_pk = r.card_pk;
        UPDATE srs.report_week SET
            answers = answers - 1, reviews = reviews + d_rev,
            passed = passed + CASE WHEN r.grade >= {PASS_MARK} THEN d_rev ELSE 0 END
        WHERE learner = r.learner AND week = {WEEK_SQL.replace("day", "r.day")}
            AND deck_id = card_deck AND kind = card_kind;
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION srs.srs_report_totals() FROM PUBLIC;
DROP TRIGGER IF EXISTS srs_report_totals ON srs.review_log;
CREATE TRIGGER srs_report_totals AFTER INSERT OR DELETE ON srs.review_log
    FOR EACH ROW EXECUTE FUNCTION srs.srs_report_totals();
CREATE OR REPLACE FUNCTION srs.srs_repair_totals() RETURNS bigint LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, srs AS $$
BEGIN
    TRUNCATE srs.report_card, srs.report_week;
    {BACKFILL_SQL}
    RETURN (SELECT count(*) FROM srs.review_log WHERE NOT ({GOOD_ROW}));
END
$$;
REVOKE ALL ON FUNCTION srs.srs_repair_totals() FROM PUBLIC;
"""


def installed(conn: Connection) -> bool:
    """True when this server database keeps the report's totals."""
    return (
        conn.execute(text("SELECT to_regclass('srs.report_week') IS NOT NULL")).scalar_one() is True
    )


def install(conn: Connection) -> None:
    """On PostgreSQL: create the totals tables when missing, filled from the log so far, and
    (again, on every schema change) the trigger and its functions. Run inside the schema's
    transaction, by the tables' owner; a no-op on SQLite."""
    if conn.dialect.name != "postgresql":
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    cursor = raw.cursor()
    if not installed(conn):
        cursor.execute(_TABLES)
        cursor.execute(BACKFILL_SQL)
    cursor.execute(_FUNCTION)


def repair(conn: Connection) -> int:
    """Rebuild the totals from the log (an instructor may; the function runs as the owner);
    the number of log rows left out as out of range."""
    return int(conn.execute(text("SELECT srs.srs_repair_totals()")).scalar_one())


def bad_rows(conn: Connection) -> dict[str, int]:
    """Learners whose totals cannot be right: their log holds rows out of range (written before
    the log's checks), or their totals are negative or dated out of range. By learner, how many."""
    unchecked = conn.execute(
        text(
            "SELECT count(*) FROM pg_catalog.pg_constraint WHERE conrelid = "
            "'srs.review_log'::regclass AND contype = 'c' AND NOT convalidated"
        )
    ).scalar_one()
    # a log whose checks hold for every row (made at version 10) needs no scan
    log = f"SELECT learner, count(*) FROM srs.review_log WHERE NOT ({GOOD_ROW}) GROUP BY 1 "
    rows = conn.execute(
        text(
            (f"{log} UNION ALL " if unchecked else "")
            + "SELECT learner, count(*) FROM srs.report_week WHERE answers < 0 "
            "OR reviews < 0 OR passed < 0 OR week NOT BETWEEN -1600 AND 365400 GROUP BY 1 "
            "UNION ALL SELECT learner, count(*) FROM srs.report_card WHERE answers < 0 "
            "OR lapses < 0 OR last_day NOT BETWEEN DATE '1969-12-30' AND DATE '9000-01-01' "
            "GROUP BY 1"
        )
    )
    found: dict[str, int] = {}
    for learner, count in rows:
        found[str(learner)] = found.get(str(learner), 0) + int(count)
    return found
