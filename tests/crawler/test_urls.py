"""URL canonicalisation."""

from __future__ import annotations

from hypothesis import given, strategies as st

from newscorpus.crawler.urls import canonicalize_url, host_of


def test_urls_canonical_form_drops_case_ports_fragments_and_tracking() -> None:
    url = "HTTPS://News.Example.COM:443/World/Story.html?utm_source=rss&b=2&a=1&fbclid=x#comments"
    assert canonicalize_url(url) == "https://news.example.com/World/Story.html?a=1&b=2"


def test_urls_keep_non_default_port_and_empty_path_becomes_slash() -> None:
    assert canonicalize_url("http://127.0.0.1:8765") == "http://127.0.0.1:8765/"
    assert host_of("http://127.0.0.1:8765/a") == "127.0.0.1:8765"


@given(st.text())
def test_urls_canonicalisation_never_crashes_and_is_idempotent(text: str) -> None:
    once = canonicalize_url(text)
    assert canonicalize_url(once) == once


@given(st.from_regex(r"https?://[a-z]{1,10}\.[a-z]{2,3}(:[0-9]{1,5})?(/[A-Za-z0-9_.-]{0,8}){0,3}(\?[a-z]{1,4}=[a-z0-9]{0,4})?", fullmatch=True))
def test_urls_canonical_urls_are_idempotent(url: str) -> None:
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once
