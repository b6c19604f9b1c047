"""Law references in phrasings no benchmark article was fitted to: one class of phrasing per test, in short
invented texts, on the real English pipeline."""

from __future__ import annotations

from datetime import date

import pytest

from newscorpus.nlp import Annotator


def laws(annotator: Annotator, text: str) -> list[tuple[str, str | None, int | None, str | None, str | None]]:
    return [(law.text, law.name, law.year, law.section, law.jurisdiction)
            for law in annotator.annotate(text, date(2025, 6, 11)).laws]


@pytest.mark.parametrize(("text", "expected"), [
    ("Lawyers said the decree violates the Nigerian constitution.", ("Nigerian constitution", "NG")),
    ("Under Kenya's constitution, a president serves two terms.", ("Kenya's constitution", "KE")),
    ("The Pakistani Constitution guarantees a fair trial.", ("Pakistani Constitution", "PK")),
])
def test_laws_a_constitution_named_by_its_country_or_demonym(annotator: Annotator, text: str,
                                                           expected: tuple[str, str]) -> None:
    (found,) = laws(annotator, text)
    assert (found[0], found[4]) == expected
    assert found[1] is not None and found[1].startswith("Constitution of ") and "Pakistani" not in found[1]


def test_laws_a_provision_of_a_constitution_named_by_its_demonym(annotator: Annotator) -> None:
    (found,) = laws(annotator, "The ban breaches Article 19 of the Indian constitution, the petition says.")
    assert (found[1], found[3], found[4]) == ("Constitution of India", "Article 19", "IN")


@pytest.mark.parametrize("text", [
    "He questioned the constitution of the special court.",
    "The Kenyan constitution of the tribunal was challenged.",  # the forming of a body
])
def test_laws_the_constitution_of_a_body_is_no_law(annotator: Annotator, text: str) -> None:
    assert laws(annotator, text) == []


@pytest.mark.parametrize(("text", "title"), [
    ("Senate Passes Electoral Bill", "Electoral Bill"),  # a headline's verb is no part of the title
    ("Lawmakers Reject Finance Bill 2024", "Finance Bill 2024"),
    ("Senator Smith's Online Safety Bill was debated for a week.", "Online Safety Bill"),  # an owner
    ("Kenya's Finance Bill passed its second reading.", "Finance Bill"),
])
def test_laws_a_title_starts_after_a_verb_or_an_owner(annotator: Annotator, text: str, title: str) -> None:
    assert [found[0] for found in laws(annotator, text)] == [title]


@pytest.mark.parametrize(("text", "title"), [
    ("The Women's Reservation Bill passed on Monday.", "Women's Reservation Bill"),  # a plural's possessive
    ("The Workmen's Compensation Act covers the claim.", "Workmen's Compensation Act"),
    ("Schools follow the Every Student Succeeds Act amendments.", "Every Student Succeeds Act"),  # a verb in it
])
def test_laws_a_title_keeps_a_plural_possessive_or_a_verb_after_the(annotator: Annotator, text: str,
                                                                    title: str) -> None:
    assert [found[0] for found in laws(annotator, text)] == [title]


@pytest.mark.parametrize(("text", "titles"), [
    ("Through the Data Protection Act the state gains access to records.", ["Data Protection Act"]),
    ("The Committee on Justice on the Online Safety Bill met on Monday.", ["Online Safety Bill"]),
    ("He was charged under THE Official Secrets Act.", ["Official Secrets Act"]),
    ("The Finance Act and the Companies Act were both amended.", ["Finance Act", "Companies Act"]),  # two laws
    ("The Representation of the People Act was amended.", ["Representation of the People Act"]),  # "of the"
    ("The Violence Against Women Act lapsed in 2019.", ["Violence Against Women Act"]),
])
def test_laws_title_boundaries(annotator: Annotator, text: str, titles: list[str]) -> None:
    assert [found[0] for found in laws(annotator, text)] == titles


def test_laws_initials_of_a_title_the_story_named_are_that_law(annotator: Annotator) -> None:
    text = "The National Investigation Agency Act gives the agency its powers. The NIA Act was amended in 2019."
    assert [found[1] for found in laws(annotator, text)] == ["National Investigation Agency Act"] * 2


def test_laws_a_part_of_the_law_named_before(annotator: Annotator) -> None:
    found = laws(annotator, "The Employment Act applies to all firms. Part VII of the Act covers pay.")
    assert [(f[0], f[1], f[3]) for f in found] == [("Employment Act", "Employment Act", None),
                                                   ("Part VII of the Act", "Employment Act", "Part VII")]


@pytest.mark.parametrize(("text", "name"), [
    ("He was charged under the race relations act.", "Race Relations Act"),  # lower case, after "charged under"
    ("The firm is in breach of the data protection act.", "Data Protection Act"),
    ("He was held under section 39 of the criminal procedure code.", "Criminal Procedure Code"),
    ("Police arrested him under the prevention of money laundering act.", "Prevention of Money Laundering Act"),
])
def test_laws_a_title_in_lower_case_where_the_words_around_it_cite_a_law(annotator: Annotator, text: str,
                                                                       name: str) -> None:
    assert [found[1] for found in laws(annotator, text)] == [name]


@pytest.mark.parametrize("text", [
    "He was charged under the new security act.",  # a law described, not named
    "It is part of the national dress code.",  # "of" alone cites no law
    "The passage of the budget bill was delayed.",
    "It was an act of kindness, he said.",
])
def test_laws_lower_case_words_that_name_no_law(annotator: Annotator, text: str) -> None:
    assert laws(annotator, text) == []


def test_laws_an_organisation_named_after_its_country_places_the_story(annotator: Annotator) -> None:
    text = "FCT, Abuja - The Nigerian Senate has passed the Electoral Act, 2022 (Repeal & Enactment) Bill, 2026."
    assert {found[4] for found in laws(annotator, text)} == {"NG"}  # the registry knows several Electoral Acts


@pytest.mark.parametrize(("text", "expected"), [
    ("The ED registered a case under the Pmla against the trader in Mumbai.",  # a cue cites it
     ("Pmla", "Prevention of Money Laundering Act")),
    ("Police booked him under the Ndps Act in Punjab.", ("Ndps Act", "Narcotic Drugs and Psychotropic Substances Act")),
])
def test_laws_an_acronym_written_as_a_word(annotator: Annotator, text: str, expected: tuple[str, str]) -> None:
    assert [(found[0], found[1]) for found in laws(annotator, text)] == [expected]


def test_laws_an_acronym_written_as_a_word_needs_a_citing_cue(annotator: Annotator) -> None:
    assert laws(annotator, "Pmla Sharma opened a bakery in Pune.") == []


def test_laws_a_list_of_provisions_with_glosses_is_one_reference(annotator: Annotator) -> None:
    text = ("He was booked under sections 4 (assault), 6 (aggravated assault) and 8 of the Protection of Children "
            "from Sexual Offences Act.")
    (found,) = laws(annotator, text)
    assert found[0].startswith("sections 4 (assault)") and found[0].endswith("Offences Act")
    assert (found[1], found[3]) == ("Protection of Children from Sexual Offences Act", "Sections 4, 6, 8")


def test_laws_a_bare_provision_leaves_its_gloss_out(annotator: Annotator) -> None:
    text = "He was charged under the Indian Penal Code. Police added section 363 (kidnap) later."
    assert [found[0] for found in laws(annotator, text)] == ["Indian Penal Code", "section 363"]


@pytest.mark.parametrize(("text", "title"), [
    ("Transmission of the Electoral Bill 2022 to the President was delayed.", "Electoral Bill 2022"),
    ("Repeal of the Official Secrets Act is sought by campaigners.", "Official Secrets Act"),
    ("Kopp was charged under the 1994 Freedom of Access to Clinic Entrances Act.",  # a year before it names it
     "1994 Freedom of Access to Clinic Entrances Act"),
])
def test_laws_what_is_done_to_a_law_is_outside_its_title(annotator: Annotator, text: str, title: str) -> None:
    assert [found[0] for found in laws(annotator, text)] == [title]


@pytest.mark.parametrize("text", [
    "Dan Brown's The Da Vinci Code sold millions of copies.",  # a code that codifies no field of law
    "Police Chief Says Officers Will Act",  # a headline's verb
    "Delegates gathered at the Democratic National Convention.",  # an event, not a treaty
    "Mission: Impossible - Ghost Protocol opened in cinemas.",  # a film
    "The Government of National Accord met in Tripoli.",  # a body
    "The area is bounded by Culver and Charter streets.",  # a street
])
def test_laws_works_events_and_headlines_are_no_law(annotator: Annotator, text: str) -> None:
    assert laws(annotator, text) == []


@pytest.mark.parametrize(("text", "name"), [
    ("Kenya ratified the Maputo Protocol.", "Maputo Protocol"),  # a place
    ("Ghana signed the Small Arms Treaty.", "Small Arms Treaty"),  # what it regulates
    ("Critics of the Paris Climate Accord spoke in Ohio.", "Paris Agreement"),  # a registry variant
])
def test_laws_an_international_instrument_has_no_country(annotator: Annotator, text: str, name: str) -> None:
    assert [(found[1], found[4]) for found in laws(annotator, text)] == [(name, None)]


def test_laws_a_law_the_ner_reads_as_a_work_of_art(annotator: Annotator) -> None:
    text = "He was charged with violating the Freedom of Access to Rural Clinics Act by using deadly force."
    assert [found[1] for found in laws(annotator, text)] == ["Freedom of Access to Rural Clinics Act"]


def test_laws_a_registry_title_may_hold_a_word_that_opens_no_other_title(annotator: Annotator) -> None:
    assert [found[0] for found in laws(annotator, "Both sides praised the Good Friday Agreement.")] == [
        "Good Friday Agreement"]  # "Friday" opens no title elsewhere


@pytest.mark.parametrize(("text", "expected"), [
    ("Police charged him under the Kenya Computer Misuse and Cybercrimes Act.",
     ("Computer Misuse and Cybercrimes Act", "KE")),  # the country's name is no part of the title
    ("The South African Protection of Personal Information Act applies.",
     ("Protection of Personal Information Act", "ZA")),
    ("The Pakistan Penal Code applies.", ("Pakistan Penal Code", "PK")),  # ... unless it is
])
def test_laws_a_countrys_name_before_its_own_title(annotator: Annotator, text: str,
                                                  expected: tuple[str, str]) -> None:
    assert [(found[0], found[4]) for found in laws(annotator, text)] == [expected]


@pytest.mark.parametrize(("text", "name"), [
    ("Arizona's SB 1070 was challenged in Phoenix.", "Senate Bill 1070"),  # a chamber's abbreviation
    ("Lawmakers in Raleigh, North Carolina, repealed HB 2.", "House Bill 2"),
    ("Trump signed Executive Order 13769 in Washington.", "Executive Order 13769"),
    ("The Ohio Revised Code sets the penalty in Columbus.", "Ohio Revised Code"),  # a place's code
])
def test_laws_us_bills_orders_and_codes_by_number_or_place(annotator: Annotator, text: str, name: str) -> None:
    assert [found[1] for found in laws(annotator, text)] == [name]


@pytest.mark.parametrize("text", [
    "NATO's Article 5 commits members in Washington to collective defence.",  # a treaty's article
    "Britain triggered Article 50 to leave the EU, London said.",  # no written constitution
])
def test_laws_a_bare_article_is_a_constitutions_only_where_one_is_cited_by_articles(annotator: Annotator,
                                                                                   text: str) -> None:
    assert laws(annotator, text) == []


@pytest.mark.parametrize(("text", "name"), [
    ("MPs debated the Mental Capacity bill in Westminster.", "Mental Capacity Bill"),  # "bill" in lower case
    ("Lawmakers in Washington passed the Clean Air bill.", "Clean Air Bill"),
])
def test_laws_a_title_with_its_keyword_in_lower_case(annotator: Annotator, text: str, name: str) -> None:
    assert [found[1] for found in laws(annotator, text)] == [name]


@pytest.mark.parametrize("text", [
    "The Senate bill failed in Washington.",  # a body's bill
    "The Obama bill was blocked in Washington.",  # a person's
    "The Republican tax bill passed.",  # a party's
    "He paid the Hilton bill.",
    "The Thames Water bill rose by a fifth in London.",  # an invoice: nothing around it makes law
])
def test_laws_a_bill_owned_by_a_body_person_or_party_is_no_title(annotator: Annotator, text: str) -> None:
    assert laws(annotator, text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("The ruling violates the U.S. constitution, lawyers said.", ("Constitution of the United States", "US")),
    ("The Florida constitution bans it, Tallahassee officials said.", ("Constitution of Florida", "US")),  # a state
])
def test_laws_a_constitution_owned_by_a_country_code_or_a_us_state(annotator: Annotator, text: str,
                                                                  expected: tuple[str, str]) -> None:
    assert [(found[1], found[4]) for found in laws(annotator, text)] == [expected]


def test_laws_a_provision_word_goes_on_to_the_next_law_of_a_list(annotator: Annotator) -> None:
    text = ("He was charged under Sections 18 and 27 of the Cybercrimes Act, 2015 and 39 (2) of the Economic and "
            "Financial Crimes Commission (Establishment) Act, 2004 in Lagos.")
    assert [(found[0][:12], found[3]) for found in laws(annotator, text)] == [
        ("Sections 18 ", "Sections 18, 27"), ("39 (2) of th", "Section 39(2)")]


@pytest.mark.parametrize(("text", "year"), [
    ("Police booked him under the NDPS Act in Punjab.", None),  # the registry knows 1985; news rarely says it
    ("Police booked him under the NDPS Act, 1985 in Punjab.", 1985),  # the story gives it
    ("He was charged under the IPC in Delhi.", 1860),  # a law news cites with its one year
])
def test_laws_a_year_is_the_storys_or_that_of_a_law_cited_with_one(annotator: Annotator, text: str,
                                                                  year: int | None) -> None:
    assert [found[2] for found in laws(annotator, text)] == [year]


@pytest.mark.parametrize(("text", "expected"), [
    ("He filed the petition under article 187 in Islamabad, Pakistan.",  # "187 in", not "18"
     ("article 187", "Constitution of Pakistan", "Article 187")),
    ("Lawyers in Lahore say India's Article 370 is gone.", ("Article 370", "Constitution of India", "Article 370")),
])
def test_laws_a_bare_article_of_the_storys_or_its_owners_constitution(annotator: Annotator, text: str,
                                                                     expected: tuple[str, str, str]) -> None:
    assert [(found[0], found[1], found[3]) for found in laws(annotator, text)] == [expected]


@pytest.mark.parametrize("text", [
    "The Bears struggled under Pace in Chicago last season.",  # a name after "under", not the UK's PACE
    "The Chiefs won SB 58 in Las Vegas.",  # no law-making around it
    "Sandvik AB 123 million in sales, Stockholm said.",
])
def test_laws_names_after_under_and_numbers_after_abbreviations(annotator: Annotator, text: str) -> None:
    assert laws(annotator, text) == []


def test_laws_a_registry_title_keeps_out_the_article_before_it(annotator: Annotator) -> None:
    assert [found[0] for found in laws(annotator, "The UN Charter is clear, the envoy said in Geneva.")] == [
        "UN Charter"]
