"""URL canonicalisation, so that one article is one document however it is linked."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "__twitter", "_hs")
_TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "igshid", "ocid", "cmpid", "ncid", "yclid", "_ga"}


def canonicalize_url(url: str) -> str:
    """Lower-case scheme and host, drop default ports, fragments and tracking parameters.

    Path case and the remaining query parameters (sorted) are kept: many sites need them.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    # Parameters are kept as written (not re-encoded), only filtered and sorted.
    query = sorted(
        pair for pair in parts.query.split("&")
        if pair and not _is_tracking(pair.split("=", 1)[0].lower())
    )
    # Percent-encode what may not stand in a path (spaces, quotes); existing escapes are kept.
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~") or "/"
    return urlunsplit((scheme, netloc, path, "&".join(query), ""))


def _is_tracking(key: str) -> bool:
    return key in _TRACKING_PARAMS or key.startswith(_TRACKING_PREFIXES)


def host_of(url: str) -> str:
    """The host (with a non-default port) that politeness limits apply to."""
    return urlsplit(canonicalize_url(url)).netloc
