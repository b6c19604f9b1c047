"""The `newscorpus` command line: parse input, call one function, format the result."""

from __future__ import annotations

import contextlib
import csv
import html
import json
import logging
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from newscorpus import __version__
from newscorpus.config import Settings, load_settings, resolve_data_dir, unknown_environment
from newscorpus.errors import ConfigError, ExtractionError, NewscorpusError, StorageError
from newscorpus.models import EXPORT_FORMATS, FACET_NAMES, TIMELINE_INTERVALS, CrawlSummary, LawReference, SearchHit

# The use cases are imported by the commands that run them: `--help` and light commands load no index, Arrow or
# spaCy.
if TYPE_CHECKING:
    from rich.progress import Progress

    from newscorpus.app import ProgressCallback
    from newscorpus.corpus import SearchIndex, Store

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)


@dataclass
class Env:
    """What every command shares: the data directory, the settings, and the store and index once opened.

    Read commands open both read-only (they work on a read-only data directory); only the commands that start a
    corpus (`sources add`, `sources import`, `crawl`, `demo`) create a missing data directory.
    """

    data_dir: Path
    settings: Settings
    create: bool = False  # this command may create the data directory (set for `crawl`)
    _store: Store | None = None
    _index: SearchIndex | None = None
    _cleanup: list[Any] = field(default_factory=list)

    def store(self, *, read_only: bool = False, create: bool = False) -> Store:
        from newscorpus.corpus import open_store

        if self._store is None:
            self._store = open_store(self.data_dir, read_only=read_only, create=create or self.create,
                                     database_url=self.settings.database_url)
        return self._store

    def index(self, *, read_only: bool = False) -> SearchIndex:
        from newscorpus.corpus import SearchIndex

        if self._index is None:
            self._index = SearchIndex(self.data_dir, read_only=read_only)
        return self._index

    def searchable(self) -> tuple[Store, SearchIndex]:
        """The store and the index, read-only, for a search or an export: an index that lacks documents of the
        store (lost, emptied, of an older version) is an error that says to run `newscorpus reindex`."""
        store = self.store(read_only=True)
        index = self.index(read_only=True)
        index.check(store.count_documents(), store.count_documents(indexed=True))
        return store, index

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
        if self._index is not None:
            self._index.close()


class _Group(click.Group):
    """Turns our errors into one line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewscorpusError as exc:
            err.print(f"error: {exc}", markup=False, soft_wrap=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            err.print("interrupted", markup=False)
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data", "data", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Data directory (default: $NEWSCORPUS_DATA, else ./newscorpus-data).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="TOML settings file (default: newscorpus.toml in the data directory).")
@click.option("--setting", "overrides", type=(str, str), multiple=True, metavar="NAME VALUE",
              help="Override one setting, e.g. --setting per_host_delay 2. Repeatable.")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug) to stderr.")
@click.version_option(__version__, prog_name="newscorpus")
@click.pass_context
def cli(ctx: click.Context, data: Path | None, config_file: Path | None, overrides: tuple[tuple[str, str], ...],
        verbose: int) -> None:
    """Turn public news into a searchable corpus.

    \b
    Examples, a quick start:
      newscorpus demo                           # see it all work offline
      newscorpus sources add https://example.org/
      newscorpus crawl
      newscorpus search '"climate bill" senate'
    """
    logging.basicConfig(level=[logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)],
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    data_dir = resolve_data_dir(data)
    for warning in unknown_environment():
        err.print(f"warning: {warning}", markup=False, soft_wrap=True)
    try:
        settings = load_settings(data_dir, config_file, overrides=dict(overrides))
    except ConfigError as exc:
        err.print(f"error: {exc}", markup=False, soft_wrap=True)
        ctx.exit(2)
    # `crawl` may start a corpus; `sources add` and `sources import` ask for it themselves.
    env = Env(data_dir, settings, create=ctx.invoked_subcommand == "crawl")
    ctx.obj = env
    ctx.call_on_close(env.close)


def _progress_callback(progress: Progress) -> ProgressCallback:
    tasks: dict[str, Any] = {}

    def update(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            tasks[phase] = progress.add_task(phase, total=total)
        progress.update(tasks[phase], completed=done, total=total)

    return update


def _plain_progress(every: float = 10.0) -> ProgressCallback:
    """Progress without a terminal (a log file, a service): one line per phase every `every` seconds, and when
    the phase is done."""
    last: dict[str, float] = {}

    def update(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        finished = total > 0 and done >= total
        if now - last.get(phase, -every) >= every or (finished and last.get(phase) != float("inf")):
            last[phase] = float("inf") if finished else now
            err.print(f"{summary_time()} {phase}: {done}/{total}", markup=False)

    return update


@contextlib.contextmanager
def _progress() -> Iterator[ProgressCallback]:
    if not err.is_terminal:
        yield _plain_progress()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as progress:
        yield _progress_callback(progress)


# sources


@cli.group()
def sources() -> None:
    """Add, list, remove, import and export the feeds and sites to crawl.

    \b
    Examples:
      newscorpus sources add https://example.org/ --tag africa
      newscorpus sources import --starter
      newscorpus sources list
    """


@sources.command("add")
@click.argument("urls", nargs=-1, required=True)
@click.option("--title", default=None, help="A name for the source (default: the feed's or page's title).")
@click.option("--tag", "tags", multiple=True, help="Tag or collection name; repeatable.")
@click.pass_obj
def sources_add(env: Env, urls: tuple[str, ...], title: str | None, tags: tuple[str, ...]) -> None:
    """Add feed URLs or site homepages.

    \b
    Examples:
      newscorpus sources add https://www.example.com/rss.xml
      newscorpus sources add https://news.example.org/ --tag africa
    """
    from newscorpus.app.sources import add_source

    for url in urls:
        source, created = add_source(env.store(create=True), url, title, tags)
        verb = "added" if created else "already present"
        out.print(f"{verb}: [{source.id}] {source.url} ({source.kind})", markup=False)


@sources.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def sources_list(env: Env, fmt: str) -> None:
    """List sources with their health: new items a day, last success, failures in a row, last error.

    \b
    Examples:
      newscorpus sources list
      newscorpus sources list --format json | jq '.[] | select(.failures > 0) | .url'
    """
    found = env.store(read_only=True).list_sources()
    if fmt == "json":
        out.print_json(data=[asdict(s) for s in found])
        return
    if not found:
        err.print("no sources yet: add one with `newscorpus sources add URL` or `newscorpus sources import --starter`")
        return
    table = Table("id", "source", "tags", "items/day", "last success", "failures", show_lines=True)
    for s in found:
        name = Text(s.title or s.url, style="" if s.enabled else "dim")
        name.append(f"\n{s.url} ({s.kind}{'' if s.enabled else ', disabled'})", style="dim")
        if s.consecutive_failures and s.last_error:
            name.append(f"\n{s.last_error}", style="red")
        table.add_row(str(s.id), name, Text(", ".join(s.tags)), f"{s.items_per_day:g}", (s.last_success or "-")[:16],
                      str(s.consecutive_failures))
    out.print(table)


@sources.command("set")
@click.argument("key")
@click.option("--title", default=None, help="Name of the source.")
@click.option("--tag", "tags", multiple=True, help="Replace the tags (repeatable).")
@click.option("--enable/--disable", "enabled", default=None, help="Crawl this source or skip it.")
@click.option("--language", default=None, metavar="CODE", help="Language hint, e.g. en.")
@click.option("--min-poll", "min_poll", type=click.FloatRange(0), default=None, metavar="SECONDS",
              help="Shortest interval between polls of its feeds.")
@click.option("--max-poll", "max_poll", type=click.FloatRange(0), default=None, metavar="SECONDS",
              help="Longest interval between polls of its feeds.")
@click.option("--delay", type=click.FloatRange(0), default=None, metavar="SECONDS",
              help="Minimum seconds between requests to its host.")
@click.pass_obj
def sources_set(env: Env, key: str, title: str | None, tags: tuple[str, ...], enabled: bool | None,
                language: str | None, min_poll: float | None, max_poll: float | None, delay: float | None) -> None:
    """Change a source's settings (by id or URL).

    \b
    Examples:
      newscorpus sources set 3 --disable
      newscorpus sources set https://example.org/ --min-poll 600 --max-poll 7200 --delay 5
    """
    from newscorpus.app.sources import configure_source

    changes: dict[str, Any] = {name: value for name, value in [
        ("title", title), ("enabled", enabled), ("language", language), ("min_poll_seconds", min_poll),
        ("max_poll_seconds", max_poll), ("delay_seconds", delay)] if value is not None}
    if tags:
        changes["tags"] = tags
    if not changes:
        raise click.UsageError("give at least one setting to change (see --help)")
    source = configure_source(env.store(), key, changes)
    out.print(f"updated: [{source.id}] {source.url}", markup=False)


@sources.command("remove")
@click.argument("keys", nargs=-1, required=True)
@click.pass_obj
def sources_remove(env: Env, keys: tuple[str, ...]) -> None:
    """Remove sources by id or URL (their stored articles stay).

    \b
    Examples:
      newscorpus sources remove 3
      newscorpus sources remove https://example.org/rss.xml 7
    """
    from newscorpus.app.sources import remove_source

    for key in keys:
        remove_source(env.store(), key)
        out.print(f"removed: {key}", markup=False)


@sources.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--starter", is_flag=True, help="Import the starter list of public news feeds shipped with newscorpus.")
@click.pass_obj
def sources_import(env: Env, file: Path | None, starter: bool) -> None:
    """Import sources from an OPML file (what feed readers export); folders become tags.

    \b
    Examples:
      newscorpus sources import feeds.opml
      newscorpus sources import --starter     # world, regional and courts/legal news feeds
    """
    from newscorpus.app.sources import import_opml, starter_sources

    if (file is None) == (not starter):
        raise click.UsageError("give an OPML FILE or --starter (not both)")
    data = starter_sources() if starter else _read_bytes(file)  # type: ignore[arg-type]
    added, present = import_opml(env.store(create=True), data)
    out.print(f"imported {added} new source(s), {present} already present")


@sources.command("export")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True), default="-",
              help="File to write, or - for standard output (the default).")
@click.pass_obj
def sources_export(env: Env, output: Path) -> None:
    """Export every source as OPML, tags as categories, for a feed reader or another corpus.

    \b
    Examples:
      newscorpus sources export -o feeds.opml
      newscorpus sources export | grep xmlUrl
    """
    from newscorpus.app.sources import export_opml

    text = export_opml(env.store(read_only=True))
    if str(output) == "-":
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise StorageError(f"cannot write {output}: {exc.strerror or exc}") from exc
        err.print(f"wrote {output}", markup=False)


# crawl, search, show


_MAX_TIME = click.option("--max-time", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
                         help="Stop fetching after this long, keep what was fetched, and print the summary.")


def _notify(line: str) -> None:
    err.print(line, markup=False, soft_wrap=True)


@cli.command()
@click.option("--feeds-only", is_flag=True, help="Poll feeds and sitemaps and queue new URLs, but fetch no article.")
@_MAX_TIME
@click.pass_obj
def crawl(env: Env, feeds_only: bool, max_time: float | None) -> None:
    """One pass: poll every source's feeds and sitemaps, fetch new articles, analyse, store and index them, each
    page as soon as it arrives (a slow or failing site holds up only its own pages).

    Ctrl-C or SIGTERM stops fetching at once, keeps and stores what was fetched, and prints the summary; a second
    Ctrl-C aborts (pages fetched but not analysed are analysed by the next crawl). Even a killed crawl loses
    nothing. One crawl, watch or reprocess at a time per data directory.

    \b
    Examples:
      newscorpus crawl
      newscorpus crawl --max-time 600          # at most ten minutes
      newscorpus --setting nlp_workers 4 crawl # four analysis processes
    """
    from newscorpus.app.crawl import Crawler

    if not env.store().list_sources():
        raise ConfigError("no sources to crawl: add one with `newscorpus sources add URL`")
    with _progress() as progress:
        crawler = Crawler(env.store(), env.index(), env.settings, env.data_dir, progress, _notify, max_time)
        summary = crawler.run(feeds_only)
    _print_summary(summary)


@cli.command()
@_MAX_TIME
@click.pass_obj
def watch(env: Env, max_time: float | None) -> None:
    """Crawl continuously, each feed on its own adaptive schedule, until Ctrl-C or SIGTERM.

    A feed that publishes often is polled more often (within min_poll_seconds and max_poll_seconds).
    On a stop signal fetching stops at once and what was fetched is stored; what is still queued waits for
    the next run.

    \b
    Examples:
      newscorpus watch
      newscorpus --data /srv/news watch -v      # log each poll and fetch
      newscorpus watch --max-time 3600          # an hour, e.g. from cron
    """
    from newscorpus.app.crawl import Crawler

    if not env.store().list_sources():
        raise ConfigError("no sources to watch: add one with `newscorpus sources add URL`")
    last = CrawlSummary()

    def report(summary: CrawlSummary) -> None:
        out.print(f"{summary_time()}  +{summary.new - last.new} new, {summary.failed - last.failed} failed, "
                  f"{summary.deferred - last.deferred} deferred ({summary.new} new in all)", markup=False)
        last.new, last.failed, last.deferred = summary.new, summary.failed, summary.deferred

    summary = Crawler(env.store(), env.index(), env.settings, env.data_dir, notify=_notify,
                      max_time=max_time).watch(report)
    _print_summary(summary)


@cli.command()
@click.option("--role", "roles", multiple=True, default=("all",), show_default=True,
              type=click.Choice(["poll", "fetch", "nlp", "index", "all"]),
              help="A stage to run; repeatable. all: every stage, as `watch` runs them.")
@_MAX_TIME
@click.pass_obj
def worker(env: Env, roles: tuple[str, ...], max_time: float | None) -> None:
    """Run stages of the crawl beside other workers that share the store, until Ctrl-C or SIGTERM: on many
    machines with a PostgreSQL store (the database_url setting), or as several processes on one.

    \b
    poll   claim the feeds and sitemaps that are due, queue the URLs they list
    fetch  claim due URLs, fetch them (requests to a host spaced across every worker), archive them as WARC
           (warc_dir: a directory every worker reaches)
    nlp    claim fetched pages, extract and analyse them (nlp_workers processes), store them
    index  add new documents to the search index in this data directory: one indexer per index

    Work is leased: a worker that dies loses what it held to the others once lease_seconds have passed (at
    once, to a worker started on the same machine). On a stop signal a worker stores what it fetched and gives
    back what it did not finish.

    \b
    Examples:
      newscorpus worker --role fetch --role nlp     # on each crawling machine
      newscorpus worker --role poll --role index    # beside the search server
      newscorpus worker                             # every stage (as `watch`, beside other workers)
    """
    from newscorpus.app.crawl import ROLES, Crawler

    chosen = ROLES if "all" in roles else tuple(r for r in ROLES if r in roles)
    env.create = True
    last = CrawlSummary()

    def report(summary: CrawlSummary) -> None:
        moved = (summary.feeds_polled - last.feeds_polled, summary.fetched - last.fetched, summary.new - last.new,
                 summary.failed - last.failed)
        if any(moved):
            out.print(f"{summary_time()}  {moved[0]} feeds polled, {moved[1]} fetched, +{moved[2]} new, "
                      f"{moved[3]} failed ({summary.new} new in all)", markup=False)
        last.feeds_polled, last.fetched, last.new, last.failed = (summary.feeds_polled, summary.fetched,
                                                                  summary.new, summary.failed)

    index = env.index() if "index" in chosen else None
    summary = Crawler(env.store(), index, env.settings, env.data_dir, notify=_notify, max_time=max_time,
                      roles=chosen).work(report)
    out.print(f"pages: {summary.fetched} fetched and archived", markup=False)
    _print_summary(summary)


def summary_time() -> str:
    return datetime.now().strftime("%H:%M:%S")


@cli.command()
@click.argument("query", required=False)
@click.option("--all", "everything", is_flag=True, help="Reprocess every document.")
@click.pass_obj
def reprocess(env: Env, query: str | None, everything: bool) -> None:
    """Re-run extraction and NLP on archived pages (WARC), without the network.

    \b
    Examples:
      newscorpus reprocess --all
      newscorpus reprocess '"Computer Misuse"'
    """
    from newscorpus.app.filters import documents_matching
    from newscorpus.app.reprocess import reprocess as reprocess_archived

    if (query is None) == (not everything):
        raise click.UsageError("give a QUERY or --all (not both)")
    ids = documents_matching(env.store(), env.index(), query)
    with _progress() as progress:
        updated, failures = reprocess_archived(env.store(), env.index(), env.settings, env.data_dir, ids, progress)
    out.print(f"reprocessed {updated} document(s)")
    for reason, count in failures.most_common():
        out.print(f"  skipped {count:>4} × {reason}", markup=False)


def _print_summary(summary: CrawlSummary) -> None:
    deferred = f", {summary.deferred} deferred" if summary.deferred else ""
    resumed = f" ({summary.resumed} fetched by an earlier crawl)" if summary.resumed else ""
    out.print(f"feeds: {summary.feeds_polled} polled, {summary.feeds_not_modified} unchanged, "
              f"{len(summary.feed_errors)} failed", markup=False, soft_wrap=True)
    out.print(f"articles: {summary.new} new, {summary.duplicates} already stored, {summary.failed} failed{deferred}"
              f"{resumed}", markup=False, soft_wrap=True)
    for reason, count in summary.failures.most_common():
        out.print(f"  failed {count:>4} × {reason}", markup=False, soft_wrap=True)
    for reason, count in summary.deferrals.most_common():
        out.print(f"  deferred {count:>4} × {reason}", markup=False, soft_wrap=True)
    for url, message in summary.feed_errors.items():
        out.print(f"  feed failed: {url}: {message}", markup=False, soft_wrap=True)
    if summary.stopped:
        out.print(f"stopped early ({summary.stopped}): {summary.remaining} URL(s) left for the next crawl",
                  markup=False, soft_wrap=True)


def _filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The filters `search` and `export` share, as options; each is the same as a filter in the query."""
    options = [
        click.option("--mentions", default=None, metavar="PERIOD",
                     help="Only stories that mention a date within PERIOD: 2025, 2025-06, 2025-06-12, 2025-Q2, "
                          "2025-W24, 202."),
        click.option("--place", default=None, metavar="PLACE",
                     help="Only stories that mention PLACE or a place within it: a country (Kenya, KE), a region "
                          "(Punjab, PK) or a town (Nairobi; Paris, Texas)."),
        click.option("--law", default=None, metavar="LAW",
                     help="Only stories that cite LAW, however they write it: an acronym (PECA, IPC) or a title "
                          "(\"Computer Misuse and Cybercrimes Act\")."),
        click.option("--country", default=None, metavar="CC", help="Only stories that mention a place in this country (KE)."),
        click.option("--source", default=None, metavar="SOURCE", help="Only stories from this source (name or host)."),
        click.option("--tag", default=None, metavar="TAG",
                     help="Only stories from the sources that carry TAG (a collection: --tag africa)."),
        click.option("--lang", default=None, metavar="LANG", help="Only stories in this language (en)."),
        click.option("--from", "since", default=None, metavar="DATE",
                     help="Only stories published on or after DATE (2024-01-01, 2024-06, 2024)."),
        click.option("--to", "until", default=None, metavar="DATE",
                     help="Only stories published on or before DATE (all of June for 2024-06)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@cli.command()
@click.argument("query", default="")
@_filter_options
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True,
              help="Best matches first, or newest first.")
@click.option("--facets", type=click.Choice(FACET_NAMES), default=None,
              help="Instead of hits, count the matching stories per country, region, place, law, source, language, "
                   "author, person or organisation (each syndicated story once).")
@click.option("--timeline", type=click.Choice([*TIMELINE_INTERVALS, "auto"]), default=None, is_flag=False,
              flag_value="auto", help="Instead of hits, count the matching stories per day, week, month or year, as "
                                      "a bar chart; auto (or --timeline alone) chooses from the span.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000),
              help="Hits (or facet values) to show: a page.")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1), help="Which page of hits.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl", "csv"]), default="table",
              show_default=True)
@click.option("--all-copies", is_flag=True, help="List every copy of a syndicated story instead of one per story.")
@click.option("--matched", is_flag=True, help="Show, for each hit, the dates, places and laws that met the filters.")
@click.pass_obj
def search(env: Env, /, query: str, sort: str, facets: str | None, timeline: str | None, limit: int, page: int,
           fmt: str, all_copies: bool, matched: bool, **options: str | None) -> None:
    """Search the corpus. QUERY is words, "phrases" and filters:

    \b
      cybercrime "Computer Misuse Act" -hacker      all required; -word excludes
      (flood OR drought) AND NOT Somalia            AND, OR, NOT, parentheses
      econom*   "court ruling"~5   title:strike     prefix, proximity, title only
      source:nation.africa lang:en country:KE       source (name or host), language, country
      tag:africa                                    the sources that carry a tag (a collection)
      published:2024-01-01..2024-06-30              also published:>=2025, published:2025-Q2
      mentions:2025-06 place:Nairobi cluster:42     dates mentioned, places, a story's copies
      law:PECA section:20                           a law under any of its names; its provision

    \b
    Examples:
      newscorpus search 'cybercrime'
      newscorpus search '"Computer Misuse" AND Nairobi' --format jsonl
      newscorpus search 'law:"Computer Misuse and Cybercrimes Act" place:Nairobi published:>=2024' --sort date
      newscorpus search flood --mentions 2025-06     # stories that mention a date in June 2025
      newscorpus search --place "Paris, Texas"       # every story that mentions that Paris
      newscorpus search --law PECA --place Pakistan  # stories citing the Prevention of Electronic Crimes Act
      newscorpus search cybercrime --facets country  # which countries those stories mention
      newscorpus search 'law:PECA' --timeline month  # how coverage rose and fell, month by month, as counts
                                                     # and as the share of all stories of each month
      newscorpus search flood --page 2               # hits 11-20

    With --format json, the answer has the page of hits, the total number of matching stories, and how each
    filter was understood; the filters' readings also go to stderr.
    """
    from newscorpus.app.search import SearchRequest, search as search_corpus

    since, until = options.pop("since"), options.pop("until")
    counting = facets is not None or timeline is not None
    request = SearchRequest(query, {name: value for name, value in options.items() if value is not None}, since,
                            until, sort, page, 0 if counting else limit, all_copies, matched,
                            facets=(facets,) if facets else (), facet_size=limit, timeline=timeline)
    response = search_corpus(*env.searchable(), request)
    for understood in response.understood:
        matches = "" if understood.stories else " (no story in the corpus matches this on its own)"
        err.print(f"{understood.field}: {understood.meaning}{matches}", markup=False, soft_wrap=True)
    if facets is not None:
        counts = [{facets: key, "stories": n} for key, n in response.facets[facets]]
        _print_records(counts, fmt, (facets, "stories"))
    elif response.timeline is not None:
        column = response.interval or "period"
        records = [{column: period, "stories": n, "all_stories": all_n, "share": round(share, 6)}
                   for (period, n), all_n, (_, share) in zip(response.timeline, response.published_in_period or [],
                                                             response.attention or [], strict=True)]
        if fmt == "table":
            _print_timeline(records, column)
        else:
            _print_records(records, fmt, (column, "stories", "all_stories", "share"))
    elif fmt == "table":
        _print_hits(response.hits)
        if response.total:
            first = (page - 1) * limit + 1
            shown = f"{first}-{first + len(response.hits) - 1}" if response.hits else "none"
            more = f"; next: --page {page + 1}" if page < response.pages else ""
            err.print(f"stories {shown} of {response.total:,}{more}", markup=False)
    elif fmt == "json":
        click.echo(json.dumps(response.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_records([h.to_dict() for h in response.hits], fmt, tuple(SearchHit.__dataclass_fields__))


@cli.command()
@click.argument("query", default="")
@_filter_options
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="jsonl", show_default=True)
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
              help="File to write (its manifest goes beside it as FILE.manifest.json), or - for standard output.")
@click.pass_obj
def export(env: Env, /, query: str, fmt: str, output: Path, **options: str | None) -> None:
    """Export every story the query matches (no cap), for datasets: full text, metadata, the dates, places and
    laws found, the cluster of syndicated copies, and provenance (URL, fetch time, content hash, WARC file and
    offset). Beside the file, a manifest records the query, the time, the software and model versions, the row
    count and the file's SHA-256; `newscorpus verify FILE.manifest.json` checks them. To standard output (-o -),
    there is no manifest: the row count and SHA-256 go to stderr.

    \b
    Examples:
      newscorpus export 'law:"Computer Misuse and Cybercrimes Act"' --format parquet -o cmca.parquet
      newscorpus export --place Kenya --from 2024-01-01 --format csv -o kenya-2024.csv
      newscorpus export -o everything.jsonl           # the whole corpus
      newscorpus export 'place:Nairobi' -o - | jq .title
    """
    from newscorpus.app.export import export_matches, manifest_path
    from newscorpus.corpus.query import given_filters

    to_file = str(output) != "-"
    with _progress() as progress:
        since, until = options.pop("since"), options.pop("until")
        filters = given_filters(options, since, until)
        store, index = env.searchable()
        manifest = export_matches(store, index, env.settings, query, filters, fmt, output if to_file else None,
                                  progress)
    where = f"{output}" if to_file else "standard output"
    err.print(f"exported {manifest['rows']} documents to {where} ({manifest['bytes']:,} bytes, sha256 "
              f"{manifest['sha256'][:16]}…)" + (f"; manifest: {manifest_path(output)}" if to_file else ""),
              markup=False, soft_wrap=True)


@cli.command()
@click.argument("manifest", type=click.Path(dir_okay=False, path_type=Path))
def verify(manifest: Path) -> None:
    """Check an export against its manifest: the file's SHA-256 and its record count.

    \b
    Example:
      newscorpus verify cmca.parquet.manifest.json
    """
    from newscorpus.app.export import verify_export

    found = verify_export(manifest)
    out.print(f"ok: {found['file']} holds {found['rows']} records and matches its SHA-256 "
              f"(exported {found['created']} with newscorpus {found['version']})", markup=False)


def _print_records(records: list[dict[str, Any]], fmt: str, columns: tuple[str, ...]) -> None:
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    elif fmt == "jsonl":
        for record in records:
            click.echo(json.dumps(record, ensure_ascii=False))
    elif fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    elif not records:
        err.print("no matches")
    else:
        table = Table(*columns)
        for record in records:
            table.add_row(*(Text(str(record[c])) for c in columns))
        out.print(table)


def _print_timeline(records: list[dict[str, Any]], column: str) -> None:
    """Stories per period as a bar chart in the terminal, each with its share of all the period's stories."""
    if not records:
        err.print("no matches")
        return
    widest = max(r["stories"] for r in records) or 1
    for record in records:
        count = record["stories"]
        bar = "█" * max(round(40 * count / widest), 1 if count else 0)
        out.print(f"{record[column]:>10} {bar:<40} {count:>6}  {record['share']:6.1%} of {record['all_stories']}",
                  markup=False, highlight=False)


def _law_label(law: LawReference) -> str:
    """"Computer Misuse and Cybercrimes Act (2018), Sections 22, 23 [KE]"."""
    label = f"{law.name or '?'}{f' ({law.year})' if law.year else ''}{f', {law.section}' if law.section else ''}"
    return f"{label} [{law.jurisdiction}]" if law.jurisdiction else label


def _print_hits(hits: list[Any]) -> None:
    if not hits:
        err.print("no matches")
        return
    table = Table("id", "article", "source", "published", show_lines=True)
    for hit in hits:
        cell = Text(hit.title or hit.url, style="bold")
        cell.append("\n")
        cell.append_text(_highlighted(hit.snippet))
        cell.append(f"\n{hit.url}", style="dim")
        if hit.copies:
            cell.append(f"\nand {hit.copies} more outlet{'s' if hit.copies > 1 else ''}", style="italic")
        for kind, texts in (hit.matched or {}).items():
            cell.append(f"\nmatched {kind}: {'; '.join(dict.fromkeys(texts))}", style="green")
        table.add_row(str(hit.id), cell, Text(hit.source or ""), (hit.published or "")[:10])
    out.print(table)


def _highlighted(snippet: str) -> Text:
    """A `<b>`-marked snippet as rich Text with the matches in bold."""
    text = Text()
    bold = False
    for part in re.split(r"(</?b>)", snippet):
        if part in ("<b>", "</b>"):
            bold = part == "<b>"
        elif part:
            text.append(html.unescape(part), style="bold yellow" if bold else "")
    return text


@cli.command()
@click.argument("document_id", type=click.IntRange(1, 2**63 - 1))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def show(env: Env, document_id: int, fmt: str) -> None:
    """Show one document with the dates, places, laws and entities found in it, and its story's other copies.

    \b
    Examples:
      newscorpus show 42
      newscorpus show 42 --format json    # everything, with provenance: where each field came from
    """
    from newscorpus.app.documents import get_document

    view = get_document(env.store(read_only=True), document_id)
    if fmt == "json":
        click.echo(json.dumps(view.to_dict(), ensure_ascii=False, indent=2))
        return
    doc = view.document
    out.print(Text(doc.title or "(untitled)", style="bold"))
    out.print(f"{doc.url}\nsource: {doc.source}  published: {doc.published}  modified: {doc.modified}  "
              f"fetched: {doc.fetched_at}  language: {doc.language}  cluster: {doc.cluster_id}", markup=False)
    for url in view.other_urls:
        out.print(f"also at: {url}", markup=False)
    for copy in view.copies:
        out.print(f"copy {copy.id}: {copy.source or ''} {(copy.published or '')[:10]} {copy.url}", markup=False)
    if doc.nlp_note:
        out.print(f"NLP {doc.nlp_note}", markup=False)
    out.print()
    out.print(doc.text, markup=False)
    notes = doc.annotations
    sections: list[tuple[str, list[tuple[object, ...]], tuple[str, ...]]] = [
        ("about", [(f.name, f.country_code, f"{f.share:.0%}") for f in notes.focus],
         ("country or region", "country", "share of place mentions")),
        ("dates", [(d.text, d.type, d.value) for d in notes.dates], ("text", "type", "value")),
        ("places", [(p.text, p.name, p.country_code, p.admin1, p.geonameid) for p in notes.places],
         ("text", "name", "country", "admin1", "geonameid")),
        ("laws", [(law.text, law.name, law.year, law.section, law.jurisdiction) for law in notes.laws],
         ("text", "name", "year", "section", "jurisdiction")),
        ("entities", [(e.text, e.label) for e in notes.entities], ("text", "label")),
    ]
    for title, rows, columns in sections:
        if rows:
            table = Table(*columns, title=title, title_justify="left")
            for row in rows:
                table.add_row(*(Text("" if v is None else str(v)) for v in row))
            out.print(table)


# serve


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Another than 127.0.0.1 lets other machines in: changes (sources, saved "
                   "searches) then need the token in NEWSCORPUS_WEB_TOKEN.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes: one per core serves the most searches at once.")
@click.pass_obj
def serve(env: Env, host: str, port: int, workers: int) -> None:
    """Serve the search pages and the JSON API (described at /openapi.json) over the data directory. It only
    reads the corpus (a crawl or `watch` may run beside it; new stories appear within seconds), and writes only
    the sources and saved searches a user changes.

    \b
    Examples:
      newscorpus serve                              # then open http://127.0.0.1:8000/
      newscorpus --data /srv/news serve --port 8080 --workers 2
      curl 'http://127.0.0.1:8000/api/search?q=flood&place=Pakistan&facets=law'
      NEWSCORPUS_WEB_TOKEN=$(openssl rand -hex 16) newscorpus serve --host 0.0.0.0
    """
    import os

    from newscorpus.config import WEB_TOKEN_ENV
    from newscorpus.web.app import is_loopback
    from newscorpus.web.server import listen, serve as run_server

    token = os.environ.get(WEB_TOKEN_ENV) or None
    listener = listen(host, port)
    if not is_loopback(host) and token is None:
        err.print(f"warning: listening on {host}, reachable from other machines, with no {WEB_TOKEN_ENV}: the "
                  "corpus can be read but not changed", markup=False, soft_wrap=True)
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host

    def ready() -> None:
        err.print(f"serving {env.data_dir} at http://{shown}:{listener.getsockname()[1]}/ with {workers} process"
                  f"{'es' if workers > 1 else ''} (Ctrl-C stops)", markup=False, soft_wrap=True)
    run_server(env.data_dir, env.settings, listener, token=token, host=host, workers=workers, ready=ready)


# alerts


@cli.group()
def alerts() -> None:
    """Saved searches that tell you about new stories: for cron, mail or a feed reader (`newscorpus serve` gives each
    an Atom feed).

    \b
    Examples:
      newscorpus alerts add cmca 'law:"Computer Misuse and Cybercrimes Act" place:Nairobi'
      newscorpus alerts check                     # the stories new since the last check; exit 0 either way
    """


@alerts.command("add")
@click.argument("name")
@click.argument("query", default="")
@_filter_options
@click.pass_obj
def alerts_add(env: Env, /, name: str, query: str, **options: str | None) -> None:
    """Save QUERY (and filters) as NAME; it alerts on stories indexed from now on.

    \b
    Examples:
      newscorpus alerts add cmca 'law:"Computer Misuse and Cybercrimes Act" place:Nairobi'
      newscorpus alerts add floods flood --place Pakistan --tag asia
    """
    from newscorpus.app.alerts import save_search

    since, until = options.pop("since"), options.pop("until")
    filters = {name: value for name, value in options.items() if value is not None}
    if since or until:
        filters["published"] = f"{since or ''}..{until or ''}"
    store = env.store()
    saved = save_search(store, env.index(read_only=True), name, query, filters)
    out.print(f"saved {saved.name!r}: `newscorpus alerts check {saved.name}` lists the stories new since now",
              markup=False)


@alerts.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def alerts_list(env: Env, fmt: str) -> None:
    """List saved searches with their queries and when each was last checked.

    \b
    Examples:
      newscorpus alerts list
      newscorpus alerts list --format json
    """
    saved = env.store(read_only=True).list_saved_searches()
    records = [{"name": s.name, "query": " ".join([s.query, *(f"{k}:{v}" for k, v in s.filters.items())]).strip(),
                "created": s.created_at, "checked": s.checked_at or "never"} for s in saved]
    if fmt == "json":
        click.echo(json.dumps([s.to_dict() for s in saved], ensure_ascii=False, indent=2))
    else:
        _print_records(records, "table", ("name", "query", "created", "checked"))


@alerts.command("remove")
@click.argument("names", nargs=-1, required=True)
@click.pass_obj
def alerts_remove(env: Env, names: tuple[str, ...]) -> None:
    """Remove saved searches by name (or id).

    \b
    Example:
      newscorpus alerts remove cmca
    """
    from newscorpus.app.alerts import remove_saved_search

    for name in names:
        remove_saved_search(env.store(), name)
        out.print(f"removed {name!r}", markup=False)


@alerts.command("check")
@click.argument("name", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@click.pass_obj
def alerts_check(env: Env, name: str | None, fmt: str) -> None:
    """Print the stories each saved search (or NAME) matches that were indexed since its last check, newest first,
    then mark them seen: each story is reported once. Exits 0 whether or not there were any (1 when a saved search
    could not run; the others are still checked).

    \b
    Examples:
      newscorpus alerts check
      newscorpus alerts check cmca --format jsonl  # one {"alert", "id", "title", "url", ...} per new story
      */30 * * * * newscorpus --data /srv/news alerts check | mail -E -s "news alerts" me@example.org
    """
    from newscorpus.app.alerts import check_alerts

    store = env.store()
    index = env.index(read_only=True)
    index.check(store.count_documents(), store.count_documents(indexed=True))
    failed = []
    for found in check_alerts(store, index, name):
        if found.error is not None:
            failed.append(found.saved.name)
            err.print(f"error: saved search {found.saved.name!r} cannot run: {found.error}", markup=False,
                      soft_wrap=True)
            continue
        if fmt == "jsonl":
            for hit in found.new:
                click.echo(json.dumps({"alert": found.saved.name, "id": hit.id, "title": hit.title, "url": hit.url,
                                       "source": hit.source, "published": hit.published}, ensure_ascii=False))
            continue
        if not found.total:
            continue
        more = f" (the newest {len(found.new)} shown)" if found.total > len(found.new) else ""
        out.print(f"{found.saved.name}: {found.total} new {'story' if found.total == 1 else 'stories'}{more}",
                  markup=False)
        for hit in found.new:
            out.print(f"  {hit.id:>7}  {(hit.published or '')[:10]:<10}  {hit.title or hit.url}\n"
                      f"           {hit.url}", markup=False)
    if failed:
        raise ConfigError(f"{len(failed)} saved search(es) could not be checked: {', '.join(failed)} (the others were)")


# extract


def _read_bytes(file: Path) -> bytes:
    try:
        return sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    except FileNotFoundError:
        raise ExtractionError(f"no such file: {file}") from None
    except IsADirectoryError:
        raise ExtractionError(f"{file} is a directory, not a file") from None
    except OSError as exc:
        raise ExtractionError(f"cannot read {file}: {exc.strerror}") from exc


@contextlib.contextmanager
def _open_lines(file: Path) -> Iterator[Iterator[bytes]]:
    if str(file) == "-":
        yield iter(sys.stdin.buffer)
        return
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise ExtractionError(f"no such file: {file}") from None
    except OSError as exc:
        raise ExtractionError(f"cannot read {file}: {exc.strerror}") from exc
    with handle:
        yield iter(handle)


def _parse_day(value: str | None, what: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{what} must be a date as YYYY-MM-DD, got {value!r}") from None


@cli.command()
@click.argument("file", type=click.Path(dir_okay=True, path_type=Path, allow_dash=True), default="-")
@click.option("--published", default=None, metavar="YYYY-MM-DD",
              help="Publication date that relative dates resolve against (default: today).")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True)
@click.option("--jsonl", is_flag=True, help='Read {"id", "text", "published"} per line; write one result per line.')
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Processes (with --jsonl).")
@click.pass_obj
def extract(env: Env, file: Path, published: str | None, fmt: str, jsonl: bool, workers: int) -> None:
    """Find dates, places, law references and entities in text, without storing anything.

    \b
    Examples:
      newscorpus extract article.txt --published 2026-03-10
      echo 'Flooding hit Lahore last week.' | newscorpus extract -
      newscorpus extract --jsonl texts.jsonl --workers 2 > found.jsonl
    """
    from newscorpus.app.extract import annotate_text, decode_text, extract_jsonl

    default_day = _parse_day(published, "--published") or date.today()
    if jsonl:
        with _open_lines(file) as lines:
            bad = extract_jsonl(lines, env.settings, default_day, workers, click.echo)
        if bad:
            raise ExtractionError(f"{bad} input line(s) were not valid records; see their \"error\" fields")
        return
    text = decode_text(_read_bytes(file), "standard input" if str(file) == "-" else str(file))
    annotations = annotate_text(text, default_day, env.settings)
    if fmt == "json":
        click.echo(json.dumps(annotations.to_dict(), ensure_ascii=False, indent=2))
        return
    table = Table("kind", "text", "start", "end", "normalised")
    for d in annotations.dates:
        table.add_row("date", Text(d.text), str(d.start), str(d.end), f"{d.type} {d.value}")
    for p in annotations.places:
        table.add_row("place", Text(p.text), str(p.start), str(p.end), f"{p.name} ({p.country_code}) {p.geonameid}")
    for law in annotations.laws:
        table.add_row("law", Text(law.text), str(law.start), str(law.end),
                      Text(_law_label(law)))
    for e in annotations.entities:
        table.add_row("entity", Text(e.text), str(e.start), str(e.end), e.label)
    out.print(table)


# maintenance


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def stats(env: Env, fmt: str) -> None:
    """Counts of sources, documents, URLs by state, and annotations, and whether the search index is whole.

    \b
    Examples:
      newscorpus stats
      newscorpus stats --format json | jq .documents
    """
    figures = env.store(read_only=True).stats()
    try:
        index = env.index(read_only=True)
    except StorageError as exc:  # a damaged index: the store's figures still stand
        figures["indexed_in_search"], figures["search_index"] = None, str(exc)
    else:
        figures["indexed_in_search"] = index.count()
        documents, unindexed = int(figures["documents"]), int(figures["documents_unindexed"])  # type: ignore[call-overload]
        problem = index.problem(documents, documents - unindexed)
        figures["search_index"] = "ok" if problem is None else f"{problem}: run `newscorpus reindex`"
    figures["data_dir"] = str(env.data_dir)
    if fmt == "json":
        out.print_json(data=figures)
        return
    table = Table("what", "count", show_header=False)
    for key, value in figures.items():
        shown = ", ".join(f"{k}: {v}" for k, v in value.items()) if isinstance(value, dict) else str(value)
        table.add_row(key, Text(shown or "-"))
    out.print(table)


@cli.command()
@click.pass_obj
def reindex(env: Env) -> None:
    """Rebuild the search index from the store, beside the old one: searches use the old index until the new one
    is complete, and a failed rebuild leaves it as it was.

    \b
    Examples:
      newscorpus reindex                        # after `stats` says the index needs it
      newscorpus --data /srv/news reindex
    """
    from newscorpus.app.indexing import reindex as rebuild_index
    from newscorpus.corpus.lock import DataDirLock

    store = env.store()
    with DataDirLock(env.data_dir, "reindex"), _progress() as progress:  # no crawl writes the index meanwhile
        count = rebuild_index(store, env.index(), progress)
    out.print(f"indexed {count} document(s)")


@cli.group()
def db() -> None:
    """The store's database: SQLite in the data directory, or PostgreSQL when the database_url setting names one.

    \b
    Examples:
      newscorpus db upgrade
    """


@db.command("upgrade")
@click.pass_obj
def db_upgrade(env: Env) -> None:
    """Create or upgrade the store's schema. A PostgreSQL database (the database_url setting) needs it before its
    first use and after each upgrade of newscorpus: run it once, from one machine (others wait for it). A SQLite
    file is also upgraded by any command that writes it.

    \b
    Examples:
      export NEWSCORPUS_DATABASE_URL=postgresql://news@db.example:5432/news
      newscorpus db upgrade                       # then run crawls and workers against it
      newscorpus --data /srv/news db upgrade      # the SQLite file there
    """
    from newscorpus.app.database import upgrade_database

    before, after, where = upgrade_database(env.data_dir, env.settings.database_url)
    out.print(f"{where}: schema {after}" + (" (already current)" if before == after else f" (was {before})"),
              markup=False, highlight=False)


@cli.command("settings")
@click.pass_obj
def settings_command(env: Env) -> None:
    """Show every setting with its value in effect and its help.

    \b
    Examples:
      newscorpus settings
      newscorpus --setting per_host_delay 5 settings   # what a run with that override would use
    """
    table = Table("setting", "value", show_lines=True)
    table.columns[0].no_wrap = True
    for name, default, help_text in Settings.help_table():
        value = env.settings.shown(name)
        cell = Text(str(value), style="bold")
        cell.append(f"\n{help_text}" + ("" if value == default else f" (default: {default})"), style="dim")
        table.add_row(name, cell)
    out.print(table)


@cli.command()
@click.option("--keep", is_flag=True, help="Keep the demo corpus in the data directory instead of a temporary one.")
@click.pass_obj
def demo(env: Env, keep: bool) -> None:
    """Crawl a small bundled news site on 127.0.0.1 and run a few searches, offline.

    \b
    Examples:
      newscorpus demo
      newscorpus --data demo-data demo --keep   # keep the corpus, then: newscorpus --data demo-data search flood
    """
    from newscorpus.app.demo import run_demo

    if keep:
        env.store(create=True)  # the demo corpus goes into the data directory: create it as `sources add` would
    with _progress() as progress:
        result = run_demo(env.settings, env.data_dir if keep else None, progress)
    out.print(f"Crawled the bundled demo site at {result.site_url} into {result.data_dir}", markup=False)
    _print_summary(result.summary)
    for query, hits in result.searches:
        out.print()
        out.print(Text(f"$ newscorpus search '{query}'", style="bold cyan"))
        _print_hits(hits)
    if result.sample is not None:
        out.print()
        out.print(Text(f"What the NLP found in “{result.sample.title}”:", style="bold cyan"))
        notes = result.sample.annotations
        for d in notes.dates[:6]:
            out.print(f"  date   {d.text!r:<28} → {d.type} {d.value}", markup=False)
        for p in notes.places[:6]:
            out.print(f"  place  {p.text!r:<28} → {p.name}, {p.country_code} (GeoNames {p.geonameid})", markup=False)
        for law in notes.laws[:6]:
            out.print(f"  law    {law.text!r:<28} → {_law_label(law)}", markup=False)
    if not keep:
        out.print("\n(temporary corpus removed; run `newscorpus demo --keep` to keep it in the data directory)")
