"""The query language of `newscorpus search`, the Python API and the web: one parser for all of them.

    cybercrime "Computer Misuse Act" -hacker      words and phrases, all required; -word excludes
    (flood OR drought) AND NOT Somalia            AND, OR, NOT and parentheses (words side by side: AND)
    econom*   "court ruling"~5   title:strike     prefix, proximity (within 5 words), the title only
    source:nation.africa lang:en country:KE       filters on the source (name or host), language, country
    published:2024-01-01..2024-06-30              published: also >=2025, <2024-06, 2025, 2025-Q2
    mentions:2025-06 place:Nairobi cluster:42     dates mentioned, places (with their regions), a story's copies
    law:PECA section:20                           a law under any of its names; its provision

A query is parsed here into a tree; `SearchIndex.compile` turns the tree into a tantivy query, and every user
string reaches tantivy as a term or a quoted phrase, never as query syntax. A syntax error is a QueryError that
says where it is and what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone

from newscorpus.corpus.mentions import period_term
from newscorpus.errors import QueryError

FILTERS = ("source", "tag", "lang", "published", "mentions", "place", "country", "law", "section", "cluster")
_FIELDS = (*FILTERS, "title")
_OPERATORS = {"AND", "OR", "NOT"}
_MAX_DEPTH = 50
# What the index can hold as a publication time (tantivy's dates are nanoseconds from 1970 in 64 bits).
_FIRST_YEAR, _LAST_YEAR = 1678, 2261


@dataclass(frozen=True)
class Words:
    """Words to find in the title and text (or the title only): one word, a prefix, or a phrase."""

    text: str
    position: int
    phrase: bool = False
    prefix: bool = False
    slop: int = 0
    title_only: bool = False


@dataclass(frozen=True)
class Filter:
    field: str
    value: str
    position: int


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Everything:
    """The empty query: every document (filters narrow it)."""


Node = Words | Filter | Not | And | Or | Everything


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "AND", "OR", "NOT", "-", "words", "filter"
    position: int
    node: Node | None = None


def parse(text: str) -> Node:
    """The tree of a query. Raises QueryError, with the position, for a query that is not well formed."""
    tokens = _tokens(text)
    if not tokens:
        return Everything()
    parser = _Parser(text, tokens)
    node = parser.disjunction()
    if parser.at < len(tokens):
        token = tokens[parser.at]
        expected = "an operator or a word" if token.kind != ")" else "no ')' here: it closes nothing"
        raise _error(text, token.position, f"unexpected {_show(text, token)}; expected {expected}")
    return node


def tree(query: str | Node) -> Node:
    """A query's tree, parsing it if it is still text."""
    return parse(query) if isinstance(query, str) else query


def with_filters(node: Node, filters: list[Filter]) -> Node:
    """A query narrowed by filters given apart from it (the CLI's --place, --law, ...)."""
    if not filters:
        return node
    parts = () if isinstance(node, Everything) else (node,)
    return And((*parts, *filters))


def given_filters(values: Mapping[str, object], since: str | None = None, until: str | None = None) -> list[Filter]:
    """Filters given apart from a query (command-line options, keyword arguments), None meaning not given;
    `since` and `until` bound the publication date (inclusive).

    Raises QueryError for a name that is not a filter.
    """
    unknown = sorted(set(values) - set(FILTERS))
    if unknown:
        raise QueryError(f"unknown filter {unknown[0]!r}; filters are {', '.join(FILTERS)}, since and until",
                         unknown[0])
    filters = [Filter(name, str(value), -1) for name, value in values.items() if value is not None]
    if since is not None or until is not None:
        filters.append(Filter("published", f"{since or ''}..{until or ''}", -1))
    return filters


def filters_of(node: Node) -> list[Filter]:
    """Every filter of a query, under NOT and OR too, in the order written."""
    if isinstance(node, Filter):
        return [node]
    if isinstance(node, Not):
        return filters_of(node.node)
    if isinstance(node, (And, Or)):
        return [f for n in node.nodes for f in filters_of(n)]
    return []


def words_of(node: Node) -> list[Words]:
    """The words a query looks for (not under NOT), for highlighting the passages that match."""
    if isinstance(node, Words):
        return [node]
    if isinstance(node, (And, Or)):
        return [w for n in node.nodes for w in words_of(n)]
    return []


def published_range(value: str, position: int, query: str) -> tuple[datetime | None, datetime | None]:
    """[start, end) of a `published:` filter: "2024-01-01..2024-06-30", ">=2025", "<2024-06", "2025-Q2"."""
    if ".." in value:
        low, high = value.split("..", 1)
        start = _period(low, position, query)[0] if low else None
        end = _period(high, position, query)[1] if high else None
        if start is None and end is None:
            raise _error(query, position, "published: needs a date on at least one side of '..'")
        return start, end
    for operator in (">=", "<=", ">", "<"):
        if value.startswith(operator):
            first, after = _period(value[len(operator):], position, query)
            return {">=": (first, None), ">": (after, None), "<=": (None, after), "<": (None, first)}[operator]
    return _period(value, position, query)


def _period(value: str, position: int, query: str) -> tuple[datetime, datetime]:
    """The first instant of a period (2025, 2025-06, 2025-06-12, 2025-Q2, 2025-W24) and the first instant after
    it."""
    value = value.strip().upper()
    try:
        if m := re.fullmatch(r"(\d{4})", value):
            start, end = date(int(m[1]), 1, 1), date(int(m[1]) + 1, 1, 1)
        elif m := re.fullmatch(r"(\d{4})-Q([1-4])", value):
            year, quarter = int(m[1]), int(m[2])
            start = date(year, 3 * quarter - 2, 1)
            end = date(year + quarter // 4, 3 * quarter % 12 + 1, 1)
        elif m := re.fullmatch(r"(\d{4})-(\d{2})", value):
            year, month = int(m[1]), int(m[2])
            start, end = date(year, month, 1), date(year + month // 12, month % 12 + 1, 1)
        elif m := re.fullmatch(r"(\d{4})-W(\d{2})", value):  # an ISO week, as timelines label them
            start = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            end = date.fromordinal(start.toordinal() + 7)
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            start = date.fromisoformat(value)
            end = date.fromordinal(start.toordinal() + 1)
        else:
            raise ValueError(value)
        if not _FIRST_YEAR <= start.year <= _LAST_YEAR:
            raise _error(query, position, f"dates run from {_FIRST_YEAR} to {_LAST_YEAR}, not {value!r}")
    except ValueError:
        raise _error(query, position, f"not a date: {value!r}; give 2025, 2025-06, 2025-06-12, 2025-Q2 or 2025-W24, "
                                      "or a range such as 2024-01-01..2024-06-30 or >=2025") from None
    return (datetime(start.year, start.month, start.day, tzinfo=timezone.utc),
            datetime(end.year, end.month, end.day, tzinfo=timezone.utc))


class _Parser:
    """Recursive descent: disjunction := conjunction (OR conjunction)*; conjunction := unary ([AND] unary)*;
    unary := NOT unary | - primary | primary; primary := ( disjunction ) | words | filter."""

    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.at = 0
        self.depth = 0  # parentheses and NOTs open: bounded, so no query exhausts the stack

    def _deeper(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _error(self.text, token.position, f"the query nests more than {_MAX_DEPTH} levels deep")

    def _peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def disjunction(self) -> Node:
        nodes = [self.conjunction()]
        while (token := self._peek()) is not None and token.kind == "OR":
            self.at += 1
            nodes.append(self.conjunction())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def conjunction(self) -> Node:
        nodes = [self.unary()]
        while (token := self._peek()) is not None and token.kind not in ("OR", ")"):
            if token.kind == "AND":
                self.at += 1
            nodes.append(self.unary())
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unary(self) -> Node:
        token = self._peek()
        if token is not None and token.kind in ("NOT", "-"):
            self.at += 1
            self._deeper(token)
            node = Not(self.unary() if token.kind == "NOT" else self.primary())
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        token = self._peek()
        before = self.tokens[self.at - 1] if self.at else None
        if token is None:
            where = len(self.text.rstrip())
            after = f" after {_show(self.text, before)}" if before else ""
            raise _error(self.text, where, f"the query ends too early{after}; expected a word, a \"phrase\", "
                                           "a filter or '('")
        if token.kind == "(":
            self.at += 1
            self._deeper(token)
            node = self.disjunction()
            self.depth -= 1
            closing = self._peek()
            if closing is None or closing.kind != ")":
                where = closing.position if closing else len(self.text)
                raise _error(self.text, where, f"expected ')' to close the '(' at position {token.position + 1}")
            self.at += 1
            return node
        if token.kind in ("words", "filter"):
            self.at += 1
            assert token.node is not None
            return token.node
        raise _error(self.text, token.position, f"unexpected {_show(self.text, token)}; expected a word, "
                                                "a \"phrase\", a filter or '('")


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(_Token(char, i))
            i += 1
        elif char == "-" and i + 1 < len(text) and (text[i + 1].isalnum() or text[i + 1] in '"(') and (
                not tokens or text[i - 1].isspace() or text[i - 1] == "("):
            tokens.append(_Token("-", i))
            i += 1
        elif char == '"':
            node, i = _phrase(text, i, title_only=False)
            tokens.append(_Token("words", node.position, node))
        else:
            start = i
            while i < len(text) and not text[i].isspace() and text[i] not in '()"':
                i += 1
            word = text[start:i]
            field, colon, value = word.partition(":")
            if colon and field.lower() in _FIELDS:  # a value may hold brackets: section:19(1)(a)
                i = _value_end(text, i)
                value = text[start + len(field) + 1:i]
            if word in _OPERATORS:
                tokens.append(_Token(word, start))
            elif colon and field.lower() in _FIELDS:
                token, i = _field(text, start, field.lower(), value, i)
                tokens.append(token)
            elif colon and field.isidentifier() and not value.startswith("/"):
                raise _error(text, start, f"unknown filter {field + ':'!r}; filters are "
                                          f"{', '.join(f + ':' for f in _FIELDS)}")
            elif re.search(r"\w", word):
                tokens.append(_Token("words", start, _word(text, word, start, title_only=False)))
            # else: a dash or other mark standing alone ("Kenya – cybercrime") is no word to search for
    return tokens


def _value_end(text: str, i: int) -> int:
    """Where a filter's value ends: at a space or quote, taking in brackets that open and close within it."""
    depth = 0
    while i < len(text) and not text[i].isspace() and text[i] != '"':
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            if depth == 0:
                break
            depth -= 1
        i += 1
    return i


def _field(text: str, start: int, field: str, value: str, end: int) -> tuple[_Token, int]:
    """A `field:value` token; a quoted value ("law:"Computer Misuse Act"") is read up to its closing quote."""
    if not value and end < len(text) and text[end] == '"':
        if field == "title":
            node, end = _phrase(text, end, title_only=True)
            return _Token("words", start, node), end
        phrase, end = _phrase(text, end, title_only=False)
        value = phrase.text
    if not value.strip():
        raise _error(text, start, f"{field}: needs a value, e.g. {_EXAMPLES[field]}")
    if field == "title":
        return _Token("words", start, _word(text, value, start, title_only=True)), end
    if field == "published":  # checked here, where the error can point into the whole query
        published_range(value, start, text)
    if field == "mentions":
        try:
            period_term(value)
        except QueryError as exc:
            raise _error(text, start, str(exc)) from None
    return _Token("filter", start, Filter(field, value, start)), end


def _phrase(text: str, start: int, title_only: bool) -> tuple[Words, int]:
    """A quoted phrase with its optional ~N (words within N of each other) or * (last word a prefix)."""
    close = text.find('"', start + 1)
    if close < 0:
        raise _error(text, start, "this quote is never closed; expected a closing '\"'")
    inner, end = text[start + 1:close], close + 1
    slop, prefix = 0, False
    if m := re.match(r"~(\d{1,3})", text[end:]):
        slop, end = int(m[1]), end + m.end()
    elif text[end:end + 1] == "*":
        prefix, end = True, end + 1
    if not re.search(r"\w", inner):
        raise _error(text, start, "this phrase has no words to search for")
    return Words(inner, start, phrase=True, prefix=prefix, slop=slop, title_only=title_only), end


def _word(text: str, word: str, position: int, title_only: bool) -> Words:
    prefix = word.endswith("*")
    stem = word.rstrip("*")
    if not re.search(r"\w", stem):
        raise _error(text, position, f"{word!r} has no letters or digits to search for")
    if prefix and not re.fullmatch(r"\w+", stem):
        raise _error(text, position, f"a prefix search takes one word: {word!r}")
    return Words(stem, position, prefix=prefix, title_only=title_only)


_EXAMPLES = {"source": "source:nation.africa", "tag": "tag:africa", "lang": "lang:en", "published": "published:2024-01-01..2024-06-30",
             "mentions": "mentions:2025-06", "place": "place:Nairobi", "country": "country:KE",
             "law": 'law:PECA or law:"Computer Misuse Act"', "section": "section:20", "cluster": "cluster:42",
             "title": "title:strike"}


def _show(text: str, token: _Token | None) -> str:
    if token is None:
        return "the end"
    if token.kind in ("(", ")", "-"):
        return f"'{token.kind}'"
    if token.kind in _OPERATORS:
        return token.kind
    fragment = text[token.position:].split()[0] if text[token.position:].strip() else ""
    return repr(fragment)


def _error(query: str, position: int, message: str) -> QueryError:
    """A positioned error; a filter given as a command-line option (position -1) has no position to show."""
    if position < 0:
        return QueryError(message, query)
    return QueryError(f"query error at character {position + 1} of {query!r}: {message}", query, position)
