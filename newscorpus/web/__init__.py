"""The web door: `newscorpus serve`, a JSON API (described at /openapi.json) and pages rendered on the server,
over a data directory that a crawl may be writing at the same time. Formatting only: every answer comes from the
use cases in newscorpus.app."""
