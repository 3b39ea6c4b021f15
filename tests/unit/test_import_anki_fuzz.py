"""A fuzz test (issue 28): Anki collections built with random tables, column types and values are
imported (with progress) or refused in one line; never an internal error."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import run_srs, srs_env

NOW = "2026-03-02T10:00:00+00:00"

COLUMNS = {
    "col": ["ver", "crt", "models", "decks"],
    "notes": ["id", "mid", "guid", "tags", "flds"],
    "cards": ["id", "nid", "did", "ord", "type", "queue", "due", "ivl", "factor", "reps",
              "lapses", "odid", "odue"],
    "revlog": ["id", "cid", "ease", "ivl", "factor", "type"],
    "notetypes": ["id", "name", "config"],
    "fields": ["ntid", "ord", "name"],
    "templates": ["ntid", "ord", "name"],
    "decks": ["id", "name"],
}  # fmt: skip

VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, 1, 2, 3, 7, 11, 18, 1700000000, 2500, 1772000000000]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(['{"7": {"type": 1, "flds": [{"ord": "x"}]}}', "{{c1::a}}\x1fb", "[[[", "{}"]),
    st.binary(max_size=12),
)


@st.composite
def collections(draw: st.DrawFn) -> dict[str, list[tuple[object, ...]]]:
    tables = draw(st.sets(st.sampled_from(sorted(COLUMNS)), min_size=1))
    return {t: draw(st.lists(st.tuples(*[VALUES] * len(COLUMNS[t])), max_size=4)) for t in tables}


# SRS_FUZZ_EXAMPLES=5000 for a deeper run than the suite's
@settings(
    max_examples=int(os.environ.get("SRS_FUZZ_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(collections())
def test_random_collections_are_imported_or_refused_in_one_line(
    tables: dict[str, list[tuple[object, ...]]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        col = tmp / "c.anki21"
        with sqlite3.connect(col) as conn:
            for table, rows in tables.items():
                names = COLUMNS[table]
                conn.execute(f"CREATE TABLE {table} ({', '.join(names)})")
                marks = ", ".join("?" * len(names))
                conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        conn.close()
        apkg = tmp / "f.apkg"
        with zipfile.ZipFile(apkg, "w") as zf:
            zf.write(col, "collection.anki21")
        done = run_srs(
            ["import", "anki", str(apkg), "-o", str(tmp / "f.toml"), "--with-progress"],
            srs_env(tmp / "srs.db", NOW),
        )
        assert done.returncode in (0, 1), done.stderr
        if done.returncode == 1:
            assert done.stderr.count("\n") == 1 and "internal error" not in done.stderr
