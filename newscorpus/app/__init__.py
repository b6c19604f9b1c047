"""The use cases: one module per thing a user does (sources, crawl, reprocess, search, export, extract, demo),
each wiring the crawler, NLP and corpus layers. The CLI, the Python API and the web parse input, call one use
case and format its answer."""

from collections.abc import Callable

ProgressCallback = Callable[[str, int, int], None]  # (phase, done, total)
