"""Filtering on the laws articles cite: one term per law, whatever variant or acronym the story used."""

from __future__ import annotations

from pathlib import Path

from newscorpus.app.filters import law_filter, resolver
from newscorpus.corpus import search
from newscorpus.corpus.laws import law_term
from newscorpus.corpus.query import Filter
from newscorpus.models import Annotations, LawReference
from tests.conftest import stored_corpus

def test_laws_terms_ignore_case_punctuation_and_a_leading_the() -> None:
    assert law_term("The Anti-Terrorism Act") == law_term("anti terrorism act") == "law:anti terrorism act"
    assert law_term("Zainab Alert, Response & Recovery Act") == "law:zainab alert response and recovery act"


def test_laws_filter_finds_every_variant_through_the_registry_and_the_corpus(tmp_path: Path) -> None:
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
    store, index = stored_corpus(tmp_path, {name: Annotations(laws=[law] if law else []) for name, law in cited.items()})

    def found(name: str) -> tuple[set[str], str]:
        understood = law_filter(store, name)[1]
        hits = search(store, index, "", filters=[Filter("law", name, -1)], resolve=resolver(store))
        return {h.title for h in hits if h.title}, understood

    assert found("PECA") == ({"peca", "peca-2016", "peca-s20"}, "Prevention of Electronic Crimes Act (PK)")
    assert found("prevention of electronic crimes act")[0] == {"peca", "peca-2016", "peca-s20"}
    assert found("HSA") == ({"local"}, "Harbour Safety Act (as stories in this corpus call it 'HSA')")
    assert found("Harbour Safety Act")[0] == {"local"}
    assert found("Official Secrets Act")[0] == set()
    def query(text: str) -> set[str]:
        return {h.title or "" for h in search(store, index, text, resolve=resolver(store))}

    assert query("court law:PECA") == {"peca", "peca-2016", "peca-s20"}
    assert query("law:PECA section:20") == query("law:PECA section:20(1)") == {"peca-s20"}
    assert query("section:20") == {"peca-s20", "ppc-s20"}
    assert query("law:PECA section:21") == set()


def test_laws_filter_takes_the_words_stories_write_for_a_law_or_its_provision(tmp_path: Path) -> None:
    cited = {
        "speech": LawReference("First Amendment", 0, 15, "Constitution of the United States", None,
                               "First Amendment", "US"),
        "arms": LawReference("Second Amendment", 0, 16, "Constitution of the United States", None,
                             "Second Amendment", "US"),
        "envoys": LawReference("Vienna Convention on Diplomatic Relations", 0, 41,
                               "Vienna Convention on Diplomatic Relations", 1961, None, None),
        "treaties": LawReference("Vienna Convention on the Law of Treaties", 0, 40,
                                 "Vienna Convention on the Law of Treaties", 1969, None, None),
        "envoys-again": LawReference("Vienna Convention on Diplomatic Relations", 0, 41,
                                     "Vienna Convention on Diplomatic Relations", 1961, None, None),
    }
    store, index = stored_corpus(tmp_path, {name: Annotations(laws=[law]) for name, law in cited.items()})

    def found(name: str) -> tuple[set[str], str]:
        hits = search(store, index, "", filters=[Filter("law", name, -1)], resolve=resolver(store))
        return {h.title for h in hits if h.title}, law_filter(store, name)[1]

    # a provision named as a law is that provision of its law, not the whole Constitution
    assert found("first amendment") == (
        {"speech"}, "Constitution of the United States, First Amendment (as stories in this corpus write it)")
    assert found("Constitution of the United States")[0] == {"speech", "arms"}
    # words of a title: the most cited law that holds them, the others named
    titles, meaning = found("Vienna Convention")
    assert titles == {"envoys", "envoys-again"}
    assert meaning.startswith("Vienna Convention on Diplomatic Relations (") and "Law of Treaties" in meaning
    assert found("100% Act")[0] == set()  # LIKE's wildcards are the user's words, not patterns
