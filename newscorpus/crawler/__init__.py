"""The crawler layer: fetch feeds and pages politely, parse feeds, extract articles."""

from newscorpus.crawler.extract import extract_article
from newscorpus.crawler.feeds import discover_feeds, looks_like_feed, parse_feed
from newscorpus.crawler.fetch import Fetcher
from newscorpus.crawler.urls import canonicalize_url

__all__ = ["Fetcher", "canonicalize_url", "discover_feeds", "extract_article", "looks_like_feed", "parse_feed"]
