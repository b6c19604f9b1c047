"""The JSON API over a crawled corpus: the same stories as the other doors, one error shape, documents, saved
searches with their Atom feed, exports with their manifest, writes guarded, and reading that never writes."""

from __future__ import annotations

import hashlib
import json
import typing
from pathlib import Path

import feedparser
import pytest
import httpx

from newscorpus import Corpus
from newscorpus.config import load_settings
from newscorpus.corpus.query import FILTERS
from newscorpus.models import FACET_NAMES, TIMELINE_INTERVALS
from newscorpus.web import api
from newscorpus.web.app import create_app
from tests.test_cli import run
from tests.web.conftest import serving, web_client


@pytest.mark.parametrize(("method", "path", "body", "status", "says"), [
    ("GET", "/api/search?q=(", None, 400, "query error at character 2"),
    ("GET", "/api/search?place=Narnia", None, 400, "no place called 'Narnia'"),
    ("GET", "/api/search?page_size=5000", None, 400, "page_size"),
    ("GET", "/api/search?page=0", None, 400, "page"),
    ("GET", "/api/search?facets=colour", None, 400, "facets"),
    ("GET", "/api/search?timeline=decade", None, 400, "timeline"),
    ("GET", "/api/search?q=" + "x" * 2001, None, 400, "q"),
    ("GET", "/api/search?cluster=abc", None, 400, "cluster: takes a cluster number"),
    ("GET", "/api/documents/999999", None, 404, "no document with id 999999"),
    ("GET", "/api/documents/abc", None, 400, "document_id"),
    ("GET", "/api/searches/nothing-saved", None, 404, "no saved search called 'nothing-saved'"),
    ("GET", "/api/no-such-thing", None, 404, "no such page"),
    ("DELETE", "/api/sources/999999", None, 404, "no such source: 999999"),
    ("POST", "/api/sources", {"url": "ftp://example.org/"}, 400, "not an http(s) URL"),
    ("POST", "/api/sources", {"title": "no url"}, 400, "url"),
    ("POST", "/api/searches", {"name": "x", "filters": {"colour": "red"}}, 400, "unknown filter 'colour'"),
    ("PUT", "/api/search", None, 405, "method is not allowed"),
])
def test_api_errors_have_one_shape(client: httpx.Client, method: str, path: str, body: dict[str, object] | None,
                                   status: int, says: str) -> None:
    response = client.request(method, path, json=body)
    assert response.status_code == status, response.text
    found = response.json()
    assert set(found) <= {"ok", "error", "status", "position"} and found["ok"] is False
    assert found["status"] == status and says in found["error"]


def test_api_search_gives_the_same_stories_as_the_cli_and_the_python_api(client: httpx.Client, crawled: Path) -> None:
    query = {"q": "strike OR glaciers OR library", "facets": ["country", "law"], "timeline": "month"}
    web = client.get("/api/search", params=query).json()
    cli = json.loads(run(crawled, "search", str(query["q"]), "--format", "json").stdout)
    with Corpus(crawled) as corpus:
        results = corpus.search(str(query["q"]), limit=10)
        assert [h["id"] for h in web["hits"]] == [h["id"] for h in cli["hits"]] == [h.id for h in results]
        assert web["total"] == cli["total"] == results.total >= 3
        assert [(f["value"], f["stories"]) for f in web["facets"]["country"]] == results.facets("country")
        assert [(p["period"], p["stories"]) for p in web["timeline"]["periods"]] == results.timeline("month")
    facet = client.get("/api/facets/law", params={"q": query["q"]}).json()
    assert facet["values"] == web["facets"]["law"]
    timeline = client.get("/api/timeline", params={"q": query["q"], "interval": "month"}).json()
    assert timeline["periods"] == web["timeline"]["periods"]


def test_api_query_parameters_match_the_names_of_the_search(client: httpx.Client) -> None:
    facet, interval = typing.get_args(api.Facet), typing.get_args(api.Interval)
    assert set(facet) == set(FACET_NAMES) and set(interval) == {*TIMELINE_INTERVALS, "auto"}
    schema = client.get("/openapi.json").json()
    parameters = {p["name"] for p in schema["paths"]["/api/search"]["get"]["parameters"]}
    assert set(FILTERS) <= parameters and {"q", "from", "to", "page", "page_size", "facets"} <= parameters


def test_api_document_has_its_annotations_provenance_and_copies(client: httpx.Client) -> None:
    hits = client.get("/api/search", params={"q": "dock strike"}).json()["hits"]
    assert len(hits) == 1 and hits[0]["copies"] >= 1
    document = client.get(f"/api/documents/{hits[0]['id']}").json()
    assert document["annotations"]["laws"][0]["name"] == "Labour Relations Act"
    assert document["provenance"] and document["warc"]["file"]
    assert document["copies"] and all(copy["id"] != document["id"] for copy in document["copies"])


def test_api_saved_search_and_its_feed(client: httpx.Client) -> None:
    created = client.post("/api/searches", json={"name": "ports & <docks>", "q": "strike", "filters": {"country": "KE"}})
    assert created.status_code == 201, created.text
    assert client.post("/api/searches", json={"name": "ports & <docks>"}).status_code == 400  # taken
    listed = client.get("/api/searches").json()
    assert [s["name"] for s in listed] == ["ports & <docks>"] and listed[0]["filters"] == {"country": "KE"}
    one = client.get("/api/searches/ports%20%26%20%3Cdocks%3E").json()
    assert one["newest"]["hits"] and one["newest"]["total"] >= 1
    feed = client.get("/searches/ports%20%26%20%3Cdocks%3E/feed.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(feed.content)
    assert not parsed.bozo and parsed.feed.title == "newscorpus: ports & <docks>"
    assert {e.link for e in parsed.entries} == {h["url"] for h in one["newest"]["hits"]}
    assert client.delete("/api/searches/ports%20%26%20%3Cdocks%3E").json() == {"removed": "ports & <docks>"}
    assert client.get("/api/searches").json() == []


def test_api_export_streams_the_file_with_its_manifest(client: httpx.Client) -> None:
    response = client.get("/api/export", params={"q": "strike", "format": "jsonl", "all_copies": "true"})
    assert response.status_code == 200
    manifest = json.loads(response.headers["x-newscorpus-manifest"])
    records = [json.loads(line) for line in response.content.decode().splitlines()]
    assert manifest["rows"] == len(records) >= 2 and manifest["format"] == "jsonl"
    assert manifest["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert "attachment" in response.headers["content-disposition"]


def test_api_writes_are_guarded(crawled: Path) -> None:
    source = {"url": "https://example.org/rss.xml", "tags": ["test"]}
    with web_client(crawled) as local:
        refused = local.post("/api/sources", json=source, headers={"Origin": "http://evil.example"})
        assert refused.status_code == 403 and refused.json()["error"] == "a change from another site is refused"
        assert local.post("/api/sources", json=source, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
        # a page whose host name was rebound to 127.0.0.1 (DNS rebinding) names another host: refused, reads too
        rebound = {"Host": "rebind.example:8000", "Origin": "http://rebind.example:8000"}
        assert local.post("/api/sources", json=source, headers=rebound).status_code == 400
        assert local.get("/api/export", headers=rebound).json()["error"].startswith("this server answers to")
        assert local.post("/api/sources", content=b"x" * 100_000, headers={"Content-Type": "application/json"}
                          ).status_code == 413
        added = local.post("/api/sources", json=source, headers={"Origin": str(local.base_url).rstrip("/")})
        assert added.status_code == 201 and added.json()["created"]
        source_id = added.json()["id"]
        assert local.patch(f"/api/sources/{source_id}", json={"enabled": False}).json()["enabled"] is False
        assert local.delete(f"/api/sources/{source_id}").json()["removed"] == source_id
    # Reachable from other machines: no token, no writes; with the token, writes.
    with web_client(crawled, host="0.0.0.0") as open_:
        refused = open_.post("/api/sources", json=source)
        assert refused.status_code == 403 and "NEWSCORPUS_WEB_TOKEN" in refused.json()["error"]
        assert open_.get("/api/search").status_code == 200  # reading needs nothing
    with web_client(crawled, token="s3cret", host="0.0.0.0") as guarded:
        assert guarded.post("/api/sources", json=source).status_code == 403
        assert guarded.post("/api/sources", json=source, headers={"Authorization": "Bearer wrong"}).status_code == 403
        added = guarded.post("/api/sources", json=source, headers={"Authorization": "Bearer s3cret"})
        assert added.status_code == 201
        assert guarded.delete(f"/api/sources/{added.json()['id']}",
                              headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_api_answers_carry_the_security_headers(client: httpx.Client) -> None:
    for path in ("/", "/api/search", "/api/documents/999999", "/static/style.css"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"


def test_api_a_bug_is_a_500_in_the_one_error_shape_with_the_security_headers(crawled: Path) -> None:
    app = create_app(crawled, load_settings(crawled))

    @app.get("/api/broken")
    @app.get("/broken")
    def broken() -> None:  # a route with a bug, as a future one might have
        raise RuntimeError("a bug")

    with serving(app) as base:  # a connection each: uvicorn closes the one a bug was answered on
        answered = httpx.get(base + "/api/broken", timeout=60)
        assert answered.status_code == 500
        assert answered.json() == {"ok": False, "status": 500, "error": "an unexpected error; it has been logged"}
        page = httpx.get(base + "/broken", headers={"Accept": "text/html"}, timeout=60)
        assert page.status_code == 500 and "RuntimeError" not in page.text and "a bug" not in page.text
        for headers in (answered.headers, page.headers):
            assert "script-src 'self'" in headers["content-security-policy"]
            assert headers["x-frame-options"] == "DENY"
