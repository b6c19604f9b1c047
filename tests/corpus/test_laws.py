"""Filtering on the laws articles cite: one term per law, whatever variant or acronym the story used."""

from __future__ import annotations

from pathlib import Path

from newscorpus import ingest
from newscorpus.corpus import SearchIndex, open_store, search
from newscorpus.corpus.laws import law_term
from newscorpus.corpus.query import Filter
from newscorpus.models import Annotations, Article, LawReference

NOW = "2026-03-10T12:00:00+00:00"


def test_laws_terms_ignore_case_punctuation_and_a_leading_the() -> None:
    assert law_term("The Anti-Terrorism Act") == law_term("anti terrorism act") == "law:anti terrorism act"
    assert law_term("Zainab Alert, Response & Recovery Act") == "law:zainab alert response and recovery act"


def test_laws_filter_finds_every_variant_through_the_registry_and_the_corpus(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    cited = {
        # the NLP has already mapped "PECA" and the dated title to one name
        "peca": LawReference("PECA", 0, 4, "Prevention of Electronic Crimes Act", 2016, None, "PK", "PECA"),
        "peca-2016": LawReference("Prevention of Electronic Crimes Act, 2016", 0, 41,
                                  "Prevention of Electronic Crimes Act", 2016, None, "PK"),
        "peca-s20": LawReference("section 20(1) of the Act", 0, 24, "Prevention of Electronic Crimes Act", 2016,
                                 "Section 20(1)", "PK"),
        "ppc-s20": LawReference("Section 20 of the PPC", 0, 21, "Pakistan Penal Code", 1860, "Section 20", "PK"),
        "local": LawReference("Harbour Safety Act (HSA)", 0, 24, "Harbour Safety Act", None, None, "KE", "HSA"),
        "none": None,
    }
    for name, law in cited.items():
        article = Article(f"https://n.example/{name}", f"https://n.example/{name}", name, (), None, "en",
                          f"{name} story about a court ruling")
        store.save_document(article, Annotations(laws=[law] if law else []), None, NOW, name)
    index = SearchIndex(tmp_path)
    ingest.index_pending(store, index)

    def found(name: str) -> tuple[set[str], str]:
        understood = ingest.law_filter(store, name)[1]
        hits = search(store, index, "", filters=[Filter("law", name, -1)], resolve=ingest.resolver(store))
        return {h.title for h in hits if h.title}, understood

    assert found("PECA") == ({"peca", "peca-2016", "peca-s20"}, "Prevention of Electronic Crimes Act (PK)")
    assert found("prevention of electronic crimes act")[0] == {"peca", "peca-2016", "peca-s20"}
    assert found("HSA") == ({"local"}, "Harbour Safety Act (as stories in this corpus call it 'HSA')")
    assert found("Harbour Safety Act")[0] == {"local"}
    assert found("Official Secrets Act")[0] == set()
    def query(text: str) -> set[str]:
        return {h.title or "" for h in search(store, index, text, resolve=ingest.resolver(store))}

    assert query("court law:PECA") == {"peca", "peca-2016", "peca-s20"}
    assert query("law:PECA section:20") == query("law:PECA section:20(1)") == {"peca-s20"}
    assert query("section:20") == {"peca-s20", "ppc-s20"}
    assert query("law:PECA section:21") == set()
