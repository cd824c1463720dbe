"""Settings: one frozen dataclass, built once from the environment (and CLI flags)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import idna

from reader.paths import STATIC_DIR, TEMPLATES_DIR

UI_LANGUAGES = ("vi", "en")
ACCESS_LOG_FORMATS = ("text", "json")
# --access-log and READER_ACCESS_LOG: these two words, else a file path.
ACCESS_LOG_STDERR = "stderr"
ACCESS_LOG_OFF = "off"

# Every variable Settings.from_env reads, with a few words for `reader --help` (README.md has the table).
ENVIRONMENT = (
    ("READER_DB", "database: a SQLite file path, or a postgresql:// URL"),
    ("READER_DEFAULT_LANG", "UI language when nothing else decides (vi, en)"),
    ("READER_TRUST_PROXY", "trust X-Forwarded-Proto/-For from a reverse proxy"),
    ("READER_TRUSTED_PROXIES", "the proxies' addresses or networks (with READER_TRUST_PROXY)"),
    ("READER_PAGE_SIZE", "articles per index page"),
    ("READER_READ_CONNECTIONS", "SQLite reader connections; PostgreSQL pool size minus one"),
    ("READER_MAX_BODY_BYTES", "largest request body accepted"),
    ("READER_HEAD_TIMEOUT", "seconds a request's head may take to arrive"),
    ("READER_BODY_TIMEOUT", "seconds a request's body may pause between two reads"),
    ("READER_RESPONSE_CACHE_BYTES", "memory for rendered answers (0: off)"),
    ("READER_SEED_DEMO", "fill a new database with the demo articles"),
    ("READER_EMBED_ORIGINS", "origins allowed to embed articles"),
    ("READER_FRAME_ANCESTORS", "who may frame /embed pages"),
    ("READER_PUBLIC_URL", "reader's public address, for absolute links"),
    ("READER_DEBUG", "tracebacks in error pages (never in production)"),
    ("READER_WORKERS", "server processes for reader serve (auto: one per CPU)"),
    ("READER_TIME_ZONE", "the zone of imported and typed times without an offset (UTC)"),
    ("READER_ACCESS_LOG", "the access log: a file, stderr or off"),
    ("READER_ACCESS_LOG_FORMAT", "the access log's lines: text or json"),
)
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


class SettingsError(ValueError):
    """A configuration value that cannot be used; the message names the variable."""


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    # Empty is refused too (README: "Configuration"): READER_TRUST_PROXY= may be a value a template failed to
    # fill in, and silently reading it as false (or READER_SEED_DEMO= as false) would guess.
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


# An origin's host: DNS labels or a bracketed IPv6 address, and a port. Nothing else may pass, since origins
# are written into Content-Security-Policy headers (a ";" or a space there would add a directive).
_HOST = r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?"
_ORIGIN = re.compile(rf"^https?://{_HOST}$")
_WILDCARD_ORIGIN = re.compile(rf"^https?://(?:\*\.)?{_HOST}$")


# The port a browser leaves out of an Origin header (RFC 6454, 6.2) and of a link's address.
DEFAULT_PORTS = {"http": 80, "https": 443}


def ascii_host(host: str) -> str:
    """A host name as browsers write it (in Origin, in links): lower case, a Unicode name in its ASCII form as
    UTS #46 (nontransitional: IDNA 2008) gives it, which browsers follow (the URL Standard's "domain to
    ASCII"): faß.example is xn--fa-hia.example, bàohànội.vn xn--bohni-rqac9942d.vn. Not Python's own "idna"
    codec: that is IDNA 2003, which maps ß to ss (fass.example), another host a browser never sends.
    UnicodeError (idna.IDNAError) for a name that has no ASCII form."""
    if host.isascii():
        return host.lower()
    return idna.encode(host, uts46=True).decode("ascii")


def canonical_netloc(scheme: str, netloc: str) -> str:
    """`netloc` as a browser writes it in an Origin header: lower case, a Unicode host in its ASCII form
    (ascii_host), its scheme's default port left out. The setting's and a request's forms of one address then
    compare equal (https://a.example:443 is https://a.example, https://faß.example is
    https://xn--fa-hia.example). A netloc urllib cannot read (a port out of range) keeps its port as it is;
    one whose host has no ASCII form is returned lowered, unchanged (it matches no origin)."""
    host, colon, port = netloc.rpartition(":") if not netloc.endswith("]") else ("", "", netloc)
    if not colon:
        host, port = port, ""
    if not host:
        return netloc.lower()
    try:
        host = ascii_host(host)
    except UnicodeError:
        return netloc.lower()
    if port.isascii() and port.isdigit():
        # As a number, as browsers write it: https://a.example:080 is sent as https://a.example:80.
        number = int(port)
        return host if number == DEFAULT_PORTS.get(scheme.lower()) else f"{host}:{number}"
    return host + colon + port.lower()


def _canonical_origin(name: str, part: str, pattern: re.Pattern[str], example: str) -> str:
    """scheme://host[:port], checked and written as browsers send it (lower case, ASCII, no default port)."""
    value = part.strip().rstrip("/")
    scheme, separator, rest = value.partition("://")
    if separator and rest and not rest.isascii():
        # A Unicode host name: browsers send its ASCII form in Origin, as in links (ascii_host). A wildcard's
        # "*." is no label of a name, and has none.
        host, colon, port_text = rest.rpartition(":") if ":" in rest else (rest, "", "")
        wildcard, host = ("*.", host[2:]) if host.startswith("*.") else ("", host)
        try:
            host = ascii_host(host)
        except UnicodeError:
            raise SettingsError(f"{name}: {part!r} is not an address such as {example}") from None
        rest = wildcard + host + colon + port_text
    value = f"{scheme}{separator}{rest}".lower()
    if not pattern.match(value):
        raise SettingsError(f"{name}: {part!r} is not an origin such as {example}")
    parsed = urlsplit(value)
    try:
        number = parsed.port
    except ValueError:  # out of range: urllib refuses above 65535
        number = -1
    if number is not None and not 1 <= number <= MAX_PORT:
        raise SettingsError(f"{name}: the port in {part!r} is not a number from 1 to {MAX_PORT}")
    return f"{parsed.scheme}://{canonical_netloc(parsed.scheme, parsed.netloc)}"


def _origins(name: str, raw: str, *, wildcards: bool = False) -> tuple[str, ...]:
    origins = []
    pattern = _WILDCARD_ORIGIN if wildcards else _ORIGIN
    for part in raw.split(","):
        if not part.strip().rstrip("/"):
            continue
        origins.append(_canonical_origin(name, part.strip(), pattern, "https://news.example"))
    return tuple(origins)


def _frame_ancestors(name: str, raw: str) -> tuple[str, ...]:
    """Origins (https://*.news.example allowed) and 'self', as frame-ancestors sources; 'none' or nothing
    for none."""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if [part.strip("'").lower() for part in parts] == ["none"]:
        return ()
    own = tuple("'self'" for part in parts if part.strip("'").lower() == "self")
    others = ",".join(part for part in parts if part.strip("'").lower() != "self")
    return own[:1] + _origins(name, others, wildcards=True)


def _public_url(name: str, raw: str) -> str:
    """scheme://host[:port], as _canonical_origin writes it. reader is served at the root of its host
    (docs/deployment.md): a path would be added to every absolute link while the routes stay at /, so the
    links would lead nowhere. User names, queries and fragments have no place in it either."""
    value = raw.strip()
    if not value:
        # Not "the request's own": an empty value is most likely one a template failed to fill in, and the
        # request's Host header would then write every absolute link (README: "Configuration").
        raise SettingsError(f"{name} is empty: give reader's public address, such as https://reader.example")
    try:
        parsed = urlsplit(value)
    except ValueError:  # an unclosed "[" and the like
        raise SettingsError(f"{name}: {raw!r} is not an http(s) address such as https://reader.example") from None
    if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc:
        raise SettingsError(f"{name}: {raw!r} is not an http(s) address such as https://reader.example")
    if parsed.path not in ("", "/"):
        raise SettingsError(
            f"{name}: {raw!r} has a path ({parsed.path}); reader must be served at the root of its host "
            "(https://reader.example), not under a path"
        )
    if "@" in parsed.netloc or parsed.query or parsed.fragment or value.endswith(("?", "#")):
        # Not repeated: a user name may come with a password.
        raise SettingsError(f"{name}: give only a scheme, a host and a port (no user name, query or fragment)")
    return _canonical_origin(name, f"{parsed.scheme}://{parsed.netloc}", _ORIGIN, "https://reader.example")


def _networks(name: str, raw: str) -> tuple[str, ...]:
    """Addresses and networks (CIDR), normalized; at least one."""
    networks = []
    for part in (part.strip() for part in raw.split(",")):
        if not part:
            continue
        if part == "*":
            raise SettingsError(f"{name}: '*' would let any client say what its address is; list the proxies")
        try:
            networks.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise SettingsError(f"{name}: {part!r} is not an address or network such as 10.0.0.0/8") from None
    if not networks:
        raise SettingsError(f"{name}: name at least one proxy address or network")
    return tuple(networks)


# The highest TCP port. 0 asks the system for any free one, which the first line `reader serve` prints names
# (the tests start their servers so).
MAX_PORT = 65535


# A database URL's scheme ("postgresql://…"), before anything else is read of it.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
DATABASE_SCHEMES = ("postgresql", "postgres")
# What asyncpg accepts for target_session_attrs (it names its own choices badly).
TARGET_SESSION_ATTRS = ("any", "primary", "standby", "prefer-standby", "read-write", "read-only")
SSL_NEGOTIATIONS = ("postgres", "direct")


def parse_database(name: str, raw: str, environ: Mapping[str, str] | None = None) -> str | Path:
    """A SQLite file's Path, or a postgresql:// URL as a str, checked whole here so that a typo is named
    (`name`: the option or variable it came from) before anything connects: urllib and asyncpg raised
    ValueError, IndexError or OverflowError on some malformed URLs, from the middle of a command. With
    `environ`, the libpq variables asyncpg reads for what the URL leaves out are checked too.

    No message repeats the URL's user, password, hosts or ports (in a malformed URL nothing tells where the
    password ends), only a scheme or an sslmode-like choice as typed."""
    value = raw.strip()
    if not value:
        # Path("") is ".", the working directory: "not a file" would name a path nobody gave.
        raise SettingsError(f"{name}: the path is empty (give a SQLite file path or a postgresql:// URL)")
    scheme = _SCHEME.match(value)
    if scheme is None or scheme.group(1).lower() not in DATABASE_SCHEMES:
        if "://" in value:
            shown = f"{scheme.group(1)}://" if scheme else "the URL"
            raise SettingsError(f"{name}: {shown} is not a database reader knows (a path, or postgresql://)")
        return Path(value)
    query, has_host = _check_url(name, value)
    if environ is not None:
        _check_libpq_environment(name, environ, host=not has_host, sslmode="sslmode" not in query)
    return value


def _check_url(name: str, url: str) -> tuple[dict[str, str], bool]:
    """The URL's query, and whether it names a host; a SettingsError for anything asyncpg would fail on."""
    try:
        parts = urlsplit(url)
    except ValueError:  # "[" without "]", a bracketed host that is no address, a host Unicode would change
        raise SettingsError(
            f"{name}: the URL's host is malformed (an IPv6 address goes in brackets: "
            "postgresql://user@[::1]:5432/dbname)"
        ) from None
    if "\x00" in unquote(url):
        raise SettingsError(f"{name}: the URL holds a NUL character (%00)")
    try:
        # As asyncpg reads it: strictly (a part without "=" is an error there).
        query = dict(parse_qsl(parts.query, strict_parsing=True)) if parts.query else {}
    except ValueError:
        raise SettingsError(f"{name}: the URL's query is not name=value pairs joined by &") from None
    # asyncpg takes the user and password up to the first "@", urllib up to the last: a second one would be
    # read two ways (it belongs in the password, written %40).
    if parts.netloc.count("@") > 1:
        raise SettingsError(f"{name}: the URL has more than one @ (write an @ in the user name or password as %40)")
    hosts = parts.netloc.partition("@")[2] if "@" in parts.netloc else parts.netloc
    # Several hosts are tried in turn: postgresql://user@h1:5432,h2:5433/dbname (or ?host=h1,h2&port=…).
    if hosts:
        _check_hosts(name, "the URL", hosts, quoted=True)
    if query.get("host"):
        _check_hosts(name, "the URL", query["host"], quoted=False)
    if "port" in query:
        _check_ports(name, "the URL", query["port"].split(","))
    _check_choice(name, "sslmode", query.get("sslmode"), SSL_MODES)
    _check_choice(name, "sslnegotiation", query.get("sslnegotiation"), SSL_NEGOTIATIONS)
    _check_choice(name, "target_session_attrs", query.get("target_session_attrs"), TARGET_SESSION_ATTRS)
    return query, bool(hosts or query.get("host"))


def _check_choice(name: str, parameter: str, value: str | None, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        raise SettingsError(f"{name}: {parameter} must be one of {', '.join(choices)}, not {value!r}")


def _check_hosts(name: str, where: str, hosts: str, *, quoted: bool) -> None:
    """A comma-separated host list as asyncpg splits it: each a host name, an IP address, [an IPv6 address]
    or a unix socket directory, with a port or not (`quoted`: percent-encoded, as in the URL's authority)."""
    ports = []
    for spec in hosts.split(","):
        if not spec:
            raise SettingsError(f"{name}: {where} has an empty host in its list of hosts (h1:5432,h2:5433)")
        if spec.startswith("/"):
            continue  # a unix socket directory, its port given apart
        if spec.startswith("["):
            bracketed = re.fullmatch(r"\[([^\]]+)\](?::(.*))?", spec, re.DOTALL)
            if bracketed is None or not _is_address(unquote(bracketed[1]) if quoted else bracketed[1]):
                raise SettingsError(f"{name}: a host in {where} in [brackets] is not an IPv6 address")
            port = bracketed[2]
        else:
            host, colon, rest = spec.partition(":")
            host = unquote(host) if quoted else host
            if not host.startswith("/") and not _is_host_name(host):
                raise SettingsError(f"{name}: a host in {where} is not a host name or an IP address")
            port = rest if colon else None
        if port is not None:
            ports.append(port)
    _check_ports(name, where, ports)


def _check_ports(name: str, where: str, ports: list[str]) -> None:
    for port in ports:
        if not (port.isascii() and port.isdigit() and 1 <= int(port) <= MAX_PORT):
            raise SettingsError(f"{name}: a port in {where} is not a number from 1 to {MAX_PORT}")


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_host_name(host: str) -> bool:
    """Whether the resolver can be asked for `host`: Python encodes a name for it with the idna codec, which
    refuses an empty label ("a..b") or one of more than 63 characters with a UnicodeError."""
    if not host or any(character in host for character in "\x00/?#@[] \t\r\n"):
        return False
    try:
        host.encode("idna")
    except UnicodeError:
        return False
    return True


def _check_libpq_environment(name: str, environ: Mapping[str, str], *, host: bool, sslmode: bool) -> None:
    """The libpq variables asyncpg reads, as it reads them: PGPORT always (for a host without its port),
    PGHOST and PGSSLMODE when the URL leaves them out."""
    if environ.get("PGPORT"):
        _check_ports(f"PGPORT (read for {name})", "it", environ["PGPORT"].split(","))
    if host and environ.get("PGHOST"):
        _check_hosts(f"PGHOST (read for {name})", "it", environ["PGHOST"], quoted=False)
    if sslmode and "PGSSLMODE" in environ and environ["PGSSLMODE"] not in SSL_MODES:
        modes = ", ".join(SSL_MODES)
        raise SettingsError(f"PGSSLMODE (read for {name}) must be one of {modes}, not {environ['PGSSLMODE']!r}")


# The variable each Settings field given as a flag replaces (Settings.from_env's overrides).
_FLAG_VARIABLES = {
    "db": "READER_DB",
    "workers": "READER_WORKERS",
    "access_log": "READER_ACCESS_LOG",
    "access_log_format": "READER_ACCESS_LOG_FORMAT",
}


def _database_values(name: str, raw: str, environ: Mapping[str, str]) -> dict[str, Any]:
    target = parse_database(name, raw, environ)
    return {"db_url": target} if isinstance(target, str) else {"db_path": target, "db_url": None}


def access_log_destination(name: str, raw: str) -> str:
    """`off`, `stderr` (also `-`), or a file path."""
    value = raw.strip()
    if value.lower() in (ACCESS_LOG_OFF, ACCESS_LOG_STDERR, "-"):
        return ACCESS_LOG_STDERR if value == "-" else value.lower()
    if not value:
        raise SettingsError(f"{name} must be a file path, 'stderr' or 'off'")
    return value


def access_log_format(name: str, raw: str) -> str:
    value = raw.strip().lower()
    if value not in ACCESS_LOG_FORMATS:
        raise SettingsError(f"{name} must be one of {', '.join(ACCESS_LOG_FORMATS)}, not {raw!r}")
    return value


def workers(name: str, raw: str) -> int:
    """A number of worker processes, or `auto`: one per CPU this process may run on."""
    if raw.strip().lower() == "auto":
        try:
            return len(os.sched_getaffinity(0))  # what taskset or a container's cpuset allows
        except AttributeError:  # not on Linux
            return os.cpu_count() or 1
    return _int(name, raw, 1)


def time_zone(name: str, raw: str) -> str:
    """An IANA time zone name such as Asia/Ho_Chi_Minh, as the system's time zone database knows it."""
    value = raw.strip()
    if value == "UTC":
        return value
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # ValueError: not a zone's name at all ("../x", "")
        raise SettingsError(f"{name} must be a time zone such as Asia/Ho_Chi_Minh or UTC, not {raw!r}") from None
    return value


def port(name: str, raw: str) -> int:
    """A TCP port to listen on, 0 to MAX_PORT (0: any free one)."""
    value = _int(name, raw, 0)
    if value > MAX_PORT:
        raise SettingsError(f"{name} must be at most {MAX_PORT}, not {value}")
    return value


# The shortest head or body timeout.
MIN_TIMEOUT = 0.5


def _seconds(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, not {raw!r}") from None
    # Not NaN either. Below half a second, every connection's timer would tick more often than it is worth.
    if not MIN_TIMEOUT <= value < float("inf"):
        raise SettingsError(f"{name} must be at least {MIN_TIMEOUT} seconds, not {raw!r}")
    return value


def _int(name: str, raw: str, minimum: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {value}")
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything reader is configured with; stored on app.state, never read from os.environ later."""

    db_path: Path = Path("reader.db")
    # A postgresql:// URL; when set, it is the database and db_path is unused.
    db_url: str | None = None
    debug: bool = False
    default_lang: str = "vi"
    trust_proxy_headers: bool = False
    # The reverse proxies (load balancers) that may set X-Forwarded-For/-Proto: the right-most address
    # in X-Forwarded-For that is not one of them is the client's (sign-in throttling counts by it).
    trusted_proxies: tuple[str, ...] = ("127.0.0.1/32", "::1/128")
    page_size: int = 20
    read_connections: int = 3
    busy_timeout_ms: int = 5000
    max_body_bytes: int = 1_048_576
    # Seconds a request's head (its request line and header fields) may take to arrive (reader.http_protocol).
    head_timeout: float = 30.0
    # Seconds a request's body may pause: between two reads of it while the application waits for more
    # (reader.http_protocol).
    body_timeout: float = 30.0
    # Rendered answers kept in memory (reader.response_cache), and how often another process's writes
    # are looked for: a change shows within this many seconds.
    response_cache_bytes: int = 32 * 1024 * 1024
    change_check_interval: float = 0.25
    seed_demo: bool = True
    # Sites allowed to embed reader (CORS, frame-ancestors); empty means none (docs/embedding.md).
    embed_origins: tuple[str, ...] = ()
    # Who may frame /embed pages (CSP frame-ancestors); None means the embed_origins.
    frame_ancestors: tuple[str, ...] | None = None
    # reader's own public address, for absolute links (oEmbed); None means the request's own.
    public_url: str | None = None
    # The access log (reader.access_log): standard error, off, or a file; text or JSON lines.
    access_log: str = ACCESS_LOG_STDERR
    access_log_format: str = "text"
    # Server processes sharing the port (`reader serve --workers`), each with its own answer cache.
    workers: int = 1
    # The zone of a time without an offset in an import or the editor's form (reader.dates).
    time_zone: str = "UTC"
    templates_dir: Path = field(default=TEMPLATES_DIR)
    static_dir: Path = field(default=STATIC_DIR)

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **overrides: Any) -> Settings:
        """Build settings from READER_* variables; explicit overrides (CLI flags) win. `db=` (the --db
        flag) takes a path or a URL, as READER_DB does."""
        values: dict[str, Any] = {}
        # A flag given replaces its variable, which is then not read at all: a value left in the environment
        # (an empty READER_DB in a unit file) does not stop `--db` from being used.
        flagged = {_FLAG_VARIABLES.get(name) for name, value in overrides.items() if value is not None}
        environ = {name: value for name, value in environ.items() if name not in flagged}
        # An empty READER_DB is refused (parse_database), not read as unset: under systemd the working
        # directory is /, and ./reader.db would be a new demo site in /reader.db.
        if "READER_DB" in environ:
            values.update(_database_values("READER_DB", environ["READER_DB"], environ))
        if overrides.get("db") is not None:
            values.update(_database_values("--db", overrides["db"], environ))
        overrides = {k: v for k, v in overrides.items() if k != "db"}
        if "READER_DEBUG" in environ:
            values["debug"] = _bool("READER_DEBUG", environ["READER_DEBUG"])
        if "READER_DEFAULT_LANG" in environ:
            lang = environ["READER_DEFAULT_LANG"].strip().lower()
            if lang not in UI_LANGUAGES:
                raise SettingsError(f"READER_DEFAULT_LANG must be one of {', '.join(UI_LANGUAGES)}")
            values["default_lang"] = lang
        if "READER_TRUST_PROXY" in environ:
            values["trust_proxy_headers"] = _bool("READER_TRUST_PROXY", environ["READER_TRUST_PROXY"])
        if "READER_TRUSTED_PROXIES" in environ:
            values["trusted_proxies"] = _networks("READER_TRUSTED_PROXIES", environ["READER_TRUSTED_PROXIES"])
        if "READER_PAGE_SIZE" in environ:
            values["page_size"] = _int("READER_PAGE_SIZE", environ["READER_PAGE_SIZE"], 1)
        if "READER_READ_CONNECTIONS" in environ:
            values["read_connections"] = _int("READER_READ_CONNECTIONS", environ["READER_READ_CONNECTIONS"], 1)
        if "READER_MAX_BODY_BYTES" in environ:
            values["max_body_bytes"] = _int("READER_MAX_BODY_BYTES", environ["READER_MAX_BODY_BYTES"], 1024)
        if "READER_HEAD_TIMEOUT" in environ:
            values["head_timeout"] = _seconds("READER_HEAD_TIMEOUT", environ["READER_HEAD_TIMEOUT"])
        if "READER_BODY_TIMEOUT" in environ:
            values["body_timeout"] = _seconds("READER_BODY_TIMEOUT", environ["READER_BODY_TIMEOUT"])
        if "READER_RESPONSE_CACHE_BYTES" in environ:
            values["response_cache_bytes"] = _int(
                "READER_RESPONSE_CACHE_BYTES", environ["READER_RESPONSE_CACHE_BYTES"], 0
            )
        if "READER_SEED_DEMO" in environ:
            values["seed_demo"] = _bool("READER_SEED_DEMO", environ["READER_SEED_DEMO"])
        if "READER_EMBED_ORIGINS" in environ:
            values["embed_origins"] = _origins("READER_EMBED_ORIGINS", environ["READER_EMBED_ORIGINS"])
        if "READER_FRAME_ANCESTORS" in environ:
            values["frame_ancestors"] = _frame_ancestors("READER_FRAME_ANCESTORS", environ["READER_FRAME_ANCESTORS"])
        if "READER_PUBLIC_URL" in environ:
            values["public_url"] = _public_url("READER_PUBLIC_URL", environ["READER_PUBLIC_URL"])
        if "READER_ACCESS_LOG" in environ:
            values["access_log"] = access_log_destination("READER_ACCESS_LOG", environ["READER_ACCESS_LOG"])
        if "READER_ACCESS_LOG_FORMAT" in environ:
            values["access_log_format"] = access_log_format(
                "READER_ACCESS_LOG_FORMAT", environ["READER_ACCESS_LOG_FORMAT"]
            )
        if "READER_WORKERS" in environ:
            values["workers"] = workers("READER_WORKERS", environ["READER_WORKERS"])
        if "READER_TIME_ZONE" in environ:
            values["time_zone"] = time_zone("READER_TIME_ZONE", environ["READER_TIME_ZONE"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def database(self) -> str | Path:
        """The database: the postgresql:// URL, else the SQLite file's path."""
        return self.db_url if self.db_url is not None else self.db_path

    @property
    def embed_frame_ancestors(self) -> tuple[str, ...]:
        """The frame-ancestors sources of /embed pages; every other page allows none."""
        return self.embed_origins if self.frame_ancestors is None else self.frame_ancestors

    @property
    def zone(self) -> dt.tzinfo:
        """`time_zone` as a tzinfo (zoneinfo keeps one per name, so this costs a dict lookup). UTC needs no
        time zone database."""
        return dt.UTC if self.time_zone == "UTC" else ZoneInfo(self.time_zone)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (tests and the CLI use this)."""
        return dataclasses.replace(self, **changes)
