"""Which database READER_DB and --db name: a SQLite path or a postgresql:// URL, checked before connecting."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.settings import Settings, SettingsError


def test_a_path_is_a_sqlite_file() -> None:
    settings = Settings.from_env({"READER_DB": "/var/lib/reader/site.db"})
    assert settings.database == Path("/var/lib/reader/site.db") and settings.db_url is None


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_url_is_postgresql(scheme: str) -> None:
    url = f"{scheme}://reader:pw@db.example:6543/site?sslmode=verify-full"
    assert Settings.from_env({"READER_DB": url}).database == url


def test_the_flag_wins_over_the_environment_either_way() -> None:
    url = "postgresql://db.example/site"
    assert Settings.from_env({"READER_DB": "a.db"}, db=url).database == url
    from_flag = Settings.from_env({"READER_DB": url}, db="b.db")
    assert from_flag.database == Path("b.db") and from_flag.db_url is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("mysql://db.example/site", "mysql:// is not a database reader knows"),
        ("postgresql://db.example:port/site", "the port in the URL is not a number"),
        ("postgresql://db.example/site?sslmode=maybe", "sslmode must be one of disable, allow, prefer"),
    ],
)
def test_a_database_reader_cannot_use_is_named(raw: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"READER_DB": raw})
