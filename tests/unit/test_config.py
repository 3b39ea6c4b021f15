"""`srs.config.resolve`: where the database is, what time it is, and the daily options.

Every test passes its own `env` mapping, so nothing here reads or changes `os.environ`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from srs import config
from srs.core.errors import ConfigError, SrsError

PARIS = {"SRS_TZ": "Europe/Paris"}


# ---- the database: --db > SRS_DATABASE_URL > SRS_DB > default -----------------------------


def test_db_option_wins_over_every_environment_variable(tmp_path: Path) -> None:
    chosen = tmp_path / "chosen.db"
    env = {
        **PARIS,
        "SRS_DATABASE_URL": "postgresql://u:secret@db.example/srs",
        "SRS_DB": str(tmp_path / "env.db"),
    }
    settings = config.resolve(db=chosen, env=env)
    assert settings.db_url == f"sqlite:///{chosen}"
    assert settings.db_path == chosen
    assert settings.db_label == str(chosen)


def test_database_url_wins_over_srs_db(tmp_path: Path) -> None:
    env = {
        **PARIS,
        "SRS_DATABASE_URL": "postgresql://u:secret@db.example/srs",
        "SRS_DB": str(tmp_path / "env.db"),
    }
    settings = config.resolve(env=env)
    assert settings.db_url == "postgresql://u:secret@db.example/srs"
    assert settings.db_path is None


def test_a_server_url_is_named_without_its_password() -> None:
    env = {**PARIS, "SRS_DATABASE_URL": "postgresql://u:secret@db.example/srs"}
    label = config.resolve(env=env).db_label
    assert "secret" not in label
    assert label == "postgresql://u:***@db.example/srs"


def test_a_password_in_the_query_string_is_masked_too() -> None:
    url = "postgresql://u@db.example/srs?password=adminpw&sslmode=require"
    label = config.resolve(env={**PARIS, "SRS_DATABASE_URL": url}).db_label
    assert "adminpw" not in label
    assert label == "postgresql://u@db.example/srs?password=***&sslmode=require"


def test_a_sqlite_database_url_gives_its_file_path(tmp_path: Path) -> None:
    path = tmp_path / "url.db"
    settings = config.resolve(env={**PARIS, "SRS_DATABASE_URL": f"sqlite:///{path}"})
    assert settings.db_url == f"sqlite:///{path}"
    assert settings.db_path == path
    assert settings.db_label == str(path)


def test_srs_db_wins_over_the_default(tmp_path: Path) -> None:
    path = tmp_path / "env.db"
    settings = config.resolve(env={**PARIS, "SRS_DB": str(path)})
    assert settings.db_url == f"sqlite:///{path}"
    assert settings.db_path == path


def test_srs_db_expands_a_home_directory() -> None:
    settings = config.resolve(env={**PARIS, "SRS_DB": "~/cards/srs.db"})
    assert settings.db_path == Path("~/cards/srs.db").expanduser()
    assert "~" not in settings.db_url


def test_db_option_expands_a_home_directory() -> None:
    settings = config.resolve(db=Path("~/x.db"), env=PARIS)
    assert settings.db_path == Path("~/x.db").expanduser()


def test_empty_variables_fall_through_to_the_next_source(tmp_path: Path) -> None:
    path = tmp_path / "env.db"
    settings = config.resolve(env={**PARIS, "SRS_DATABASE_URL": "", "SRS_DB": str(path)})
    assert settings.db_path == path
    settings = config.resolve(env={**PARIS, "SRS_DATABASE_URL": "", "SRS_DB": ""})
    assert settings.db_path == config.default_db_path()


def test_without_any_setting_the_database_is_srs_db_in_the_user_data_folder() -> None:
    settings = config.resolve(env=PARIS)
    assert settings.db_path == config.default_db_path()
    assert settings.db_path.name == "srs.db"
    assert settings.db_path.parent.name == "srs"
    assert settings.db_url == f"sqlite:///{settings.db_path}"


# ---- the clock: SRS_NOW and SRS_TZ ---------------------------------------------------------


def test_a_naive_srs_now_is_read_in_srs_tz() -> None:
    settings = config.resolve(env={**PARIS, "SRS_NOW": "2026-11-22T09:00"})
    assert settings.now == datetime(2026, 11, 22, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert settings.now.utcoffset() == timedelta(hours=1)  # CET in November
    assert settings.fixed_now


def test_an_srs_now_with_an_offset_keeps_its_offset() -> None:
    settings = config.resolve(env={**PARIS, "SRS_NOW": "2026-11-22T09:00+05:30"})
    assert settings.now == datetime(2026, 11, 22, 3, 30, tzinfo=UTC)
    assert settings.now.utcoffset() == timedelta(hours=5, minutes=30)


def test_a_fixed_now_stamps_every_answer() -> None:
    settings = config.resolve(env={**PARIS, "SRS_NOW": "2026-11-22T09:00"})
    assert settings.clock() == settings.now
    assert settings.clock() == settings.clock()


def test_without_srs_now_the_clock_is_the_real_one_and_aware() -> None:
    before = datetime.now(UTC)
    settings = config.resolve(env=PARIS)
    after = datetime.now(UTC)
    assert not settings.fixed_now
    assert settings.now.tzinfo is not None
    assert before <= settings.now <= after
    assert before <= settings.clock()
    assert settings.clock().tzinfo is not None


@pytest.mark.parametrize("raw", ["tomorrow", "2026-13-01T09:00", "22/11/2026", "2026-11-22T25:00"])
def test_an_unreadable_srs_now_is_a_config_error_naming_the_variable(raw: str) -> None:
    with pytest.raises(ConfigError, match="SRS_NOW") as info:
        config.resolve(env={**PARIS, "SRS_NOW": raw})
    assert raw in str(info.value)
    assert isinstance(info.value, SrsError)  # the CLI turns it into one line, exit code 1


def test_srs_tz_sets_the_zone() -> None:
    settings = config.resolve(env={"SRS_TZ": "Asia/Tokyo", "SRS_NOW": "2026-11-22T09:00"})
    assert settings.tz == ZoneInfo("Asia/Tokyo")
    assert settings.now.utcoffset() == timedelta(hours=9)


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "Europe/Pariss", "../../etc/passwd", "/abs"])
def test_an_unknown_srs_tz_is_a_config_error_naming_it(name: str) -> None:
    with pytest.raises(ConfigError, match="SRS_TZ") as info:
        config.resolve(env={"SRS_TZ": name})
    assert repr(name) in str(info.value)


def test_without_srs_tz_the_machines_zone_is_used() -> None:
    settings = config.resolve(env={})
    machine = datetime.now().astimezone()
    assert settings.tz.utcoffset(machine) == machine.utcoffset()
    assert settings.now.utcoffset() == machine.utcoffset()


def test_a_naive_srs_now_without_srs_tz_is_read_in_the_machines_zone() -> None:
    settings = config.resolve(env={"SRS_NOW": "2026-11-22T09:00"})
    assert settings.now.replace(tzinfo=None) == datetime(2026, 11, 22, 9, 0)
    assert settings.now.tzinfo is settings.tz


# ---- SRS_NEW_PER_DAY and SRS_ROLLOVER_HOUR -------------------------------------------------


def test_the_defaults_are_20_new_cards_and_a_4am_rollover() -> None:
    settings = config.resolve(env=PARIS)
    assert settings.new_per_day == 20
    assert settings.rollover_hour == 4
    assert settings.learner is None  # the store's own default learner on SQLite


def test_a_learner_name_too_long_for_the_store_is_refused_up_front() -> None:
    with pytest.raises(ConfigError, match="at most 100"):
        config.resolve(env={**PARIS, "SRS_LEARNER": "x" * 101})


@pytest.mark.parametrize("raw, value", [("0", 0), ("7", 7), ("100000", 100_000), ("", 20)])
def test_srs_new_per_day_accepts_whole_numbers_from_0(raw: str, value: int) -> None:
    assert config.resolve(env={**PARIS, "SRS_NEW_PER_DAY": raw}).new_per_day == value


@pytest.mark.parametrize("raw", ["-1", "100001", "ten", "2.5", "1e3"])
def test_srs_new_per_day_refuses_other_values(raw: str) -> None:
    with pytest.raises(ConfigError, match="SRS_NEW_PER_DAY") as info:
        config.resolve(env={**PARIS, "SRS_NEW_PER_DAY": raw})
    assert repr(raw) in str(info.value)


def test_the_new_per_day_option_wins_over_the_environment() -> None:
    # the option is used as given: a broken variable is not even read
    settings = config.resolve(new_per_day=5, env={**PARIS, "SRS_NEW_PER_DAY": "ten"})
    assert settings.new_per_day == 5
    assert config.resolve(new_per_day=0, env=PARIS).new_per_day == 0


def test_a_negative_new_per_day_option_is_refused() -> None:
    with pytest.raises(ConfigError, match="--new-per-day"):
        config.resolve(new_per_day=-1, env=PARIS)


@pytest.mark.parametrize("raw, value", [("0", 0), ("4", 4), ("23", 23), ("", 4)])
def test_srs_rollover_hour_accepts_0_to_23(raw: str, value: int) -> None:
    assert config.resolve(env={**PARIS, "SRS_ROLLOVER_HOUR": raw}).rollover_hour == value


@pytest.mark.parametrize("raw", ["24", "-1", "4am", "4.5"])
def test_srs_rollover_hour_refuses_other_values(raw: str) -> None:
    with pytest.raises(ConfigError, match="SRS_ROLLOVER_HOUR") as info:
        config.resolve(env={**PARIS, "SRS_ROLLOVER_HOUR": raw})
    assert repr(raw) in str(info.value)


def test_srs_learner_names_the_learner() -> None:
    assert config.resolve(env={**PARIS, "SRS_LEARNER": "ada"}).learner == "ada"


_LOCAL_OFFSETS = """
from srs import config
for raw in ("2026-07-01T09:00", "2026-01-15T09:00"):
    print(config.resolve(env={"SRS_NOW": raw}).now.utcoffset())
"""


def test_without_srs_tz_a_naive_srs_now_gets_the_machines_offset_for_that_date() -> None:
    # The machine's zone is set for a child process only (TZ=Europe/Paris); this process and its
    # os.environ are left alone. Paris is UTC+2 on 07-01 and UTC+1 on 01-15.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SRS_")}
    env["TZ"] = "Europe/Paris"
    out = subprocess.run(
        [sys.executable, "-c", _LOCAL_OFFSETS],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.split()
    assert out == ["2:00:00", "1:00:00"]


def test_leech_settings_default_to_8_lapses_flagged_only() -> None:
    settings = config.resolve(env=PARIS)
    assert (settings.leech_lapses, settings.leech_suspend) == (8, False)
    chosen = config.resolve(env={**PARIS, "SRS_LEECH_LAPSES": "5", "SRS_LEECH_SUSPEND": "1"})
    assert (chosen.leech_lapses, chosen.leech_suspend) == (5, True)


@pytest.mark.parametrize(
    ("name", "value"),
    [("SRS_LEECH_LAPSES", "0"), ("SRS_LEECH_LAPSES", "many"), ("SRS_LEECH_SUSPEND", "yes")],
)
def test_a_bad_leech_setting_is_refused_in_one_line(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        config.resolve(env={**PARIS, name: value})
