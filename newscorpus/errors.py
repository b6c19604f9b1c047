"""Exceptions newscorpus raises on purpose; anything else is a bug."""

from __future__ import annotations


class NewscorpusError(Exception):
    """Base of every error newscorpus raises on purpose. `http_status` is the HTTP status that reports it
    (the JSON API's error body carries it)."""

    http_status = 500


class ConfigError(NewscorpusError):
    """A setting, a config file or a command-line value is invalid."""

    http_status = 400

    def __init__(self, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


class NotFoundError(NewscorpusError):
    """A document, source or saved search that does not exist was asked for."""

    http_status = 404

    def __init__(self, message: str, kind: str, key: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.key = key


class FetchError(NewscorpusError):
    """A URL could not be fetched.

    `permanent`: retrying cannot help. `deferred`: the URL is not at fault (its host asked for a pause, or was set
    aside for this pass after repeated failures); ask again after `retry_after` seconds (None: a later pass).
    `host_wait`: the pause applies to the whole host (HTTP 429, or 503 with Retry-After).
    """

    http_status = 502  # the upstream's own status, if any, is `status`

    def __init__(
        self, message: str, url: str, status: int | None = None, permanent: bool = False,
        retry_after: float | None = None, deferred: bool = False, host_wait: bool = False,
    ) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
        self.permanent = permanent
        self.retry_after = retry_after
        self.deferred = deferred
        self.host_wait = host_wait


class ExtractionError(NewscorpusError):
    """A page, feed or text could not be turned into what was asked for."""

    http_status = 422

    def __init__(self, message: str, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class StorageError(NewscorpusError):
    """The corpus store or index cannot be opened, migrated or written."""

    http_status = 503


class QueryError(NewscorpusError):
    """A search query cannot be parsed or run."""

    http_status = 400

    def __init__(self, message: str, query: str, position: int | None = None) -> None:
        super().__init__(message)
        self.query = query
        self.position = position
