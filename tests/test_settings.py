"""Settings from READER_* variables and flags, each checked before anything starts: which database READER_DB
and --db name (a SQLite path or a postgresql:// URL), proxies, timeouts, the time zone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

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


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://reader@db1.example:5432,db2.example:5433/site",
        "postgresql://reader@[2001:db8::1]:5432,db2.example/site",
        "postgresql://reader@/site?host=/run/postgresql&port=5432",
    ],
)
def test_urls_asyncpg_takes_are_taken(url: str) -> None:
    """Several hosts (tried in turn; tests/test_db.py connects through one), or a unix socket directory."""
    assert Settings.from_env({"READER_DB": url}).database == url


@pytest.mark.parametrize(
    "url", ["postgresql://reader@db1:5432,db2:x/site", "postgresql://reader@db/site?port=54x", "postgresql://a@h:1:2/d"]
)
def test_a_bad_port_in_any_host_is_named(url: str) -> None:
    with pytest.raises(SettingsError, match="READER_DB: .*(port|host)"):
        Settings.from_env({"READER_DB": url})


def test_trusted_proxies_are_addresses_or_networks() -> None:
    assert Settings().trusted_proxies == ("127.0.0.1/32", "::1/128")
    settings = Settings.from_env(
        {"READER_TRUST_PROXY": "true", "READER_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7,fd00::/8"}
    )
    assert settings.trusted_proxies == ("10.0.0.0/8", "192.0.2.7/32", "fd00::/8")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("*", "would let any client say what its address is"),
        ("lb.internal", "not an address or network"),
        (" ,", "at least one"),
    ],
)
def test_trusting_every_address_or_a_name_is_refused(raw: str, message: str) -> None:
    with pytest.raises(SettingsError, match=f"READER_TRUSTED_PROXIES: .*{message}"):
        Settings.from_env({"READER_TRUSTED_PROXIES": raw})


def test_the_head_timeout_is_seconds() -> None:
    assert Settings().head_timeout == 30.0
    assert Settings.from_env({"READER_HEAD_TIMEOUT": "2.5"}).head_timeout == 2.5


def test_the_body_timeout_is_seconds() -> None:
    assert Settings().body_timeout == 30.0
    assert Settings.from_env({"READER_BODY_TIMEOUT": "2.5"}).body_timeout == 2.5


@pytest.mark.parametrize("raw", ["0", "0.1", "-1", "nan", "inf", "soon", ""])
@pytest.mark.parametrize("name", ["READER_HEAD_TIMEOUT", "READER_BODY_TIMEOUT"])
def test_a_timeout_too_short_or_no_time_is_named(name: str, raw: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: raw})


def test_the_time_zone_is_one_the_system_knows() -> None:
    assert Settings().time_zone == "UTC" and Settings().zone is dt.UTC
    zoned = Settings.from_env({"READER_TIME_ZONE": " Asia/Ho_Chi_Minh "})
    assert zoned.time_zone == "Asia/Ho_Chi_Minh" and zoned.zone == ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize("raw", ["", "Asia", "asia/ho_chi_minh", "../../etc/passwd", "+07:00", "zone.tab", "x\x00"])
def test_a_time_zone_the_system_does_not_know_is_named(raw: str) -> None:
    with pytest.raises(SettingsError, match="READER_TIME_ZONE must be a time zone such as Asia/Ho_Chi_Minh"):
        Settings.from_env({"READER_TIME_ZONE": raw})
