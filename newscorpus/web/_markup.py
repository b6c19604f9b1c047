"""HTML made from untrusted text for the pages: an article with what the NLP found marked up inline, a snippet
with its matches, and a timeline as an SVG bar chart. Every piece of text is escaped here; only our own tags are
added around it."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape, unescape

from markupsafe import Markup

from newscorpus.models import Annotations


def marked_article(text: str, found: Annotations, place_link: Callable[[str], str],
                   law_link: Callable[[str], str]) -> Markup:
    """The article's text in paragraphs, with its laws, places and dates marked (a law first where mentions
    overlap, then the longer one): a date shows its normalised value on hover, a place and a law link to the
    search that filters on them."""
    spans: list[tuple[int, int, str]] = []  # (start, end, opening tag), closed with the tag's name
    for law in found.laws:
        title = " · ".join(str(part) for part in (law.name, law.year, law.section, law.jurisdiction) if part)
        href = law_link(law.name) if law.name else None
        spans.append((law.start, law.end, _tag("a" if href else "span", "law", title, href)))
    for place in found.places:
        label = ", ".join(part for part in (place.name, place.admin1, place.country_code) if part)
        href = place_link(f"{place.name}, {place.country_code}") if place.name and place.country_code else None
        spans.append((place.start, place.end, _tag("a" if href else "span", "place", label, href)))
    for date in found.dates:
        spans.append((date.start, date.end, _tag("time", "date", f"{date.type} {date.value or '?'}", None)))
    kept: list[tuple[int, int, str]] = []
    taken = [False] * (len(text) + 1)
    for start, end, tag in spans:  # laws, places, dates: the first to claim characters keeps them
        if 0 <= start < end <= len(text) and not any(taken[start:end]):
            kept.append((start, end, tag))
            for i in range(start, end):
                taken[i] = True
    kept.sort()
    pieces, cursor = [], 0
    for start, end, tag in kept:
        name = tag[1:tag.index(" ")]
        pieces += [escape(text[cursor:start]), tag, escape(text[start:end]), f"</{name}>"]
        cursor = end
    pieces.append(escape(text[cursor:]))
    body = "".join(pieces)
    paragraphs = [p for p in re.split(r"\n\s*\n|\n", body) if p.strip()]
    return Markup("".join(f"<p>{p}</p>" for p in paragraphs))


def _tag(name: str, kind: str, title: str, href: str | None) -> str:
    link = f' href="{escape(href)}"' if href else ""
    return f'<{name} class="{kind}" title="{escape(title)}"{link}>'


def marked_snippet(snippet: str) -> Markup:
    """A search snippet (matches between <b> tags, the rest possibly HTML-escaped) as safe HTML with the matches in
    <mark>: whatever the text holds, only our tags survive."""
    parts, bold = [], False
    for piece in re.split(r"(</?b>)", snippet):
        if piece in ("<b>", "</b>"):
            bold = piece == "<b>"
        elif piece:
            text = escape(unescape(piece))
            parts.append(f"<mark>{text}</mark>" if bold else text)
    return Markup("".join(parts))


def timeline_chart(periods: list[tuple[str, int]], shares: list[float], link: Callable[[str], str]) -> Markup:
    """Stories per period as an SVG bar chart; each bar says its count and share on hover and links to the
    stories of its period."""
    if not periods:
        return Markup("")
    width, height, top = 720, 140, 10
    widest = max(n for _, n in periods) or 1
    step = min(width / len(periods), 48.0)  # a few periods are narrow bars, not slabs
    bars = []
    for i, ((period, count), share) in enumerate(zip(periods, shares, strict=True)):
        tall = (height - top) * count / widest
        x, y = i * step, height - tall
        label = f"{period}: {count} stories ({share:.1%} of all stories then)"
        bars.append(f'<a href="{escape(link(period))}"><rect x="{x:.1f}" y="{y:.1f}" width="{max(step - 2, 1):.1f}" '
                    f'height="{tall:.1f}" fill="#3182bd"><title>{escape(label)}</title></rect></a>')
    first, last = escape(periods[0][0]), escape(periods[-1][0])
    end = step * len(periods)
    axis = f'<text x="0" y="{height + 14}" font-size="11" fill="#555">{first}</text>'
    if len(periods) > 1:
        axis += f'<text x="{end:.1f}" y="{height + 14}" font-size="11" fill="#555" text-anchor="end">{last}</text>'
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 18}" role="img" '
                  f'aria-label="stories over time" class="timeline">{"".join(bars)}{axis}</svg>')
