"""The pages: search (filters, facets, a timeline, a map, results), a document with what was found in it marked
up, sources with their health, and saved searches with their feeds. Every page works without JavaScript: a search
and its filters are a plain URL to bookmark and share."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Path as PathParameter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from newscorpus.app.alerts import find_saved_search, newest_matches, remove_saved_search, save_search
from newscorpus.app.documents import get_document
from newscorpus.app.filters import town_location
from newscorpus.app.search import SearchRequest, SearchResponse, search
from newscorpus.app.sources import add_source, configure_source, find_source, remove_source
from newscorpus.corpus.query import FILTERS
from newscorpus.errors import ConfigError, NewscorpusError
from newscorpus.web._map import MapPoint, world_map_svg
from newscorpus.web._markup import marked_article, marked_snippet, timeline_chart
from newscorpus.web.api import atom_response, search_request
from newscorpus.web.app import html, web_of

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
# The facets the search page lists beside the results, with their titles.
PAGE_FACETS = {"country": "Countries", "place": "Places", "law": "Laws", "source": "Sources",
               "person": "People", "organisation": "Organisations", "language": "Languages"}
# Filter controls of the search form, in order: (name, label, example).
FILTER_CONTROLS = (("place", "Place", "Nairobi"), ("law", "Law", "PECA"), ("country", "Country", "KE"),
                   ("source", "Source", "nation.africa"), ("tag", "Collection", "africa"), ("lang", "Language", "en"),
                   ("mentions", "Mentions a date in", "2025-06"))
_FACET_FILTER = {"country": "country", "place": "place", "law": "law", "source": "source", "language": "lang"}


async def page_request(request: Request, wanted: Annotated[SearchRequest, Depends(search_request)]) -> SearchRequest:
    """The search page's request: a page of results (20 unless asked), the facets it lists and a timeline."""
    size = wanted.page_size if "page_size" in request.query_params else PAGE_SIZE
    return replace(wanted, page_size=size, facets=(*PAGE_FACETS, "region"), facet_size=12,
                   timeline=wanted.timeline or "auto")


def search_url(request: SearchRequest, **changes: str | None) -> str:
    """The URL of the search page for a request with some parameters changed (None removes one)."""
    params: dict[str, str] = {"q": request.query, **request.filters}
    if request.since:
        params["from"] = request.since
    if request.until:
        params["to"] = request.until
    if request.sort != "relevance":
        params["sort"] = request.sort
    if request.all_copies:
        params["all_copies"] = "true"
    if request.page_size != PAGE_SIZE:
        params["page_size"] = str(request.page_size)
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
    return "/?" + urlencode({k: v for k, v in params.items() if v})


@router.get("/", response_class=HTMLResponse)
async def search_page(request: Request, wanted: Annotated[SearchRequest, Depends(page_request)]) -> Response:
    web = web_of(request)
    try:
        response = await web.run(lambda: search(web.reader.store(), web.reader.index(), wanted))
    except NewscorpusError as exc:  # a bad query: the form again, with what was wrong
        if exc.http_status >= 500:
            raise
        return html(request, "search.html", status=exc.http_status, request_=wanted, error=str(exc), response=None,
                    controls=FILTER_CONTROLS, facet_titles=PAGE_FACETS)
    return html(request, "search.html", request_=wanted, response=response, error=None, controls=FILTER_CONTROLS,
                facet_titles=PAGE_FACETS, **_search_parts(wanted, response))


def _search_parts(wanted: SearchRequest, response: SearchResponse) -> dict[str, Any]:
    """What the search template shows beyond the response: links that narrow, the chart, the map, the pages."""
    facet_links = {
        name: [(value, count, search_url(wanted, **{_FACET_FILTER[name]: _filter_value(name, value), "page": None}))
               if name in _FACET_FILTER else (value, count, search_url(wanted, q=f'{wanted.query} "{value}"'.strip(),
                                                                       page=None))
               for value, count in response.facets.get(name, [])]
        for name in PAGE_FACETS
    }
    chart = timeline_chart(response.timeline or [], [share for _, share in response.attention or []],
                           lambda period: search_url(wanted, published=period, page=None))
    countries = dict(response.facets.get("country", []))
    points = []
    for value, count in response.facets.get("place", []):
        location = town_location(_filter_value("place", value))
        if location is not None:
            points.append(MapPoint(value, *location, count, _filter_value("place", value)))
    world = world_map_svg(countries, points, link=lambda key: search_url(
        wanted, **({"country": key} if len(key) == 2 and key.isupper() else {"place": key}), page=None))
    first = (wanted.page - 1) * wanted.page_size
    return {
        "facet_links": facet_links, "chart": chart, "world": Markup(world),  # every text in it escaped by _map
        "snippets": {hit.id: marked_snippet(hit.snippet) for hit in response.hits},
        "first": first + 1, "last": first + len(response.hits),
        "previous": search_url(wanted, page=str(wanted.page - 1)) if wanted.page > 1 else None,
        "next": search_url(wanted, page=str(wanted.page + 1)) if wanted.page < response.pages else None,
        "export": {fmt: "/api/export?" + search_url(wanted, format=fmt).removeprefix("/?")
                   for fmt in ("csv", "jsonl", "parquet")},
        "copies_link": {hit.id: search_url(wanted, q="", cluster=str(hit.cluster_id), all_copies="true", page=None)
                        for hit in response.hits if hit.cluster_id is not None and hit.copies},
        "by_date": search_url(wanted, sort="date", page=None), "by_relevance": search_url(wanted, sort=None, page=None),
        **_saved_as(wanted),
    }


def _saved_as(wanted: SearchRequest) -> dict[str, Any]:
    """The query and filters that save a search as shown. A saved search keeps one value a filter, so dates
    from the from/to fields go into the query when a published: filter is given too (both must hold)."""
    filters, query = dict(wanted.filters), wanted.query
    if wanted.since or wanted.until:
        bounds = f"{wanted.since or ''}..{wanted.until or ''}"
        if "published" in filters:
            query = f'({query}) published:"{bounds}"' if query.strip() else f'published:"{bounds}"'
        else:
            filters["published"] = bounds
    return {"save_query": query, "save_filters": filters}


def _filter_value(facet: str, value: str) -> str:
    """A facet value as its filter writes it: "Mombasa (KE)" is the place "Mombasa, KE"."""
    if facet == "place" and value.endswith(")") and " (" in value:
        name, _, code = value[:-1].rpartition(" (")
        return f"{name}, {code}"
    return value


@router.get("/documents/{document_id}", response_class=HTMLResponse)
async def document_page(request: Request, document_id: Annotated[int, PathParameter(ge=1, le=2**62)]) -> Response:
    web = web_of(request)
    view = await web.run(lambda: get_document(web.reader.store(), document_id))
    article = marked_article(view.document.text, view.document.annotations,
                             lambda place: "/?" + urlencode({"place": place}),
                             lambda law: "/?" + urlencode({"law": law}))
    return html(request, "document.html", view=view, doc=view.document, article=article)


@router.get("/sources", response_class=HTMLResponse)
async def sources_page(request: Request) -> Response:
    web = web_of(request)
    found = await web.run(lambda: web.reader.store().list_sources())
    return html(request, "sources.html", sources=found)


@router.post("/sources")
async def sources_change(request: Request, csrf: Annotated[str, Form(max_length=100)],
                         action: Annotated[str, Form(max_length=20)],
                         url: Annotated[str, Form(max_length=2000)] = "",
                         tags: Annotated[str, Form(max_length=500)] = "",
                         source_id: Annotated[int, Form(ge=0, le=2**62)] = 0,
                         token: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Add a source, or disable, enable or remove one, from the sources page."""
    web = web_of(request)
    web.check_csrf(csrf)
    web.check_write(request, token)

    def change() -> None:
        with web.reader.writing() as store:
            if action == "add":
                add_source(store, url.strip(), None, [t.strip() for t in tags.split(",") if t.strip()])
            elif action in ("disable", "enable"):
                configure_source(store, str(source_id), {"enabled": action == "enable"})
            elif action == "remove":
                remove_source(store, str(find_source(store, str(source_id)).id))
            else:
                raise ConfigError(f"no such action {action!r}")
    await web.run(change)
    return RedirectResponse("/sources", status_code=303)


@router.get("/searches", response_class=HTMLResponse)
async def saved_searches_page(request: Request) -> Response:
    web = web_of(request)
    saved = await web.run(lambda: web.reader.store().list_saved_searches())
    return html(request, "searches.html", saved=saved, quote=quote)


@router.post("/searches")
async def saved_search_change(request: Request, csrf: Annotated[str, Form(max_length=100)],
                              action: Annotated[str, Form(max_length=20)],
                              name: Annotated[str, Form(max_length=100)],
                              q: Annotated[str, Form(max_length=2000)] = "",
                              token: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Save the search the form carries (its filters as fields of the same names), or remove a saved search."""
    web = web_of(request)
    web.check_csrf(csrf)
    web.check_write(request, token)
    form = await request.form()
    filters = {field: str(form[field]) for field in FILTERS if form.get(field)}

    def change() -> None:
        with web.reader.writing() as store:
            if action == "save":
                save_search(store, web.reader.index(), name, q, filters)
            elif action == "remove":
                remove_saved_search(store, name)
            else:
                raise ConfigError(f"no such action {action!r}")
    await web.run(change)
    target = f"/searches/{quote(' '.join(name.split()), safe='')}" if action == "save" else "/searches"
    return RedirectResponse(target, status_code=303)


@router.get("/searches/{name}", response_class=HTMLResponse)
async def saved_search_page(request: Request, name: Annotated[str, PathParameter(max_length=100)]) -> Response:
    web = web_of(request)

    def load() -> tuple[Any, SearchResponse]:
        saved = find_saved_search(web.reader.store(), name)
        return saved, newest_matches(web.reader.store(), web.reader.index(), saved)
    saved, response = await web.run(load)
    request_ = SearchRequest(saved.query, dict(saved.filters))
    return html(request, "saved.html", saved=saved, response=response, search_link=search_url(request_),
                feed=f"/searches/{quote(saved.name, safe='')}/feed.atom",
                snippets={hit.id: marked_snippet(hit.snippet) for hit in response.hits})


@router.get("/searches/{name}/feed.atom")
async def saved_search_feed(request: Request, name: Annotated[str, PathParameter(max_length=100)]) -> Response:
    web = web_of(request)
    return await web.run(atom_response, request, name)
