"""The JSON API: search, facets, timeline, documents, sources, saved searches and exports, each a use case of
newscorpus.app formatted as JSON; every error has the shape {"ok": false, "error", "status"}."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Annotated, Any, Literal

from urllib.parse import quote

from fastapi import APIRouter, Depends, Path as PathParameter, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from newscorpus.app.alerts import atom_feed, find_saved_search, newest_matches, remove_saved_search, save_search
from newscorpus.app.documents import get_document
from newscorpus.app.export import export_matches
from newscorpus.app.search import MAX_FACET_SIZE, MAX_PAGE_SIZE, MAX_QUERY_CHARS, SearchRequest, search
from newscorpus.app.sources import add_source, configure_source, find_source, remove_source
from newscorpus.corpus.query import FILTERS, given_filters
from newscorpus.models import EXPORT_FORMATS
from newscorpus.web.app import error_body, web_of

router = APIRouter(prefix="/api", tags=["api"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": meaning, "content": {"application/json": {"example": error_body(status, meaning)}}}
    for status, meaning in ((400, "a query, filter or value that cannot be used"), (404, "no such document, source "
                            "or saved search"), (403, "a change this server does not allow"),
                            (503, "the corpus cannot answer now (a search too long, an index to rebuild)"))
}

# The names of newscorpus.models (FACET_NAMES, TIMELINE_INTERVALS), spelled out for the OpenAPI document.
Interval = Literal["day", "week", "month", "year", "auto"]
Facet = Literal["country", "region", "place", "law", "source", "language", "author", "person", "organisation"]


async def search_request(
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="Words, \"phrases\" and filters in the "
                                                                      "query language (see `newscorpus search --help`)")] = "",
    place: Annotated[str | None, Query(max_length=200)] = None,
    law: Annotated[str | None, Query(max_length=200)] = None,
    country: Annotated[str | None, Query(max_length=200)] = None,
    source: Annotated[str | None, Query(max_length=200)] = None,
    tag: Annotated[str | None, Query(max_length=200)] = None,
    lang: Annotated[str | None, Query(max_length=200)] = None,
    mentions: Annotated[str | None, Query(max_length=200)] = None,
    published: Annotated[str | None, Query(max_length=200)] = None,
    section: Annotated[str | None, Query(max_length=200)] = None,
    cluster: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[str | None, Query(alias="from", max_length=40, description="published on or after")] = None,
    until: Annotated[str | None, Query(alias="to", max_length=40, description="published on or before")] = None,
    sort: Literal["relevance", "date"] = "relevance",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=0, le=MAX_PAGE_SIZE)] = 10,
    all_copies: bool = False,
    matched: bool = False,
    facets: Annotated[list[Facet] | None, Query()] = None,
    facet_size: Annotated[int, Query(ge=1, le=MAX_FACET_SIZE)] = 10,
    timeline: Interval | None = None,
) -> SearchRequest:
    """A search request from the query string: the same query language and filters as the CLI. (async, as
    it waits for nothing: FastAPI would run a plain function on a worker thread, a hop per request.)"""
    given = {"place": place, "law": law, "country": country, "source": source, "tag": tag, "lang": lang,
             "mentions": mentions, "published": published, "section": section, "cluster": cluster}
    return SearchRequest(q, {k: v for k, v in given.items() if v}, since or None, until or None, sort, page,
                         page_size, all_copies, matched, tuple(dict.fromkeys(facets or ())), facet_size, timeline)


Searched = Annotated[SearchRequest, Depends(search_request)]


def _json(data: Any) -> Response:
    """JSON written straight from plain data: FastAPI's encoder walks every value again, a few milliseconds a
    search."""
    return Response(json.dumps(data, ensure_ascii=False, separators=(",", ":")), media_type="application/json")


@router.get("/search", responses=_ERRORS)
async def api_search(request: Request, wanted: Searched) -> Response:
    """A page of hits, the total number of matching stories, facets and a timeline when asked, and how each
    filter was understood (with the stories it matches on its own)."""
    web = web_of(request)
    response = await web.run(lambda: search(web.reader.store(), web.reader.index(), wanted).to_dict())
    return _json(response)


@router.get("/facets/{facet}", responses=_ERRORS)
async def api_facets(request: Request, facet: Facet, wanted: Searched) -> dict[str, Any]:
    """Stories per value of one facet over every match (each syndicated story once), the most frequent first."""
    web = web_of(request)
    asked = replace(wanted, page_size=0, facets=(facet,))
    response = await web.run(lambda: search(web.reader.store(), web.reader.index(), asked))
    return {"facet": facet, "total": response.total, "values": response.to_dict()["facets"][facet]}


@router.get("/timeline", responses=_ERRORS)
async def api_timeline(request: Request, wanted: Searched, interval: Interval = "auto") -> dict[str, Any]:
    """Matching stories per period, and their share of all the stories published then (normalised attention)."""
    web = web_of(request)
    asked = replace(wanted, page_size=0, timeline=interval)
    response = await web.run(lambda: search(web.reader.store(), web.reader.index(), asked))
    found: dict[str, Any] = response.to_dict()["timeline"]
    return {"total": response.total, **found}


@router.get("/documents/{document_id}", responses=_ERRORS)
async def api_document(request: Request, document_id: Annotated[int, PathParameter(ge=1, le=2**62)]) -> Response:
    """One document: text, metadata with where each field came from, the dates, places, laws and entities found,
    the other URLs it was seen at, and its story's other copies."""
    web = web_of(request)
    return _json(await web.run(lambda: get_document(web.reader.store(), document_id).to_dict()))


class NewSource(BaseModel):
    url: str = Field(max_length=2000, description="a feed URL, or a site's homepage whose feeds are found")
    title: str | None = Field(default=None, max_length=300)
    tags: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list, max_length=50)


class SourceChange(BaseModel):
    enabled: bool | None = None
    title: str | None = Field(default=None, max_length=300)
    tags: list[Annotated[str, Field(max_length=100)]] | None = Field(default=None, max_length=50)


@router.get("/sources", responses=_ERRORS)
async def api_sources(request: Request) -> list[dict[str, Any]]:
    """Every source with its health: new items a day, last success, failures in a row, last error."""
    web = web_of(request)
    found = await web.run(lambda: web.reader.store().list_sources())
    return [asdict(s) for s in found]


@router.post("/sources", status_code=201, responses=_ERRORS)
async def api_add_source(request: Request, new: NewSource) -> dict[str, Any]:
    """Add a source (it is crawled by the next `newscorpus crawl` or `watch`)."""
    web = web_of(request)
    web.check_write(request)

    def add() -> dict[str, Any]:
        with web.reader.writing() as store:
            source, created = add_source(store, new.url, new.title, new.tags)
        return {"created": created, **asdict(source)}
    return await web.run(add)


@router.patch("/sources/{source_id}", responses=_ERRORS)
async def api_change_source(request: Request, source_id: Annotated[int, PathParameter(ge=1, le=2**62)],
                            change: SourceChange) -> dict[str, Any]:
    """Enable or disable a source, or change its title or tags."""
    web = web_of(request)
    web.check_write(request)
    changes = {k: (tuple(v) if k == "tags" else v) for k, v in change.model_dump(exclude_none=True).items()}

    def apply() -> dict[str, Any]:
        with web.reader.writing() as store:
            return asdict(configure_source(store, str(source_id), changes))
    return await web.run(apply)


@router.delete("/sources/{source_id}", responses=_ERRORS)
async def api_remove_source(request: Request,
                            source_id: Annotated[int, PathParameter(ge=1, le=2**62)]) -> dict[str, Any]:
    """Remove a source (its stored stories stay)."""
    web = web_of(request)
    web.check_write(request)

    def remove() -> dict[str, Any]:
        with web.reader.writing() as store:
            source = find_source(store, str(source_id))
            remove_source(store, str(source_id))
        return {"removed": source.id, "url": source.url}
    return await web.run(remove)


class NewSavedSearch(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    q: str = Field(default="", max_length=MAX_QUERY_CHARS)
    filters: dict[Annotated[str, Field(max_length=20)], Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict, max_length=len(FILTERS))


@router.get("/searches", responses=_ERRORS)
async def api_saved_searches(request: Request) -> list[dict[str, Any]]:
    """Every saved search (alerts)."""
    web = web_of(request)
    return [s.to_dict() for s in await web.run(lambda: web.reader.store().list_saved_searches())]


@router.post("/searches", status_code=201, responses=_ERRORS)
async def api_save_search(request: Request, new: NewSavedSearch) -> dict[str, Any]:
    """Save a query and its filters under a name; its Atom feed is /searches/{name}/feed.atom."""
    web = web_of(request)
    web.check_write(request)
    given_filters(new.filters)  # an unknown filter name is a client error

    def save() -> dict[str, Any]:
        with web.reader.writing() as store:
            return save_search(store, web.reader.index(), new.name, new.q, new.filters).to_dict()
    return await web.run(save)


@router.get("/searches/{name}", responses=_ERRORS)
async def api_saved_search(request: Request, name: Annotated[str, PathParameter(max_length=100)]) -> dict[str, Any]:
    """A saved search with its newest matches (every outlet's copy)."""
    web = web_of(request)

    def newest() -> dict[str, Any]:
        saved = find_saved_search(web.reader.store(), name)
        return {**saved.to_dict(), "newest": newest_matches(web.reader.store(), web.reader.index(), saved).to_dict()}
    return await web.run(newest)


@router.delete("/searches/{name}", responses=_ERRORS)
async def api_remove_saved_search(request: Request,
                                  name: Annotated[str, PathParameter(max_length=100)]) -> dict[str, Any]:
    """Remove a saved search."""
    web = web_of(request)
    web.check_write(request)

    def remove() -> dict[str, Any]:
        with web.reader.writing() as store:
            remove_saved_search(store, name)
        return {"removed": name}
    return await web.run(remove)


@router.get("/export", responses={**_ERRORS, 200: {"description": "the file, streamed; its manifest in the "
                                                                   "X-Newscorpus-Manifest header (JSON)"}})
async def api_export(request: Request, wanted: Searched,
                     format: Literal["jsonl", "csv", "parquet"] = "jsonl") -> Response:
    """Every story the search matches (no cap, every copy), as `newscorpus export` writes it: JSON lines, CSV or
    Parquet, with the same manifest."""
    assert format in EXPORT_FORMATS
    web = web_of(request)
    folder = Path(tempfile.mkdtemp(prefix="newscorpus-export-"))
    output = folder / f"newscorpus-export.{format}"
    filters = given_filters(wanted.filters, wanted.since, wanted.until)
    try:  # an export is complete, however long it takes: not under the search time limit
        manifest = await web.run(lambda: export_matches(web.reader.store(), web.reader.index(), web.settings,
                                                        wanted.query, filters, format, output), limit=False)
    except BaseException:
        _remove(folder)
        raise
    media = {"jsonl": "application/x-ndjson", "csv": "text/csv", "parquet": "application/vnd.apache.parquet"}

    def stream() -> Iterator[bytes]:
        try:
            with output.open("rb") as data:
                while block := data.read(1 << 16):
                    yield block
        finally:
            _remove(folder)
    return StreamingResponse(stream(), media_type=media[format], background=BackgroundTask(_remove, folder), headers={
        "Content-Disposition": f'attachment; filename="{output.name}"',
        "X-Newscorpus-Manifest": json.dumps(manifest, ensure_ascii=True, separators=(",", ":"))})


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


@router.get("/stats", responses=_ERRORS)
async def api_stats(request: Request) -> dict[str, Any]:
    """Counts of sources, documents, URLs by state and annotations."""
    web = web_of(request)
    return await web.run(lambda: dict(web.reader.store().stats()))


def atom_response(request: Request, name: str) -> Response:
    """A saved search's Atom feed (served at /searches/{name}/feed.atom by the pages)."""
    web = web_of(request)
    saved = find_saved_search(web.reader.store(), name)
    response = newest_matches(web.reader.store(), web.reader.index(), saved)
    base = str(request.base_url).rstrip("/")
    page = f"{base}/searches/{_quote(saved.name)}"
    xml = atom_feed(saved, response, f"{page}/feed.atom", page, f"{base}/documents/{{id}}")
    return Response(xml, media_type="application/atom+xml")


def _quote(name: str) -> str:
    return quote(name, safe="")
