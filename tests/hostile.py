"""A hostile web site on 127.0.0.1: five good articles beside the pages that break crawlers.

`HostileSite` plays each case at its own path (the constants below) and serves an RSS feed and a sitemap
listing them all, so a crawl of it is one `sources add`. It counts requests per path (`requests`), records
when each arrived (`times`, monotonic seconds) and counts handlers that have finished (`ended`), so a test
can check that a hostile response stopped once the client went away. The slow cases read their pace from
the server (`trickle_seconds`, `max_seconds`, ...), which `reset()` restores; every response ends when the
client hangs up, after `max_seconds` at most, or at `shutdown()`, which returns at once.
"""

from __future__ import annotations

import functools
import html
import random
import select
import socket
import threading
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOMEPAGE = "/"
ROBOTS = "/robots.txt"
FEED = "/feed.xml"  # every page case below, and the unreachable URL
GOOD_FEED = "/feeds/good.xml"  # the five articles only, on the host the feed was asked for (127.0.0.1, localhost)
BAD_FEED = "/feeds/bad.xml"  # every page case but the five articles: the slow ones first, the pauses last
SITEMAP = "/sitemap.xml"  # the same pages as FEED
BOMB = "/bomb.html"  # gzip: ~100 kB on the wire, BOMB_BYTES once decompressed
ENDLESS = "/endless.html"  # chunked, never ends
TRICKLE = "/trickle.html"  # one byte every `trickle_seconds`, a large Content-Length
LOOP = "/loop/a"  # /loop/a -> /loop/b -> /loop/a ...
RATE_LIMITED = "/ratelimited/seconds.html"  # 429, Retry-After: `retry_after` seconds
RATE_LIMITED_DATE = "/ratelimited/date.html"  # 429, Retry-After: an HTTP date `retry_after` seconds ahead
UNAVAILABLE = "/unavailable.html"  # 503, Retry-After: `retry_after` seconds
BINARY = "/binary.html"  # random bytes as text/html
CP1252 = "/cp1252.html"  # windows-1252 bytes declared as text/html; charset=utf-8
SCRIPTS = "/scripts.html"  # a real article among scripts, handlers, javascript: links, a style and an iframe
HANG = "/hang.html"  # accepts the request and never answers
LAUGHS_FEED = "/feeds/laughs.xml"  # billion laughs (XML entity expansion) as application/rss+xml
HTML_FEED = "/feeds/html.xml"  # an HTML page as application/rss+xml
DEAD_FEED = "/feeds/dead-links.xml"  # DEAD_LINKS items, each a 404
DEAD_LINKS = 1000
BOMB_BYTES = 100 * 2**20
FEEDS = (FEED, GOOD_FEED, BAD_FEED, LAUGHS_FEED, HTML_FEED, DEAD_FEED)
_HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Story:
    """A page's expected content: its title, publication date and sentences its text must contain."""

    path: str
    title: str
    published: str
    byline: str
    paragraphs: tuple[str, ...]


ARTICLES = (
    Story(
        "/news/2026/danube-flood-barriers.html",
        "Flood barriers hold as the Danube crests in Budapest",
        "2026-03-14T18:20:00+01:00",
        "Eszter Varga",
        (
            "The Danube crested at 8.61 metres in Budapest on Saturday evening, the third-highest level since "
            "records began, but the mobile barriers along the Pest embankment held through the night.",
            "Around 2,400 soldiers and volunteers spent Friday filling sandbags on Margaret Island, where the "
            "lower promenade and two sports grounds were already under water by mid-afternoon.",
            "The national water directorate said the river would stay above seven metres until Tuesday and "
            "warned villages downstream, around Szentendre and Vác, to keep their defences manned.",
            "Tram line 2, which runs beside the river, was suspended on Thursday and is not expected to "
            "reopen before the end of March, the city transport company BKV said.",
        ),
    ),
    Story(
        "/news/2026/lisbon-tram-28.html",
        "Lisbon closes tram 28 for six months of track repairs",
        "2026-02-03T09:05:00+00:00",
        "Miguel Tavares",
        (
            "Lisbon's tram 28, the yellow line that climbs through Alfama and Graça, will stop running on "
            "1 May for six months while its tracks and overhead wires are replaced, the operator Carris said.",
            "The line carries about 30,000 passengers a day, many of them tourists, and residents of the old "
            "quarters have long complained that they cannot board the crowded cars near Martim Moniz.",
            "Replacement minibuses will follow the route every ten minutes, although they cannot use the "
            "narrowest stretch of Rua das Escolas Gerais and will detour by Largo do Chafariz de Dentro.",
            "The repairs, budgeted at 19 million euros, are the first complete renewal of the track since the "
            "1990s and will also make two stops accessible to wheelchairs.",
        ),
    ),
    Story(
        "/news/2025/saskatchewan-wheat-harvest.html",
        "Saskatchewan wheat harvest beats forecasts despite a late frost",
        "2025-09-21T16:45:00-06:00",
        "Dana Whitford",
        (
            "Farmers in Saskatchewan have brought in a larger wheat crop than forecast, the provincial "
            "agriculture ministry said on Sunday, even though a frost on 12 June damaged fields near Yorkton.",
            "Spring wheat yields averaged 51 bushels an acre across the province, against 44 predicted in July, "
            "after August rains around Swift Current and Moose Jaw rescued crops that had looked stunted.",
            "Grain elevators in Regina reported lines of trucks stretching for a kilometre last week as growers "
            "rushed to deliver before prices for durum fell on the Minneapolis exchange.",
            "Canola was less fortunate: the ministry put its yield at 38 bushels an acre, with flea beetles and "
            "the dry spring cutting output in the province's south-west.",
        ),
    ),
    Story(
        "/news/2026/osaka-hydrogen-berth.html",
        "Osaka opens a hydrogen refuelling berth for cargo ships",
        "2026-01-09T11:30:00+09:00",
        "Haruto Nakamura",
        (
            "The port of Osaka opened Japan's first berth for refuelling cargo ships with liquid hydrogen on "
            "Friday, with a coastal freighter from Kobe taking on 40 tonnes at the Sakishima terminal.",
            "The berth cost 12 billion yen, a third of it paid by the transport ministry, and can serve two "
            "vessels a day once a second storage tank on Yumeshima island is finished in the autumn.",
            "Shipping lines in Nagoya and Yokohama are watching the trial closely: hydrogen engines remain "
            "expensive, and only four ships in the Japanese fleet can burn the fuel today.",
            "Environmental groups welcomed the opening but noted that most of the hydrogen is still made from "
            "natural gas imported from Australia, which cuts its benefit for the climate.",
        ),
    ),
    Story(
        "/news/2026/atacama-lithium-permit.html",
        "Chilean court halts a lithium permit in the Atacama over water",
        "2026-04-27T14:10:00-04:00",
        "Valentina Rojas",
        (
            "An environmental court in Antofagasta suspended a lithium mining permit in the Salar de Atacama on "
            "Monday, ruling that the company had not shown how much groundwater its wells would draw.",
            "The case was brought by three indigenous Atacameño communities from Peine and Camar, who say the "
            "brine pumping has lowered lagoons where flamingos feed and herders water their llamas.",
            "The judges gave the company ninety days to submit a new hydrological study and ordered the "
            "regional water authority in Calama to install independent monitoring wells by August.",
            "Chile is the world's second-largest lithium producer, and the government in Santiago has promised "
            "to balance new mining contracts against the needs of the communities of the salt flat.",
        ),
    ),
)

SCRIPT_STORY = Story(
    SCRIPTS,
    "Ghent council approves cycle lanes across the city centre",
    "2026-05-06T20:00:00+02:00",
    "Lotte De Smet",
    (
        "Ghent city council voted on Tuesday night to build protected cycle lanes along the Kouter and the "
        "Vrijdagmarkt, the largest change to traffic in the historic centre since the circulation plan of 2017.",
        "The works, costing 8.5 million euros, start in September and will remove 340 parking spaces, which "
        "shopkeepers on the Veldstraat fear will keep customers from the suburbs away.",
        "Alderman Filip Watteeuw said cycling now accounts for 35 per cent of trips in the city, up from 22 "
        "per cent a decade ago, and that the lanes would make the busiest junctions safer for children.",
    ),
)
# Text that must never reach an article: it sits in <script>, <style>, an <iframe>, handlers and javascript: URLs.
SCRIPT_MARKERS = ("stealCookies", "PAYLOAD-SCRIPT", "PAYLOAD-STYLE", "PAYLOAD-IFRAME", "PAYLOAD-NOSCRIPT",
                  "javascript:", "alert(", "onerror", "onclick", "document.cookie", "font-family")

CP1252_STORY = Story(
    CP1252,
    "Brussels café owners face €2,000 fines over terraces",
    "2026-06-02T10:00:00+02:00",
    "Chloé Dubois",
    (
        "Café owners around the Grand-Place in Brussels face fines of up to €2,000 if their terraces spill "
        "beyond the lines painted on the cobbles, the city’s new regulation says.",
        "“We have been here since 1987 and nobody ever measured anything,” said the owner of a brasserie on "
        "the Rue du Marché aux Herbes, who called the rules “absurd” and “très bureaucratique”.",
        "The alderman for commerce, Benoît Hellings, said inspectors would start measuring in July and that "
        "the fines, up from €250, would fund the renovation of the pavements around the Bourse.",
    ),
)
CP1252_WORDS = ("Café owners", "€2,000", "“absurd”", "très bureaucratique", "Benoît", "city’s")


def unreachable_url(path: str = "/") -> str:
    """A URL on 127.0.0.1 where nothing listens: a port the OS just handed out, closed again."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def _article_html(story: Story) -> str:
    paragraphs = "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in story.paragraphs)
    title = html.escape(story.title)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} | The Hostile Herald</title>
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{story.published}">
<meta name="author" content="{html.escape(story.byline)}">
</head>
<body>
<header><nav><a href="/">Home</a> <a href="/news/">News</a> <a href="/weather/">Weather</a></nav></header>
<main>
<article>
<h1>{title}</h1>
<p class="byline">By {html.escape(story.byline)}, <time datetime="{story.published}">{story.published[:10]}</time></p>
{paragraphs}
</article>
</main>
<footer><p>The Hostile Herald: pages written to test crawlers. All rights reserved.</p></footer>
</body>
</html>
"""


def _scripts_html() -> str:
    story = SCRIPT_STORY
    first, second, third = (html.escape(p, quote=False) for p in story.paragraphs)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{story.title}</title>
<meta property="article:published_time" content="{story.published}">
<style>body {{ font-family: "PAYLOAD-STYLE", serif; }} .ad::after {{ content: "PAYLOAD-STYLE"; }}</style>
<script>var stealCookies = function () {{ fetch("/steal?c=" + document.cookie); }}; // PAYLOAD-SCRIPT</script>
<script type="application/ld+json">{{"@type": "NewsArticle", "datePublished": "{story.published}"}}</script>
</head>
<body onload="stealCookies()">
<article>
<h1>{story.title}</h1>
<p class="byline">By {story.byline}</p>
<p onclick="alert('PAYLOAD-SCRIPT')">{first}</p>
<script>document.write("<p>PAYLOAD-SCRIPT written by document.write</p>"); alert(document.cookie);</script>
<img src="/missing.png" onerror="stealCookies()" alt="">
<p>{second}</p>
<iframe src="javascript:alert('PAYLOAD-IFRAME')">PAYLOAD-IFRAME fallback text that frames hide</iframe>
<noscript><p>PAYLOAD-NOSCRIPT: enable scripts to read this article</p></noscript>
<p>{third} <a href="javascript:stealCookies()">Share</a></p>
<style>.share {{ font-family: "PAYLOAD-STYLE"; }}</style>
<script src="javascript:alert('PAYLOAD-SCRIPT')"></script>
</article>
</body>
</html>
"""


def _cp1252_html() -> bytes:
    story = CP1252_STORY
    paragraphs = "\n".join(f"<p>{p}</p>" for p in story.paragraphs)
    page = f"""<!doctype html>
<html lang="fr">
<head><title>{story.title}</title>
<meta property="article:published_time" content="{story.published}"></head>
<body><article><h1>{story.title}</h1>
<p class="byline">Par {story.byline}</p>
{paragraphs}
</article></body></html>
"""
    return page.encode("cp1252")


_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><link>http://127.0.0.1/</link>
<item><title>&lol9;</title><link>/news/laughs.html</link><description>&lol9;</description></item>
</channel></rss>
"""


@functools.cache
def _gzip_bomb() -> bytes:
    """An HTML start and BOMB_BYTES of zero bytes, gzip-compressed piecewise (never whole in memory)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [compressor.compress(b"<!doctype html><html><body><p>")]
    zeros = bytes(2**20)
    parts += [compressor.compress(zeros) for _ in range(BOMB_BYTES // len(zeros))]
    parts.append(compressor.flush())
    return b"".join(parts)


@functools.cache
def _binary() -> bytes:
    return random.Random(1729).randbytes(64_000)


def _rss(title: str, items: list[tuple[str, str, str]]) -> bytes:
    """An RSS 2.0 feed of (link, title, RFC 822 date) items."""
    entries = "".join(
        f"<item><title>{html.escape(t)}</title><link>{html.escape(link)}</link>"
        f"<guid>{html.escape(link)}</guid><pubDate>{date}</pubDate></item>\n"
        for link, t, date in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{html.escape(title)}</title>'
            f"<link>/</link><description>{html.escape(title)}</description>\n{entries}</channel></rss>\n").encode()


def _rfc822(iso: str) -> str:
    return formatdate(datetime.fromisoformat(iso).timestamp(), usegmt=True)


_CASES = (ENDLESS, TRICKLE, BOMB, LOOP, RATE_LIMITED, RATE_LIMITED_DATE, UNAVAILABLE, BINARY, HANG)


class HostileSite(ThreadingHTTPServer):
    """The hostile site; see the module docstring. Use `url(path)` for a path's absolute URL."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _HostileHandler)
        self.host = "127.0.0.1"
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"
        self.unreachable = unreachable_url("/news/unreachable.html")  # listed in FEED and SITEMAP
        self.requests: Counter[str] = Counter()
        self.ended: Counter[str] = Counter()
        self.times: defaultdict[str, list[float]] = defaultdict(list)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.reset()

    def reset(self) -> None:
        """Clear the counters and restore the default pace of every case."""
        with self._lock:
            self.requests.clear()
            self.ended.clear()
            self.times.clear()
        self.trickle_seconds = 2.0  # between two bytes of TRICKLE
        self.trickle_length = 10_000_000  # TRICKLE's Content-Length
        self.max_seconds = 60.0  # no response lasts longer
        self.retry_after = 100_000  # seconds, in the 429 and 503 answers
        self.endless_chunk = 64 * 1024  # bytes per chunk of ENDLESS

    def url(self, path: str) -> str:
        """The absolute URL of a path on this site."""
        return self.base_url + path

    @property
    def pages(self) -> list[str]:
        """URLs of every page case: what FEED and SITEMAP list."""
        paths = [s.path for s in ARTICLES] + [SCRIPTS, CP1252, *_CASES]
        return [self.url(p) for p in paths] + [self.unreachable]

    def wait_ended(self, path: str, count: int = 1, timeout: float = 5.0) -> bool:
        """Wait until `count` handlers of a path have returned; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ended[path] >= count:
                return True
            time.sleep(0.02)
        return self.ended[path] >= count

    def shutdown(self) -> None:
        """Stop serving; handlers still sleeping or streaming return within a few hundredths of a second."""
        self._stopping.set()
        super().shutdown()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up mid-body are the point of this site

    def _arrived(self, path: str) -> None:
        with self._lock:
            self.requests[path] += 1
            self.times[path].append(time.monotonic())

    def _left(self, path: str) -> None:
        with self._lock:
            self.ended[path] += 1


class QuietHandler(BaseHTTPRequestHandler):
    """A test server's request handler: HTTP/1.1, no request log, one call to send a whole response."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str = "text/plain",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class _HostileHandler(QuietHandler):
    timeout = 10  # an idle keep-alive connection, or a client that stops reading, is dropped after this
    server: HostileSite

    def _pause(self, seconds: float, deadline: float) -> bool:
        """Sleep up to `seconds`; False as soon as the client hangs up, the server stops or the deadline passes."""
        end = min(time.monotonic() + seconds, deadline)
        while not self.server._stopping.is_set():
            left = end - time.monotonic()
            if left <= 0:
                return time.monotonic() < deadline
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.05))
            if readable:
                try:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        return False  # end of stream: the client closed its side
                except OSError:
                    return False
                time.sleep(min(left, 0.05))  # it sent more (a pipelined request): keep ignoring it
        return False

    def _write(self, data: bytes, deadline: float) -> bool:
        """Send bytes without blocking past the deadline or a shutdown; False when the client is gone or too slow."""
        view = memoryview(data)
        while view:
            if self.server._stopping.is_set() or time.monotonic() >= deadline:
                return False
            _, writable, _ = select.select([], [self.connection], [], 0.05)
            if writable:
                try:
                    view = view[self.connection.send(view):]
                except OSError:
                    return False
        return True

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        self.server._arrived(path)
        try:
            self._answer(path)
        finally:
            self.server._left(path)

    def _answer(self, path: str) -> None:  # noqa: C901 - one branch per case
        server = self.server
        stories = {s.path: s for s in ARTICLES}
        if path in stories:
            return self._send(200, _article_html(stories[path]).encode(), _HTML)
        if path == HOMEPAGE:
            links = "".join(f'<li><a href="{s.path}">{html.escape(s.title)}</a></li>' for s in ARTICLES)
            page = (f'<!doctype html><html><head><title>The Hostile Herald</title>'
                    f'<link rel="alternate" type="application/rss+xml" href="{FEED}"></head>'
                    f"<body><h1>The Hostile Herald</h1><ul>{links}</ul></body></html>")
            return self._send(200, page.encode(), _HTML)
        if path == ROBOTS:
            return self._send(200, f"User-agent: *\nAllow: /\nSitemap: {server.url(SITEMAP)}\n".encode(), "text/plain")
        if path == FEED:
            items = [(u, u.rsplit("/", 1)[-1], formatdate(1767225600, usegmt=True)) for u in server.pages]
            return self._send(200, _rss("The Hostile Herald: everything", items), "application/rss+xml")
        if path == GOOD_FEED:
            base = f"http://{self.headers.get('Host') or urlsplit(server.base_url).netloc}"
            items = [(base + s.path, s.title, _rfc822(s.published)) for s in ARTICLES]
            return self._send(200, _rss("The Hostile Herald: news", items), "application/rss+xml")
        if path == BAD_FEED:
            slow = [server.url(TRICKLE), server.url(HANG), server.unreachable]
            pauses = [server.url(p) for p in (RATE_LIMITED, RATE_LIMITED_DATE, UNAVAILABLE)]
            rest = [u for u in server.pages if u not in {server.url(s.path) for s in ARTICLES} | {*slow, *pauses}]
            bad = slow + rest + pauses
            items = [(u, u.rsplit("/", 1)[-1], formatdate(1767225600, usegmt=True)) for u in bad]
            return self._send(200, _rss("The Hostile Herald: the worst", items), "application/rss+xml")
        if path == SITEMAP:
            urls = "".join(f"<url><loc>{html.escape(u)}</loc></url>" for u in server.pages)
            body = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    f"{urls}</urlset>\n")
            return self._send(200, body.encode(), "application/xml")
        if path == SCRIPTS:
            return self._send(200, _scripts_html().encode(), _HTML)
        if path == CP1252:
            return self._send(200, _cp1252_html(), _HTML)
        if path == BINARY:
            return self._send(200, _binary(), "text/html")
        if path == BOMB:
            return self._send(200, _gzip_bomb(), "text/html", {"Content-Encoding": "gzip"})
        if path in ("/loop/a", "/loop/b"):
            return self._send(302, headers={"Location": "/loop/b" if path == "/loop/a" else "/loop/a"})
        if path == RATE_LIMITED:
            return self._send(429, b"slow down", "text/plain", {"Retry-After": str(server.retry_after)})
        if path == RATE_LIMITED_DATE:
            when = formatdate(time.time() + server.retry_after, usegmt=True)
            return self._send(429, b"slow down", "text/plain", {"Retry-After": when})
        if path == UNAVAILABLE:
            return self._send(503, b"down for maintenance", "text/plain", {"Retry-After": str(server.retry_after)})
        if path == LAUGHS_FEED:
            return self._send(200, _LAUGHS, "application/rss+xml")
        if path == HTML_FEED:
            return self._send(200, _article_html(ARTICLES[0]).encode(), "application/rss+xml")
        if path == DEAD_FEED:
            items = [(server.url(f"/dead/{n}.html"), f"Dead link {n}", formatdate(1767225600 + n, usegmt=True))
                     for n in range(DEAD_LINKS)]
            return self._send(200, _rss("The Hostile Herald: gone", items), "application/rss+xml")
        if path == ENDLESS:
            return self._endless()
        if path == TRICKLE:
            return self._trickle()
        if path == HANG:
            self.close_connection = True
            self._pause(server.max_seconds, time.monotonic() + server.max_seconds)
            return None
        return self._send(404, b"gone", "text/plain")  # cheap: the dead links land here

    def _endless(self) -> None:
        """A chunked body that never ends, until the client goes away (a write fails) or max_seconds."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = (b"<p>" + b"and on " * (self.server.endless_chunk // 7))[: self.server.endless_chunk]
        frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
        deadline = time.monotonic() + self.server.max_seconds
        while self._write(frame, deadline):
            pass

    def _trickle(self) -> None:
        """One byte every trickle_seconds of a long body, until the client goes away or max_seconds."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(self.server.trickle_length))
        self.end_headers()
        body = b"<!doctype html><html><body><p>" + b"drip " * 1000
        deadline = time.monotonic() + self.server.max_seconds
        for n in range(self.server.trickle_length):
            if not self._write(body[n % len(body): n % len(body) + 1], deadline):
                return
            if not self._pause(self.server.trickle_seconds, deadline):
                return
