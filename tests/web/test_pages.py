"""The pages over a crawled corpus, read as HTML: search with its filters, facets, chart and map; a document
marked up; sources and saved searches changed through their forms; untrusted text escaped; reading that never
writes; and new stories seen while a crawl runs beside the server."""

from __future__ import annotations

import re
import time
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import feedparser
import httpx

from newscorpus.corpus.store import DATABASE_NAME
from tests.conftest import LocalSite
from tests.test_cli import run
from tests.web.conftest import web_client

STRIKE = "Dock workers end week-long strike at Mombasa port"


def _links(page: str, css_class: str | None = None) -> list[str]:
    pattern = r'<a[^>]*href="([^"]+)"' if css_class is None else rf'<a[^>]*class="{css_class}"[^>]*href="([^"]+)"'
    return [unescape(href) for href in re.findall(pattern, page)]


def test_pages_search_shows_hits_facets_chart_and_map(client: httpx.Client) -> None:
    page = client.get("/", params={"q": "strike OR glaciers OR library"}).text
    assert STRIKE in page and 'id="timeline"' in page and "<svg" in page and 'id="map"' in page
    assert re.search(r"Stories 1–\d+ of \d+", page)
    # a facet value is a link that narrows the search by that filter, keeping the query
    narrowing = [href for href in _links(page) if "place=" in href]
    assert narrowing and all(parse_qs(urlsplit(h).query)["q"] == ["strike OR glaciers OR library"] for h in narrowing)
    mombasa = next(h for h in narrowing if "Mombasa" in h)
    narrowed = client.get(mombasa).text
    assert STRIKE in narrowed and "Survey finds Alpine glaciers" not in narrowed
    assert "place: Mombasa" in narrowed  # how the filter was understood
    # the map's countries link to the search in that country
    assert any("country=KE" in href for href in _links(page))
    assert any(href.startswith("/api/export?") and "format=csv" in href for href in _links(page))


def test_pages_bad_query_is_the_form_again_with_the_error(client: httpx.Client) -> None:
    response = client.get("/", params={"q": '"unclosed'})
    assert response.status_code == 400
    assert 'id="error"' in response.text and "query error" in response.text
    assert 'value="&#34;unclosed"' in response.text  # the form keeps what was typed, escaped


def test_pages_document_marks_up_laws_places_and_dates(client: httpx.Client) -> None:
    page = client.get("/", params={"q": "dock strike"}).text
    document = next(h for h in _links(page, "title") if h.startswith("/documents/"))
    text = client.get(document).text
    assert re.search(r'<a class="law" title="Labour Relations Act[^"]*" href="/\?law=Labour\+Relations\+Act">', text)
    assert re.search(r'<a class="place" title="Mombasa[^"]*" href="/\?place=Mombasa%2C\+KE">Mombasa</a>', text)
    assert re.search(r'<time class="date" title="DATE \d{4}', text)
    assert 'id="copies"' in text  # the other outlets' copies
    assert client.get("/documents/999999").status_code == 404


def test_pages_show_untrusted_text_inert(client: httpx.Client, crawled: Path, site: LocalSite) -> None:
    assert run(crawled, "sources", "add", site.url("/payload/feed.xml")).exit_code == 0
    assert run(crawled, "crawl").exit_code == 0
    deadline = time.monotonic() + 10
    while "Council minutes" not in (page := client.get("/", params={"q": "council"}).text):
        assert time.monotonic() < deadline
        time.sleep(0.3)
    document = next(h for h in _links(page, "title") if h.startswith("/documents/"))
    for html in (page, client.get(document).text):
        assert "&lt;img src=x onerror=window.pwned=1&gt;" in html
        assert "<img src=x" not in html and "<script>window" not in html
        assert not re.search(r"<script(?! src=\"/static/app.js\")", html)


def test_pages_forms_change_sources_and_saved_searches(client: httpx.Client) -> None:
    page = client.get("/sources").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert csrf
    for forged in ("forged", "é" * 64):  # any text at all: a refusal, never an error
        refused = client.post("/sources", data={"csrf": forged, "action": "add", "url": "https://example.net/"})
        assert refused.status_code == 403
    added = client.post("/sources", data={"csrf": csrf[1], "action": "add", "url": "https://example.net/feed.xml",
                                          "tags": "test, other"})
    assert added.status_code == 303 and added.headers["location"] == "/sources"
    listed = client.get("/sources").text
    source_id = re.search(r"<td>(\d+)</td>\s*<td><a href=\"/\?source=https%3A//example\.net/feed\.xml\"", listed)
    assert source_id
    client.post("/sources", data={"csrf": csrf[1], "action": "disable", "source_id": source_id[1]})
    assert 'class="disabled"' in client.get("/sources").text
    client.post("/sources", data={"csrf": csrf[1], "action": "remove", "source_id": source_id[1]})
    assert "example.net/feed.xml" not in client.get("/sources").text

    saved = client.post("/searches", data={"csrf": csrf[1], "action": "save", "name": "kenyan ports", "q": "strike",
                                           "country": "KE"})
    assert saved.status_code == 303 and saved.headers["location"] == "/searches/kenyan%20ports"
    page = client.get(saved.headers["location"]).text
    assert STRIKE in page and 'href="/searches/kenyan%20ports/feed.atom"' in page
    feed = feedparser.parse(client.get("/searches/kenyan%20ports/feed.atom").content)
    assert STRIKE in {entry.title for entry in feed.entries}
    client.post("/searches", data={"csrf": csrf[1], "action": "remove", "name": "kenyan ports"})
    assert client.get("/searches/kenyan%20ports").status_code == 404


def test_pages_reading_writes_nothing(crawled: Path) -> None:
    def digest() -> dict[str, int]:
        return {str(p.relative_to(crawled)): p.stat().st_mtime_ns for p in crawled.rglob("*")
                if p.is_file() and not p.name.startswith(DATABASE_NAME + "-")}

    with web_client(crawled) as client:
        before = digest()
        for path in ("/", "/?q=strike&place=Kenya", "/sources", "/searches", "/api/search?facets=law&timeline=auto",
                     "/api/documents/1", "/api/sources", "/api/export?format=csv", "/openapi.json"):
            assert client.get(path).status_code == 200, path
        assert digest() == before


def test_pages_see_stories_a_crawl_indexes_beside_the_server_and_follow_a_reindex(
        tmp_path: Path, site: LocalSite) -> None:
    assert run(tmp_path, "sources", "add", site.url("/news/")).exit_code == 0
    assert run(tmp_path, "crawl").exit_code == 0
    with web_client(tmp_path) as client:
        before = client.get("/api/search").json()["total"]
        assert run(tmp_path, "sources", "add", site.url("/wire/feed.xml")).exit_code == 0
        assert run(tmp_path, "crawl").exit_code == 0
        crawled_at = time.monotonic()
        while client.get("/api/search", params={"all_copies": "true"}).json()["total"] <= before:
            assert time.monotonic() - crawled_at < 5, "a new story took over 5 s to appear"
            time.sleep(0.2)
        total = client.get("/api/search").json()["total"]
        assert run(tmp_path, "reindex").exit_code == 0  # a new index directory replaces the old one
        time.sleep(2.5)
        assert client.get("/api/search").json()["total"] == total


def test_pages_keep_the_page_size_from_page_to_page(client: httpx.Client) -> None:
    shown: list[str] = []
    url: str | None = "/?q=strike+OR+glaciers+OR+library+OR+council&page_size=1&all_copies=true"
    while url is not None:
        page = client.get(url).text
        shown += [h for h in _links(page, "title") if h.startswith("/documents/")]
        following = re.search(r'<a href="([^"]+)" rel="next">', page)
        url = unescape(following[1]) if following else None
    total = client.get("/api/search", params={"q": "strike OR glaciers OR library OR council",
                                              "all_copies": "true"}).json()["total"]
    assert len(shown) == len(set(shown)) == total >= 4  # one a page, each once, every one reached


def test_pages_save_keeps_a_published_filter_and_the_date_fields_both(client: httpx.Client) -> None:
    # April and May, from 10 April: of the strike (2 April), the glaciers (19 May) and the library (7 June), one
    both = {"q": "strike OR glaciers OR library", "published": "2026-04..2026-05", "from": "2026-04-10"}
    shown = client.get("/", params=both).text
    form = shown[shown.index('name="action" value="save"'):].split("</form>")[0]
    fields = {name: unescape(value) for name, value in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form)}
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', shown)
    assert csrf
    saved = client.post("/searches", data={**fields, "csrf": csrf[1], "action": "save", "name": "since May"})
    assert saved.status_code == 303
    kept = client.get("/api/searches/since May").json()
    narrowed = client.get("/api/search", params=both).json()["total"]
    from_only = client.get("/api/search", params={"q": both["q"], "from": "2026-04-10"}).json()["total"]
    months = client.get("/api/search", params={"q": both["q"], "published": "2026-04..2026-05"}).json()["total"]
    again = client.get("/api/search", params={"q": kept["query"], **kept["filters"]}).json()["total"]
    assert 0 < narrowed < min(from_only, months) and again == narrowed
    client.post("/searches", data={"csrf": csrf[1], "action": "remove", "name": "since May"})
