"""Settings from READER_* variables and flags, each checked before anything starts: which database READER_DB
and --db name (a SQLite path or a postgresql:// URL), proxies, timeouts, the time zone."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.db import describe_target, url_identity
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
        ("postgresql://db.example:port/site", "a port in the URL is not a number"),
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


# ---------------------------------------------------------------- malformed database URLs

# A password that no message may repeat.
SECRET = "Zq9secret"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        # urllib's ValueError ("Invalid IPv6 URL", a bracketed host that is no address) was a traceback.
        (f"postgresql://u:{SECRET}@[::1/x", "the URL's host is malformed"),
        (f"postgresql://u:{SECRET}@[abc]:5432/x", "the URL's host is malformed"),
        # A port out of range was asyncpg's OverflowError from connect(), after the settings were taken.
        (f"postgresql://u:{SECRET}@[::1]:99999/x", "a port in the URL is not a number from 1 to 65535"),
        (f"postgresql://u:{SECRET}@127.0.0.1:70000/x", "a port in the URL is not a number from 1 to 65535"),
        (f"postgresql://u:{SECRET}@db:0/x", "a port in the URL is not a number from 1 to 65535"),
        (f"postgresql://u:{SECRET}@db/x?port=5432,65536", "a port in the URL is not a number from 1 to 65535"),
        (f"postgresql://u:{SECRET}@db/x?host=[::1]:99999", "a port in the URL is not a number from 1 to 65535"),
        # asyncpg's IndexError (an empty host), its strict query parsing's ValueError, the idna codec's
        # UnicodeError for a host name the resolver could not be asked for, a NUL.
        (f"postgresql://u:{SECRET}@db1,/x", "an empty host in its list of hosts"),
        (f"postgresql://u:{SECRET}@db/x?host=db1,", "an empty host in its list of hosts"),
        (f"postgresql://u:{SECRET}@db/x?sslmode=require&", "the URL's query is not name=value pairs"),
        (f"postgresql://u:{SECRET}@a..b/x", "a host in the URL is not a host name or an IP address"),
        (f"postgresql://u:{SECRET}@{'a' * 64}.example/x", "a host in the URL is not a host name"),
        (f"postgresql://u:{SECRET}@db/x?host=::1", "a host in the URL is not a host name"),
        (f"postgresql://u:{SECRET}@db%00/x", "the URL holds a NUL character"),
        # Read two ways (asyncpg: the first @, urllib: the last): an @ belongs in the password as %40.
        (f"postgresql://u:{SECRET}@x@db/x", "more than one @"),
        (f"postgresql://u:{SECRET}@db/x?target_session_attrs=master", "target_session_attrs must be one of any,"),
        (f"postgresql://u:{SECRET}@db/x?sslnegotiation=tls", "sslnegotiation must be one of postgres, direct"),
    ],
)
def test_a_malformed_database_url_is_one_clean_error(url: str, message: str) -> None:
    for name, call in (
        ("READER_DB", lambda: Settings.from_env({"READER_DB": url})),
        ("--db", lambda: Settings.from_env({}, db=url)),
    ):
        with pytest.raises(SettingsError) as info:
            call()
        assert str(info.value).startswith(f"{name}: ") and message in str(info.value)
        assert SECRET not in str(info.value)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PGPORT": "70000"}, "PGPORT (read for READER_DB): a port in it is not a number from 1 to 65535"),
        ({"PGPORT": "5432,x"}, "PGPORT (read for READER_DB): a port in it is not a number"),
        ({"PGHOST": "db1,"}, "PGHOST (read for READER_DB): it has an empty host"),
        ({"PGSSLMODE": "parse"}, "PGSSLMODE (read for READER_DB) must be one of disable,"),
    ],
)
def test_the_libpq_variables_asyncpg_reads_are_checked_too(environ: dict[str, str], message: str) -> None:
    """asyncpg fills what a URL leaves out from PGHOST, PGPORT and PGSSLMODE; a bad one was a traceback."""
    with pytest.raises(SettingsError, match=re.escape(message)):
        Settings.from_env({**environ, "READER_DB": "postgresql://reader@/site"})
    # Not read for a SQLite file, nor (PGHOST, PGSSLMODE) when the URL says it itself.
    assert Settings.from_env({**environ, "READER_DB": "site.db"}).database == Path("site.db")
    if "PGPORT" not in environ:
        given = "postgresql://reader@db/site?sslmode=require"
        assert Settings.from_env({**environ, "READER_DB": given}).database == given


# URLs made of the pieces that broke urllib, asyncpg or the resolver, in any order and number.
_URL_PIECES = st.sampled_from(
    [
        "u",
        "u:pw",
        f"u:{SECRET}",
        "%00",
        "ü",
        "ℌ",
        "@",
        ":",
        ",",
        "/",
        "?",
        "&",
        "=",
        "#",
        "[",
        "]",
        "%",
        "[::1]",
        "[::1",
        "::1]",
        "[abc]",
        "[v1.x]",
        "127.0.0.1",
        "db.example",
        "a..b",
        "a" * 64,
        "%2Frun%2Fpg",
        ":5432",
        ":0",
        ":65535",
        ":65536",
        ":99999",
        ":x",
        ":%31",
        ":٣",
        ":1:2",
        "/site",
        "/d%00",
        "?sslmode=require",
        "?sslmode=verify-full",
        "?sslmode=parse",
        "?port=70000",
        "?port=1,2,3",
        "?host=h1,",
        "?host=/run/postgresql",
        "?host=[::1]:99999",
        "?host=::1",
        "?a",
        "&b=",
        "?target_session_attrs=x",
        "?sslnegotiation=x",
        "?gsslib=x",
        "?passfile=/nonexistent",
        " ",
        "\t",
        "\n",
    ]  # fmt: skip
)
_URLS = st.builds(
    lambda scheme, pieces: scheme + "".join(pieces),
    st.sampled_from(["postgresql://", "postgres://", "POSTGRESQL://"]),
    st.lists(st.one_of(_URL_PIECES, st.text(max_size=4)), max_size=8),
)


@settings(max_examples=400)
@given(url=_URLS, environ=st.fixed_dictionaries({}, optional={"PGPORT": st.sampled_from(["5432", "70000", "x"])}))
def test_any_url_is_taken_or_refused_cleanly_and_asyncpg_can_read_what_is_taken(
    url: str, environ: dict[str, str]
) -> None:
    """Nothing but a SettingsError (which never repeats the password) or a URL that asyncpg's own parser
    reads without anything but its ClientConfigurationError, into addresses the resolver and connect() take."""
    try:
        target = Settings.from_env(environ, db=url).database
    except SettingsError as exc:
        assert SECRET not in str(exc) and "\n" not in str(exc)
        return
    assert isinstance(target, str)
    assert SECRET not in describe_target(target)
    url_identity(target)
    others = {name: value for name, value in os.environ.items() if not name.startswith("PG")}
    with mock.patch.dict(os.environ, {**others, **environ}, clear=True):
        try:
            addresses = _asyncpg_addresses(target)
        except asyncpg.InterfaceError:  # ClientConfigurationError: one line when connecting (test_cli.py)
            return
    for address in addresses:
        if isinstance(address, tuple):
            host, port = address
            assert 1 <= port <= 65535 and "\x00" not in host
            host.encode("idna")
        else:
            assert "\x00" not in address


def _asyncpg_addresses(url: str) -> list[tuple[str, int] | str]:
    """The (host, port) pairs and socket paths asyncpg would connect to for `url`, by its own parser (private:
    this test is the one place that reads it)."""
    from asyncpg import connect_utils

    addresses, _ = connect_utils._parse_connect_dsn_and_args(  # noqa: SLF001
        dsn=url, host=None, port=None, user=None, password=None, passfile=None, database=None, ssl=None,
        service=None, servicefile=None, direct_tls=None, server_settings=None, target_session_attrs=None,
        krbsrvname=None, gsslib=None,
    )  # fmt: skip
    return list(addresses)


def test_origins_are_written_as_browsers_send_them() -> None:
    # A browser leaves the scheme's default port out of Origin and writes the host in lower-case ASCII: an
    # allowlisted https://news.example:443 must match what it sends.
    settings = Settings.from_env(
        {
            "READER_EMBED_ORIGINS": "HTTPS://News.Example:443, http://blog.example:80/, http://b.example:8080,"
            " https://bücher.example, https://[::1]:443"
        }
    )
    assert settings.embed_origins == (
        "https://news.example",
        "http://blog.example",
        "http://b.example:8080",
        "https://xn--bcher-kva.example",
        "https://[::1]",
    )
    # A default port belongs to its own scheme only.
    assert Settings.from_env({"READER_EMBED_ORIGINS": "http://a.example:443"}).embed_origins == (
        "http://a.example:443",
    )
    framing = Settings.from_env({"READER_FRAME_ANCESTORS": "https://*.news.example:443,'self'"}).frame_ancestors
    assert framing == ("'self'", "https://*.news.example")


def test_a_unicode_host_is_written_as_browsers_send_it_by_uts_46() -> None:
    # Browsers write a Unicode host by UTS #46 (IDNA 2008, nontransitional): faß.example is xn--fa-hia.example.
    # Python's idna codec (IDNA 2003) made it fass.example, which no browser sends, so the origin never matched.
    settings = Settings.from_env(
        {
            "READER_EMBED_ORIGINS": "https://faß.example, https://FAß.Example:443, https://bàohànội.vn:8443,"
            # The same Vietnamese name with its marks decomposed (NFD), as some keyboards type it.
            " https://ba\u0300oha\u0300no\u0323\u0302i.vn",
            "READER_FRAME_ANCESTORS": "https://*.faß.example",
            "READER_PUBLIC_URL": "https://đọc.bàohànội.vn",
        }
    )
    assert settings.embed_origins == (
        "https://xn--fa-hia.example",
        "https://xn--fa-hia.example",
        "https://xn--bohni-rqac9942d.vn:8443",
        "https://xn--bohni-rqac9942d.vn",
    )
    assert settings.frame_ancestors == ("https://*.xn--fa-hia.example",)
    assert settings.public_url == "https://xn--c-kia059t.xn--bohni-rqac9942d.vn"


def test_the_public_url_is_written_as_browsers_send_it() -> None:
    for raw in ("https://reader.example:443", "HTTPS://Reader.Example/", " https://reader.example "):
        assert Settings.from_env({"READER_PUBLIC_URL": raw}).public_url == "https://reader.example", raw
    assert Settings.from_env({"READER_PUBLIC_URL": "http://reader.example:80"}).public_url == "http://reader.example"
    assert Settings.from_env({"READER_EMBED_ORIGINS": "https://a.example:080"}).embed_origins == (
        "https://a.example:80",
    )
    assert Settings.from_env({"READER_PUBLIC_URL": "http://x.example:8080"}).public_url == "http://x.example:8080"


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        (
            "READER_EMBED_ORIGINS",
            "https://news.example:99999",
            "the port in 'https://news.example:99999' is not a number from 1 to 65535",
        ),
        ("READER_EMBED_ORIGINS", "https://news.example:0", "is not a number from 1 to 65535"),
        ("READER_FRAME_ANCESTORS", "https://*.news.example:70000", "is not a number from 1 to 65535"),
        ("READER_PUBLIC_URL", "https://reader.example:0", "is not a number from 1 to 65535"),
        ("READER_PUBLIC_URL", "https://reader.example:65536", "is not a number from 1 to 65535"),
        # reader is served at the root of its host (docs/deployment.md): a path would lead every link astray.
        ("READER_PUBLIC_URL", "https://reader.example/news", "has a path (/news); reader must be served at the root"),
        ("READER_PUBLIC_URL", "https://reader.example/news/", "has a path (/news/)"),
        ("READER_PUBLIC_URL", "https://reader.example/?a=1", "no user name, query or fragment"),
        ("READER_PUBLIC_URL", "https://reader.example#top", "no user name, query or fragment"),
        ("READER_PUBLIC_URL", "https://reader.example?", "no user name, query or fragment"),
        ("READER_PUBLIC_URL", "https://me:pw@reader.example", "no user name, query or fragment"),
        ("READER_PUBLIC_URL", "ftp://reader.example", "is not an http(s) address"),
        ("READER_PUBLIC_URL", "https://[::1", "is not an http(s) address"),
    ],
)
def test_an_address_reader_cannot_match_is_refused(name: str, raw: str, message: str) -> None:
    with pytest.raises(SettingsError, match=re.escape(message)) as refused:
        Settings.from_env({name: raw})
    assert str(refused.value).startswith(f"{name}: ")
    assert "pw" not in str(refused.value)  # a password given with a user name is not repeated


@pytest.mark.parametrize(
    ("name", "message"),
    [
        # Read as unset, an empty READER_DB served ./reader.db: under systemd (working directory /) a new demo
        # site in /reader.db.
        ("READER_DB", "READER_DB: the path is empty"),
        ("READER_TRUST_PROXY", "READER_TRUST_PROXY must be true or false, not '"),
        ("READER_SEED_DEMO", "READER_SEED_DEMO must be true or false, not '"),
        ("READER_PUBLIC_URL", "READER_PUBLIC_URL is empty"),
    ],
)
def test_an_empty_value_is_refused_not_read_as_unset(name: str, message: str) -> None:
    for raw in ("", "  "):
        with pytest.raises(SettingsError, match=re.escape(message)):
            Settings.from_env({name: raw})


def test_an_empty_list_of_embedders_means_none() -> None:
    # The one documented exception (README: "Configuration"): nothing to embed is a meaningful choice.
    settings = Settings.from_env({"READER_EMBED_ORIGINS": "", "READER_FRAME_ANCESTORS": ""})
    assert settings.embed_origins == () and settings.frame_ancestors == ()


@pytest.mark.parametrize(
    ("name", "flag", "value", "field", "expected"),
    [
        ("READER_DB", "db", "given.db", "db_path", Path("given.db")),
        ("READER_WORKERS", "workers", 2, "workers", 2),
        ("READER_ACCESS_LOG", "access_log", "off", "access_log", "off"),
        ("READER_ACCESS_LOG_FORMAT", "access_log_format", "json", "access_log_format", "json"),
    ],
)
def test_a_flag_given_replaces_its_variable_unread(
    name: str, flag: str, value: object, field: str, expected: object
) -> None:
    # `READER_DB=` left in a unit file refused `reader serve --db site.db` ("READER_DB: the path is empty").
    for left in ("", "  ", "not a value"):
        settings = Settings.from_env({name: left}, **{flag: value})
        assert getattr(settings, field) == expected
    with pytest.raises(SettingsError, match=re.escape(name)):
        Settings.from_env({name: ""})
