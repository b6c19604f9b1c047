"""The registry of well-known laws (newscorpus/data/laws.json, plus any file a user adds): official short titles,
jurisdictions, unambiguous years, acronyms and other names. It backs acronyms, misnamings and jurisdictions; the
laws component finds and normalises laws that are not in it too."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from newscorpus.errors import ConfigError
from newscorpus.models import law_key


# The words that end a law's title ("the Hong Kong Human Rights Act", "the Anti-Terrorism Act 1997"): a place or a
# year right inside or after one belongs to the title.
LAW_TITLE_WORDS = frozenset({"Act", "Bill", "Code", "Law", "Ordinance", "Constitution", "Amendment", "Regulations",
                             "Rules", "Treaty", "Convention", "Accord", "Accords", "Agreement", "Protocol", "Charter",
                             "Statute", "Decree"})


@dataclass(frozen=True)
class Law:
    name: str
    jurisdiction: str | None  # None: an international instrument
    year: int | None
    section: str | None = None  # for provisions known by their own name ("Title IX")


def words_key(name: str) -> frozenset[str]:
    """A title as a set of word stems, so word order and plurals do not matter ("Crimes" = "Crime")."""
    return frozenset(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in law_key(name).split())


class LawRegistry:
    def __init__(self, paths: list[Path] | None = None) -> None:
        self.by_name: dict[str, list[Law]] = {}
        self.by_words: dict[frozenset[str], list[Law]] = {}
        self.by_acronym: dict[str, list[Law]] = {}
        self.provisions: dict[str, Law] = {}
        self._load(json.loads((resources.files("newscorpus") / "data" / "laws.json").read_text(encoding="utf-8")))
        for path in paths or []:
            try:
                data = json.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ConfigError(f"cannot read the laws registry {path}: {exc}", "laws_registry") from exc
            self._load(data)

    def _load(self, data: dict[str, Any]) -> None:
        try:
            for entry in data.get("laws", []):
                law = Law(entry["name"], entry.get("jurisdiction") or None, entry.get("year"))
                for name in [entry["name"], *entry.get("names", [])]:
                    self.by_name.setdefault(law_key(name), []).append(law)
                    self.by_words.setdefault(words_key(name), []).append(law)
                for acronym in entry.get("acronyms", []):
                    self.by_acronym.setdefault(acronym, []).append(law)
            for entry in data.get("provisions", []):
                self.provisions[entry["provision"]] = Law(entry["name"], entry.get("jurisdiction") or None,
                                                          entry.get("year"), entry["provision"])
        except (AttributeError, KeyError, TypeError) as exc:
            raise ConfigError(f"a laws registry entry lacks a field or has the wrong type: {exc}",
                              "laws_registry") from exc

    def named(self, name: str, country: str | None) -> Law | None:
        """The registry law a title names, in the story's country where the title is ambiguous."""
        return _pick(self.by_name.get(law_key(name)) or self.by_words.get(words_key(name)) or [], country)

    def acronym(self, acronym: str, country: str | None) -> Law | None:
        return _pick(self.by_acronym.get(acronym, []), country, strict=False)


def _pick(laws: list[Law], country: str | None, strict: bool = True) -> Law | None:
    """The law of the story's country; a single law of another country only when the story's country is unknown
    or the law is international (or `strict` is off, as for acronyms, which name one law wherever they appear)."""
    if not laws:
        return None
    local = [law for law in laws if law.jurisdiction == country]
    if local:
        return local[0]
    if len(laws) == 1 and (not strict or country is None or laws[0].jurisdiction in (None, "EU")):
        return laws[0]
    return None if strict or country is not None else laws[0]


@lru_cache(maxsize=1)
def default_registry() -> LawRegistry:
    return LawRegistry()


def find_law(name: str) -> Law | None:
    """The registry law a user means by an acronym ("PECA"), a title or a variant of one, in any country."""
    registry = default_registry()
    return registry.acronym(name.strip(), None) or registry.named(name, None) or next(
        iter(registry.by_name.get(law_key(name), [])), None)

