"""robots.txt rules per host (protego), fetched once per crawl."""

from __future__ import annotations

from dataclasses import dataclass

from protego import Protego


@dataclass
class RobotsRules:
    """The parsed robots.txt of one host; an absent or unreadable file allows everything."""

    parser: Protego | None

    @classmethod
    def parse(cls, body: bytes | None) -> RobotsRules:
        if not body:
            return cls(None)
        return cls(Protego.parse(body.decode("utf-8", errors="replace")))

    def allowed(self, url: str, user_agent: str) -> bool:
        return self.parser is None or bool(self.parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay is not None else None

    def sitemaps(self) -> list[str]:
        return list(self.parser.sitemaps) if self.parser is not None else []
