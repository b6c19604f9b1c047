"""The three components in a plain spaCy pipeline, as a researcher would use them: serialised docs, several
processes, a pipeline saved and loaded, and no publication date."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from newscorpus.app._analysis import annotate_articles
from newscorpus.config import Settings
from newscorpus.models import Annotations, Article
from newscorpus.nlp import Annotator
from newscorpus.nlp.pipeline import annotations_of

STORIES = [
    ("NAIROBI - Police in Kenya on Monday charged two men under section 27 of the Computer Misuse and Cybercrimes "
     "Act, 2018, weeks after the March 3, 2024 arrests in Mombasa.", "2024-05-08"),
    ("Lawmakers in Islamabad said on Tuesday that the Prevention of Electronic Crimes Act would be amended "
     "next year, a move criticised in Lahore and London.", "2023-11-15"),
    ("The museum in Paris reopens on Saturday after the strike that began on 4 June 2025.", "2025-06-12"),
]


@pytest.fixture(scope="module")
def plain_nlp() -> Language:
    """The English pipeline with our components, added by their registered factory names only."""
    nlp = spacy.load(Settings().spacy_model)
    for name in ("newscorpus_dates", "newscorpus_places", "newscorpus_laws"):
        nlp.add_pipe(name)
    return nlp


def _docs(nlp: Language) -> list[Doc]:
    docs = []
    for text, published in STORIES:
        doc = nlp.make_doc(text)
        doc._.newscorpus_dct = published
        docs.append(doc)
    return docs


def _found(docs: list[Doc]) -> list[Annotations]:
    return [annotations_of(doc) for doc in docs]


@pytest.fixture(scope="module")
def expected(plain_nlp: Language) -> list[Annotations]:
    found = _found([plain_nlp(doc) for doc in _docs(plain_nlp)])
    assert all(a.dates and a.places for a in found) and found[0].laws and found[1].laws
    return found


def test_portable_docs_round_trip_through_docbin_and_bytes(plain_nlp: Language,
                                                           expected: list[Annotations]) -> None:
    docs = [plain_nlp(doc) for doc in _docs(plain_nlp)]
    stored = DocBin(store_user_data=True, docs=docs).to_bytes()
    assert _found(list(DocBin().from_bytes(stored).get_docs(plain_nlp.vocab))) == expected
    assert _found([Doc(plain_nlp.vocab).from_bytes(doc.to_bytes()) for doc in docs]) == expected


def test_portable_pipe_runs_in_two_processes(plain_nlp: Language, expected: list[Annotations]) -> None:
    assert _found(list(plain_nlp.pipe(_docs(plain_nlp), n_process=2, batch_size=1))) == expected


def test_portable_pipeline_saved_and_loaded_keeps_its_config(plain_nlp: Language, expected: list[Annotations],
                                                             tmp_path: Path) -> None:
    registry = tmp_path / "laws.json"
    registry.write_text('{"laws": [{"name": "Harbour Lights Act", "jurisdiction": "GB", "year": 2019, '
                        '"acronyms": ["HLA"]}]}', encoding="utf-8")
    nlp = spacy.load(Settings().spacy_model)
    nlp.add_pipe("newscorpus_dates", config={"reference_date": "2024-05-08"})
    nlp.add_pipe("newscorpus_places")
    nlp.add_pipe("newscorpus_laws", config={"registry": str(registry)})
    nlp.to_disk(tmp_path / "pipeline")

    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.get_pipe_config("newscorpus_dates")["reference_date"] == "2024-05-08"
    assert _found([loaded(doc) for doc in _docs(loaded)]) == expected
    undated = annotations_of(loaded("Officers used the HLA on Monday."))
    assert [(d.text, d.value) for d in undated.dates] == [("Monday", "2024-05-06")]
    assert [law.name for law in undated.laws] == ["Harbour Lights Act"]


def test_portable_no_reference_date_leaves_relative_dates_out(plain_nlp: Language) -> None:
    found = annotations_of(plain_nlp("The minister resigned on Monday, after the vote of March 3, 2024."))
    assert [(d.text, d.value) for d in found.dates] == [("March 3, 2024", "2024-03-03")]
    assert all(d.value for d in found.dates)


def test_portable_crawled_article_without_a_date_resolves_against_its_fetch(annotator: Annotator) -> None:
    """A page with no publication date: relative dates count from when it was fetched (kept in its WARC record),
    so a reprocess months later gives the same values; with neither date they are left out."""
    article = Article("https://example.org/a", "https://example.org/a", "A", (), None, "en",
                      "The minister resigned yesterday, after the vote of 3 March 2024.")
    (fetched, _), (unknown, _) = annotate_articles(annotator, [article, article], ["2024-03-11T09:30:00+00:00", None])
    assert [(d.text, d.value) for d in fetched.dates] == [("yesterday", "2024-03-10"), ("3 March 2024", "2024-03-03")]
    assert [(d.text, d.value) for d in unknown.dates] == [("3 March 2024", "2024-03-03")]


def test_portable_a_reference_date_that_is_no_date_is_a_clear_error(plain_nlp: Language) -> None:
    doc = plain_nlp.make_doc("The minister resigned on Monday.")
    doc._.newscorpus_dct = "last spring"
    with pytest.raises(ValueError, match="must be a date such as '2024-05-08', not 'last spring'"):
        plain_nlp(doc)


def test_portable_a_pipeline_without_parser_or_ner_still_runs() -> None:
    """Without sentence boundaries or entities the components find what their own patterns find."""
    nlp = spacy.blank("en")
    nlp.add_pipe("newscorpus_dates", config={"reference_date": "2024-05-08"})
    nlp.add_pipe("newscorpus_places")
    found = annotations_of(nlp("He left on March 3, 2024 and came back later that month."))
    assert [(d.text, d.value) for d in found.dates] == [("March 3, 2024", "2024-03-03"),
                                                        ("later that month", "2024-03")]


def test_portable_a_datetime_is_a_reference_date_too(plain_nlp: Language) -> None:
    doc = plain_nlp.make_doc("The minister resigned on Monday, after the winter.")
    doc._.newscorpus_dct = datetime(2024, 5, 8, 14, 30)
    assert annotations_of(plain_nlp(doc)).dates[0].value == "2024-05-06"
