"""URL canonicalisation, so that one article is one document however it is linked."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

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
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _TRACKING_PARAMS and not k.lower().startswith(_TRACKING_PREFIXES)
    ]
    # Percent-encode what may not stand in a path (spaces, quotes); existing escapes are kept.
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~") or "/"
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def host_of(url: str) -> str:
    """The host (with a non-default port) that politeness limits apply to."""
    return urlsplit(canonicalize_url(url)).netloc
