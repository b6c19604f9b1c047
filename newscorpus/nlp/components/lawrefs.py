"""`newscorpus_laws`: references to acts, bills, codes, ordinances, constitutions, treaties and their sections and
articles, each normalised to the law's official short title, year, provision and jurisdiction.

A title is found from its closing keyword ("Act", "Code", "Constitution", ...) walking back over capitalised
words, connectors and parentheses, then widened by what commonly surrounds it: a provision before it ("Section
295-A of"), a year after it ("Act, 2015", "Act of 1964", "Act No. 5 of 2018"), an acronym the text defines
("(PMLA)"). Acronyms ("IPC"), Philippine Republic Act numbers, constitutional amendments, provisions of an act
named before ("section 363", "Section 45 of the Act") and the registry's provisions ("Title IX") are found too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from newscorpus.models import LawReference, PlaceMention, law_key
from newscorpus.nlp._extensions import doc_text, records, register_extensions, set_records
from newscorpus.nlp._gazetteer import Gazetteer, load_gazetteer
from newscorpus.nlp._lawregistry import LawRegistry, words_key

_KEYWORDS = {"Act", "Bill", "Code", "Ordinance", "Constitution", "Sanhita", "Adhiniyam", "Regulation", "Regulations",
             "Rules", "Convention", "Treaty", "Charter", "Protocol", "Covenant", "Amendments", "Statute", "Agreement",
             "Accord", "Accords"}
# An international instrument named before its keyword carries a place ("Kyoto Protocol", "Oslo Accords") or what
# it regulates ("Chemical Weapons Convention"); other such names are events, bodies and works ("Democratic National
# Convention", "Ghost Protocol", "Honda Accord", "Government of National Accord").
_INSTRUMENT_KEYWORDS = {"Convention", "Protocol", "Treaty", "Agreement", "Accord", "Accords", "Covenant", "Charter"}
_TREATY_KEYWORDS = _INSTRUMENT_KEYWORDS - {"Charter"}  # a charter may be a country's ("the Canadian Charter")
_INSTRUMENT_SUBJECTS = {
    "Arms", "Weapons", "Nuclear", "Non-Proliferation", "Test", "Ban", "Missile", "Mine", "Mines", "Peace", "Trade",
    "Free", "Investment", "Extradition", "Tax", "Climate", "Rights", "Human", "Refugee", "Refugees", "Torture",
    "Genocide", "Space", "Sea", "Whaling", "Wetlands", "Heritage", "Cybercrime", "Corruption", "Trafficking",
    "Discrimination", "Partnership", "Cooperation", "Friendship", "Defence", "Defense", "Border", "Boundary",
    "Water", "Waters", "Fisheries", "Maritime", "Aviation", "Labour", "Labor", "Ozone", "Biodiversity", "Asylum",
    "Security", "Ceasefire", "Armistice", "Association", "Withdrawal", "Economic", "Customs", "Migration",
}
# A code codifies a field of law ("Penal Code", "Labour Code", "Code of Criminal Procedure"); other codes are works
# and conventions ("The Da Vinci Code", "Morse Code", "Dress Code").
_CODE_FIELDS = {
    "Penal", "Criminal", "Civil", "Procedure", "Tax", "Taxation", "Revenue", "Income", "Labour", "Labor", "Family",
    "Electoral", "Election", "Commercial", "Administrative", "Customs", "Building", "Traffic", "Highway", "Vehicle",
    "Vehicles", "Health", "Land", "Mining", "Forest", "Forestry", "Water", "Environmental", "Environment",
    "Insolvency", "Bankruptcy", "Corporate", "Companies", "Corporation", "Military", "Justice", "Judicial",
    "Evidence", "Ethics", "Practice", "Conduct", "Government", "Maritime", "Shipping", "Investment", "Securities",
    "Banking", "Insurance", "Fisheries", "Juvenile", "Children", "Child", "Marriage", "Succession", "Property",
    "Fire", "Zoning", "Housing", "Education", "Wage", "Wages", "Correctional", "Regulations", "Federal",
    "Municipal", "Sanitary", "Food", "Trade", "Competition", "Consumer", "Press", "Broadcasting", "Police",
    "Prison", "Road", "Aviation", "Copyright", "Privacy", "Social", "Security", "Rights", "Law", "Laws", "Penalty",
    "Sanitation", "Safety", "Planning", "Local", "Work", "Employment", "Agrarian", "Cooperative", "Legal",
    "Business", "Professions", "Welfare", "Institutions", "Public", "Resources", "Fish", "Game", "Streets",
    "Highways", "Elections", "Judiciary", "City", "County", "State", "Town", "Village", "Township",
    # a code as a whole: "Ohio Revised Code", "Uniform Commercial Code"
    "Revised", "Official", "Consolidated", "Unified", "Uniform", "Compiled", "General", "Statutes", "Immigration",
    "Fiscal", "Crimes", "Crime", "Personal", "Status", "Napoleonic", "Ministerial", "Naval", "Consular",
}
# Keywords a title may go on after: "Code of Criminal Procedure", "Convention on the Rights of the Child".
_KEYWORD_FIRST = {"Code", "Constitution", "Convention", "Treaty", "Charter", "Protocol", "Covenant", "Rules",
                  "Statute", "Regulations"}
_CONNECTORS = {"of", "and", "for", "on", "in", "to", "from", "against", "with", "the", "&", "etc", "or", "by", "at"}
# Capitalised words that start a sentence or a phrase rather than a title.
_NOT_TITLE_WORDS = {
    "The", "A", "An", "This", "That", "These", "Those", "Under", "In", "On", "By", "And", "But", "Or", "Its", "Their",
    "Our", "His", "Her", "If", "As", "At", "For", "From", "With", "Of", "To", "When", "While", "After", "Before",
    "New", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
    "March", "April", "May", "June", "July", "August", "September", "October", "November", "December", "Best",
    "Kill", "Mr", "Mrs", "Ms", "Dr", "Sir", "Lord", "Lady", "President", "Senator", "Minister", "Secretary",
    "Amended", "Draft", "Proposed", "Controversial", "Landmark", "Said", "Same", "Both", "Two", "Three", "Such",
    # a sentence may open with a preposition before a title ("Through the Data Protection Act, ...")
    "Through", "Despite", "Amid", "Via", "Without", "Upon", "During", "Following", "Until", "Since", "Regarding",
    "Concerning", "Throughout", "Not",
}
# What is done to a law, before "of the": "Transmission of the Electoral Bill", "Repeal of the Official Secrets Act"
# (while "Representation of the People Act", "Adoption of Children Act" are titles).
_PROCEDURE_NOUNS = {"Passage", "Passing", "Transmission", "Repeal", "Introduction",
                    "Enactment", "Implementation", "Approval", "Rejection", "Withdrawal", "Review", "Suspension",
                    "Adoption", "Signing", "Reading", "Debate", "Ratification", "Enforcement", "Violation",
                    "Violations", "Breach", "Breaches", "Scrapping", "Tabling", "Veto", "Assent", "Text", "Details",
                    "Provisions", "Critics", "Opponents", "Supporters", "Scope", "Effect", "Impact", "Fate"}
# Connectors before "the" that a title never holds (it may hold "of the": "Representation of the People Act").
_NOT_OF = {"on", "in", "at", "with", "by"}
# A title may hold the possessive of a plural ("the Children's Online Privacy Protection Act", "Workmen's
# Compensation Act"); a name with "'s" owns the title rather than starting it ("Smith's Online Safety Bill").
_PLURAL_POSSESSIVE = re.compile(r"^(?:[A-Z][a-z]*(?:men|ren)|People)['’]s$")
# What a title is when the text calls it so: "the film Executive Order", "a play, The Enabling Act".
_WORK_NOUNS = re.compile(r"\b(?:film|movie|play|novel|book|song|album|series|show|musical|comedy|drama|documentary|"
                         r"opera|poem|episode|single|memoir|sitcom|thriller)s?\b")
_WORK_BEFORE = re.compile(_WORK_NOUNS.pattern + r",?\s+[\"“‘']?(?:The\s+)?$")  # "the comedy The Marriage Act"
# Words that make the phrase something else: an award ("Best Dance Act"), a film ("Kill Bill"), a refusal.
_NOT_LAW_BEFORE = {"Best", "Kill", "No", "Class", "Balancing", "Disappearing", "Vanishing", "Magic"}
_PROVISION_WORDS = {"section", "sections", "article", "articles", "clause", "clauses", "title", "titles", "chapter",
                    "chapters", "schedule", "schedules", "paragraph", "sub-section", "subsection", "part", "parts"}
_ABBREVIATIONS = {"U.S.", "U.K.", "No.", "Etc.", "etc.", "Co.", "St.", "Mr.", "Dr."}
# A leading country word that is not part of the title: "US Foreign Corrupt Practices Act".
_COUNTRY_PREFIXES = {"US": "US", "U.S.": "US", "UK": "GB", "U.K.": "GB", "American": "US", "British": "GB",
                     "Kenyan": "KE", "Nigerian": "NG", "Pakistani": "PK", "Filipino": "PH", "Australian": "AU",
                     "EU": "EU", "European": "EU"}
# What follows an acronym or a title when it names a court, an agency or a person rather than the law.
_NOT_LAW_AFTER = re.compile(r"\s+(?:courts?|judges?|tribunals?|helplines?|agency|authority|commission|"
                            r"officers?|cells?|units?|desks?|cases?|accused|convicts?|Court|Tribunal|"
                            r"countries|members|member states|nations|partners)\b")  # "the NAFTA countries"
# Legislatures and offices that place an unplaced law: "MPs debated the Hunting Bill".
_LEGISLATURE_COUNTRY = {"House of Commons": "GB", "House of Lords": "GB", "Westminster": "GB", "Whitehall": "GB",
                        "Home Secretary": "GB", "Home Office": "GB", "Lok Sabha": "IN", "Rajya Sabha": "IN",
                        "Malacañang": "PH", "Dáil": "IE", "Senate of Pakistan": "PK", "National Assembly of Pakistan": "PK",
                        "Capitol Hill": "US", "Oireachtas": "IE", "Bundestag": "DE", "Downing Street": "GB",
                        "Commons": "GB", "Tory": "GB", "Tories": "GB", "Lib Dems": "GB", "Scotland Yard": "GB",
                        "Sejm": "PL", "Knesset": "IL", "Duma": "RU", "Kremlin": "RU", "Dewan Rakyat": "MY"}

_LEGISLATURES = re.compile(r"(" + "|".join(map(re.escape, _LEGISLATURE_COUNTRY)) + r")\b")
# A title in lower case after words that cite a law: "charged under the race relations act".
_LOWERCASE_KEYWORD = re.compile(r" (?:act|code|ordinance|bill)\b")  # after a lower-case word (checked apart)
_CITING = (r"\b(?:[Uu]nder|[Vv]iolat(?:e|es|ed|ing|ion of)|[Bb]reach(?:es|ed|ing)?(?: of)?|[Aa]mend(?:s|ed|ing)?|"
           r"[Rr]epeal(?:s|ed|ing)?|[Ii]nvok(?:e|es|ed|ing)|contravention of|provisions? of|"
           r"(?:[Ss]ections?|[Aa]rticles?|[Cc]lauses?|[Rr]ules?|[Cc]hapters?|[Pp]arts?|[Ss]chedules?) [\w().-]+ of)")
_LOWERCASE_TITLE = re.compile(_CITING + r"\s+the\s+(?P<title>(?:(?!the\s)[a-z][a-z\-]+\s+){1,6})$")
# An acronym written as a word ("booked under the Pmla") is one where these words cite a law with it.
_CITED = re.compile(_CITING + r"\s+the\s+$")
# A title in mixed case after "the": capitalised words (and connectors) before a keyword in lower case.
_MIXED_CASE_TITLE = re.compile(r"\b[Tt]he\s+(?P<title>(?:[A-Z][\w'’\-]*\s+(?:(?:of|and|for|on|to|the)\s+)?){1,6})$")
# The bodies that own a bill without naming it: "the Senate bill", "the House Ways and Means bill".
_BODY_WORDS = {"Senate", "House", "Assembly", "Congress", "Parliament", "Commons", "Lords", "Committee",
               "Government", "Cabinet", "Ministry", "Council", "Party", "Administration", "Department", "Office",
               "Court", "Means", "GOP", "White", "Labour", "Tory", "Conservative", "Conservatives", "Democrat",
               "Democrats", "Democratic", "Republican", "Republicans", "Liberal", "Green", "Reform"}
# Words of law-making around a bill: "MPs debated", "lawmakers passed", "the second reading".
_LEGISLATIVE = re.compile(r"\b(?:MPs?|[Pp]arliament\w*|[Ll]awmakers?|[Ll]egislat\w+|[Ss]enat\w+|[Cc]ommons|Lords|"
                          r"[Mm]inisters?|[Dd]ebat\w+|[Vv]ot(?:e|es|ed|ing)|[Rr]eading|[Cc]ongress\w*|[Aa]ssembly|"
                          r"[Pp]ass(?:ed|es|ing)|[Aa]mend\w*|[Rr]epeal\w*|[Ll]aws?|[Gg]overnor|[Ss]igned|[Cc]ourts?|"
                          r"[Cc]hallenged|[Rr]oyal [Aa]ssent)\b")
# Words that open a phrase about a law without naming it: "under the new act", "of the proposed bill".
_NOT_NAMING = {"new", "same", "said", "proposed", "amended", "old", "above", "relevant", "present", "current", "whole",
               "entire", "latest", "controversial", "contentious", "draft", "original", "existing", "previous",
               "landmark", "federal", "state", "provincial", "local", "other", "first", "second", "budget",
               "finance", "money", "appropriation", "omnibus"}
# "the Nigerian constitution", "Kenya's constitution": a country's word before a constitution in lower case.
_OWNED_CONSTITUTION = re.compile(
    r"(?<![\w.])(?P<owner>[A-Z][a-z]+(?: [A-Z][a-z]+)?|U\.S\.|U\.K\.|[A-Z]{2})(?:['’]s)? constitution\b(?! of\b)")
_ANY_KEYWORD = re.compile(r"(?:" + "|".join(sorted(_KEYWORDS)) + r")\b")
_WORD = re.compile(r"\(|\)|,|;|(?:[^\W\d_]|[&/])[\w'’&/]*(?:[.\-][^\W\d_][\w'’&/]*)*\.?|\d\w*|\S")
_YEAR = r"(?:1[6-9]\d\d|20\d\d)(?!\d)"
_AFTER_TITLE = re.compile(
    rf"(?P<acronym>\s*\(\s*(?:the\s+)?[\"“]?(?P<acr>[A-Z][A-Za-z0-9.&/\-]{{1,12}})[\"”]?\s*\))?"
    rf"(?P<year_part>(?:\s*,\s*|\s+|\s*-\s*)(?:of\s+)?(?P<year>{_YEAR})"
    rf"|\s+No\.?\s*\d+\s+of\s+(?P<year2>{_YEAR})|\s+Cap\.?\s+[A-Z0-9]+\s+LFN\s+(?P<lfn>{_YEAR}))?"
)
_NUM = r"(?:\d++[A-Za-z]?+(?:\s*-?\s*\(\s*[0-9a-zA-Z]{1,4}\s*\))*(?:-[A-Z]+)?|[IVXL]+\b)"
# What an item of a list may gloss: "sections 4 (assault), 6 (aggravated assault) and 8 of the ... Act".
_GLOSS_IN_BRACKETS = r"\((?![0-9a-zA-Z]{1,4}\s*\))[^()]{2,80}\)"  # words, not a subsection's "(2)" or "(b)"
_ITEM_GLOSS = rf"(?:\s*{_GLOSS_IN_BRACKETS})?"
_NUMS = rf"{_NUM}(?:{_ITEM_GLOSS}\s*(?:,|and|or|&|to)\s*(?:\(\s*[0-9a-zA-Z]{{1,4}}\s*\)|{_NUM}))*"
_PROVISION_WORD = r"(?:[Ss]ub-?[Ss]ections?|[Ss]ections?|[Aa]rticles?|[Cc]lauses?|[Tt]itles?|[Cc]hapters?|" \
                  r"[Ss]chedules?|[Pp]aragraphs?|[Pp]arts?|[Ss]s?\.|[Ss]ecs?\.|[Aa]rts?\.)"
_PROVISION = rf"(?P<provision>(?:{_PROVISION_WORD}[\s-]*{_NUM}\s*,\s*)?{_PROVISION_WORD}[\s-]*{_NUMS})"
_GLOSS = r"(?:\s*\([^()]{1,160}\))?"
_PROVISION_START = re.compile(rf"(?<![\w-]){_PROVISION_WORD}")
_PROVISION_BEFORE = re.compile(rf"{_PROVISION}{_GLOSS}\s+(?:of|in|under)\s+(?:the\s+)?")
_CARRIED_PROVISION = re.compile(
    r"(?:,|\band)\s+(?P<provision>\d{1,3}[A-Za-z]?(?:\s*\(\s*[0-9a-zA-Z]{1,4}\s*\))*)\s+(?:of|in|under)\s+(?:the\s+)?$")
_BETWEEN_LAWS = re.compile(r"\s*(?:\([^()]{0,60}\))?\s*")  # a trailing note: "Act, 2015 (as altered, 2024)"
_PROVISION_ANAPHOR = re.compile(
    rf"{_PROVISION}{_GLOSS}\s+(?:of|in|under)\s+(?:the\s+)?(?:same\s+|said\s+|this\s+)?"
    rf"(?P<anaphor>Act|Code|Ordinance|Constitution|Sanhita|Bill|Rules|Treaty|Convention|act|code|constitution)\b")
_OWNER_BEFORE = re.compile(r"(?P<owner>\b[A-Z][\w.&\-]*?)(?:['’]s)?\s+$")  # "NATO's", "EU", "India's"
_BARE_PROVISION = re.compile(rf"(?<![\w-]){_PROVISION}(?!\s*(?:of|under)\b)")
# (no leading \b, which would cost regex's fast scan for the first letter: _republic_acts checks what precedes)
_REPUBLIC_ACT = re.compile(r"(?:Republic\s+Act|R\.?A\.?)\s*(?:No\.?\s*)?(?P<number>\d{3,5})\b")
_AMENDMENT = re.compile(
    r"\b(?:(?P<clause>(?:[A-Z][a-z]+\s+){1,3}Clause)\s+of\s+the\s+)?(?P<ordinal>First|Second|Third|Fourth|Fifth|"
    r"Sixth|Seventh|Eighth|Ninth|Tenth|Eleventh|Twelfth|Thirteenth|Fourteenth|Fifteenth|Sixteenth|Seventeenth|"
    r"Eighteenth|Nineteenth|Twentieth|Twenty-[A-Z]?[a-z]+|\d{1,2}(?:st|nd|rd|th))\s+Amendment\b(?!\s+(?:Act|Bill))")
_STATE_BILL = re.compile(r"\b(?:(?P<state>[A-Z][a-z]+)\s+)?(?:House|Senate|Assembly)\s+Bill\s+(?:No\.?\s*)?\d+\b")
# US bills by their chamber's abbreviation, and executive orders by number ("Executive Order 13769").
_BILL_CHAMBERS = {"HB": "House Bill", "SB": "Senate Bill", "AB": "Assembly Bill", "H.R.": "H.R."}
_BILL_NUMBER = re.compile(r"(?P<chamber>HB|SB|AB|H\.R\.) (?!(?:19|20)\d\d\b)\d{1,4}\b(?![.,]\d|\s*(?:million|billion|"
                          r"m\b|bn\b|%|per\b))")  # not a year ("SB 2024 season"), an amount ("Sandvik AB 123 million")
_EXECUTIVE_ORDER = re.compile(r"Executive\s+Order\s+(?:No\.?\s*)?\d+(?:-\d+)?\b")
_LONG_TITLE = re.compile(
    r"\b[Aa]n\s+(?P<title>Act\s+(?:granting|exempting|requiring|prohibiting|regulating|mandating|providing|"
    r"establishing|creating|declaring|amending|increasing|renaming|converting|institutionalizing|strengthening|"
    r"expanding|instituting|penalizing|defining|separating|reapportioning)\b[^;.,]*?)(?=\s+and\s+an?\s+Act\b|[;.,]|$)")


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    name: str | None
    year: int | None = None
    section: str | None = None
    jurisdiction: str | None = None
    alias: str | None = None
    registry: bool = False  # name, year and jurisdiction come from the registry
    international: bool = False  # a treaty or convention between countries: no jurisdiction


class LawsComponent:
    """Finds law references and normalises each one's name, year, section and jurisdiction."""

    def __init__(self, gazetteer: Gazetteer, registry: LawRegistry) -> None:
        self.gazetteer = gazetteer
        self.registry = registry
        self._as_words = {form: a for a in registry.by_acronym if (form := _as_word(a))}  # "Pmla" -> "PMLA"
        self._known_acronyms = _any_of([a for a in registry.by_acronym if not a[0].isdigit()] + list(self._as_words))
        self._named_provisions = _any_of(registry.provisions)
        self._countries: dict[str, str | None] = {}  # _country_of, remembered: titles repeat across stories
        self._demonyms: dict[str, str | None] = {}  # the same for demonyms ("Kenyan")

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        country = self._story_country(doc, text, ents)
        found, aliases = self._titles(doc, text, ents, country)
        found += self._owned_constitutions(text, found)
        found += self._lowercase_titles(text, ents, country, found)
        found += self._acronyms(text, country, aliases)
        found += self._republic_acts(text, found)
        found += self._amendments_and_bills(text, country)
        found += self._provisions(text, country, found)
        found += self._repeats(text, found)
        kept = _without_overlaps(found)
        set_records(doc, "newscorpus_laws", [_record(text, f) for f in _shared_years_and_aliases(kept)])
        return doc

    # --- titles -----------------------------------------------------------------------------------------------

    def _titles(self, doc: Doc, text: str, ents: list[tuple[int, int, str]],
                country: str | None) -> tuple[list[_Found], dict[str, _Found]]:
        found: list[_Found] = []
        aliases: dict[str, _Found] = {}
        # the NER reads many laws as works of art ("the Freedom of Access to Clinic Entrances Act"): a work is one
        # the text quotes or calls a work ("the comedy The Marriage Act"); and a person's name is none
        blocked = [(start, end) for start, end, label in ents if label == "PERSON" or label == "WORK_OF_ART" and (
            text[max(0, start - 1):start] in ('"', "“", "'", "‘") or _WORK_NOUNS.search(text, max(0, start - 40),
                                                                                          min(len(text), end + 30)))]
        words = [word for window in _windows(text) for word in window]
        for i, (_, _, word) in enumerate(words):
            if word.rstrip(".") not in _KEYWORDS or (i + 1 < len(words) and not word.endswith(".")
                                                     and _starts_name(words[i + 1][2])):
                continue
            span = self._title_span(doc, text, words, i)
            if span is None:
                continue
            start, end = span
            if not self._may_be_law(text[start:end], word.rstrip(".")) or _WORK_BEFORE.search(
                    text, max(0, start - 30), start) or any(
                    s <= start and end <= e for s, e in blocked) and not self.registry.named(text[start:end], None):
                continue
            law = self._title(text, start, end, country, found)
            found.append(law)
            if law.alias:
                aliases[law.alias] = law
        found += self._long_titles(text, country)
        return found, aliases

    def _may_be_law(self, title: str, keyword: str) -> bool:
        """Whether a code codifies a field of law and an international instrument carries a place or a subject
        (see _CODE_FIELDS, _INSTRUMENT_SUBJECTS); the registry's titles always are laws."""
        words = title.replace("-", " - ").split()
        named_first = words[0].rstrip(".") == keyword  # "Code of Criminal Procedure", "Convention on the ..."
        if keyword == "Code":  # a field of law, or a place's code ("U.S. Code", "Texas Code")
            return named_first or any(w in _CODE_FIELDS for w in words) or self._country_of(title) is not None or \
                self.registry.named(title, None) is not None
        if keyword not in _INSTRUMENT_KEYWORDS or named_first or any(w in _INSTRUMENT_SUBJECTS for w in words):
            return True
        return self.registry.named(title, None) is not None or self._country_of(title) is not None or any(
            p.population >= 100_000 for w in words[:-1] if w[0].isupper() for p in self.gazetteer.lookup(w))

    def _title_span(self, doc: Doc, text: str, words: list[tuple[int, int, str]],
                    keyword: int) -> tuple[int, int] | None:
        """The characters of the title that ends (or, for "Code of ...", goes on) at the keyword. A title has no
        verb ("Senate Passes Electoral Bill") and no owner ("Smith's Online Safety Bill", "Google's ...")."""
        first = keyword
        i = keyword - 1
        while i >= 0:
            word = words[i][2]
            if "\n" in text[words[i][1]:words[i + 1][0]] or (word.endswith(".") and word not in _ABBREVIATIONS):
                break
            if word[0].isupper() and ((_finite_verb(doc, words[i]) and not _after_article(words, i)) or (
                    word.endswith(("'s", "’s")) and not _PLURAL_POSSESSIVE.match(word))):
                break  # "Senate Passes Electoral Bill" (not "the Every Student Succeeds Act"), "Smith's ... Bill"
            if word == ")":
                opening = next((j for j in range(i - 1, max(i - 12, -1), -1) if words[j][2] == "("), None)
                if opening is None or not any(w[2][0].isupper() and len(w[2]) > 1 for w in words[opening:i]):
                    break
                i = opening - 1
                first = opening
                continue
            if word in _NOT_LAW_BEFORE:
                return None
            if word in _PROCEDURE_NOUNS and words[i + 1][2] == "of" and words[i + 2][2] == "the":
                break
            if word in _NOT_TITLE_WORDS or word.lower() in _PROVISION_WORDS or (
                    i > 0 and words[i - 1][2].lower() in _PROVISION_WORDS) or (  # "Title VII of the ..."
                    word.isupper() and word.capitalize() in _NOT_TITLE_WORDS):  # "THE Official Secrets Act"
                break
            if word in ("and", "or", ",") and i > 0 and (words[i - 1][2].isupper() and len(words[i - 1][2]) > 1 or
                                                       words[i - 1][2] in _KEYWORDS or words[i - 1][2] in self._as_words):
                break  # "IPC and POCSO Act", "the Finance Act and the Companies Act": two laws
            if word == "the" and i > 0 and words[i - 1][2] in _NOT_OF:
                break  # "the Committee on Justice on the Online Safety Bill": "of the" may be in a title, "on the" not
            if word[0].isupper() or word.lower() in _CONNECTORS or (word == "," and i > 0 and words[i - 1][2][0].isupper()
                                                                     and words[i + 1][2][0].isupper()):
                if word[0].isupper() or word == "&":
                    first = i
                i -= 1
                continue
            break
        last = keyword
        if words[keyword][2] in _KEYWORD_FIRST and keyword + 2 < len(words) and words[keyword + 1][2] in (
                "of", "on", "for", "against"):
            j = keyword + 1
            while j < len(words) and (words[j][2][0].isupper() or words[j][2] in _CONNECTORS):
                if words[j][2][0].isupper():
                    last = j
                if words[j][2].endswith(".") and words[j][2] not in _ABBREVIATIONS:
                    break
                j += 1
        end = words[last][1]
        if text[end - 1] == "." and words[last][2] not in _ABBREVIATIONS:
            end -= 1
        if first == i + 1 and i >= 0 and words[i][2] in _NOT_TITLE_WORDS:  # unless a registry title holds the
            first = next((j for j in (i, i - 1) if j >= 0 and self._registry_holds(  # word: "Good Friday Agreement"
                text[words[j][0]:end], words[i][2])), first)
        if first == keyword and last == keyword:
            return None
        return words[first][0], end

    def _registry_holds(self, title: str, word: str) -> bool:
        law = self.registry.named(title, None)
        return law is not None and word.lower() not in ("the", "a", "an") and word.lower() in law_key(law.name).split()

    def _title(self, text: str, start: int, end: int, country: str | None, earlier: list[_Found]) -> _Found:
        """A title with what follows it (a defined acronym, a year) and its normalised record."""
        raw = text[start:end]
        words = raw.split()
        jurisdiction: str | None = None
        if words[0] in _COUNTRY_PREFIXES and len(words) > 2 and not self.registry.named(raw, None):
            jurisdiction = _COUNTRY_PREFIXES[words[0]]
            start += raw.index(words[1], len(words[0]))
            raw = text[start:end]
        elif len(words) > 2 and not self.registry.named(raw, None):  # "the Kenya Computer Misuse ... Act": a
            for size in (1, 2):  # country's name before a title of its own that the registry knows without it
                code = self._country_of_word(" ".join(words[:size]))
                rest = raw.split(maxsplit=size)[-1] if len(words) > size + 1 else ""
                if code and rest and self.registry.named(_clean_name(rest), code):
                    jurisdiction, start, raw = code, end - len(rest), rest
                    break
        after = _AFTER_TITLE.match(text, end)
        alias = None
        inner = re.search(r"\(\s*([A-Z][A-Z0-9.&/\-]{1,12})\s*\)", raw)
        if inner:
            alias = inner.group(1)
        year = None
        if after:
            year_text = after["year"] or after["year2"] or after["lfn"]
            if after["acr"] and (year_text or not after["year_part"]):
                alias = alias or after["acr"]
            if after["year_part"]:
                end = after.end()
                year = int(after["year"] or after["year2"]) if (after["year"] or after["year2"]) else None
        name = _clean_name(raw)
        # a year before the title names it: "the 1994 Freedom of Access ... Act", "1999 Constitution of ..."
        before = text[max(0, start - 12):start]
        leading_year = re.search(rf"\b({_YEAR})\s+$", before)
        if leading_year and (raw.startswith("Constitution") or re.search(
                r"(?:^|\b(?:[Tt]he|[Aa]|[Ii]ts|[Tt]heir)\s+)$", before[:leading_year.start()])):
            start -= len(before) - leading_year.start()
            year = int(leading_year.group(1))
        law = self._normalised(name, year, country, jurisdiction, earlier)
        return replace(law, start=start, end=end, alias=alias)

    def _normalised(self, name: str, year: int | None, country: str | None, jurisdiction: str | None,
                    earlier: list[_Found]) -> _Found:
        """The registry's record of a title, or the title tidied: "X Constitution" -> "Constitution of X",
        "X Amendment Bill" -> "X (Amendment) Bill", a short title -> the full title named before."""
        where = jurisdiction or country
        acronym = self._as_words.get(name, name)  # "Ndps Act" -> "NDPS Act"
        known = self.registry.named(name, where) or self.registry.acronym(acronym, where) or (
            self.registry.acronym(self._as_words.get(name[:-4], name[:-4]), where) if name.endswith(" Act") else None)
        if known is None and ("(Amendment)" in name or " Amendment " in name):  # amends a known law: its country
            amended = re.sub(r"\s*\(?Amendment\)?", "", name)
            base = self.registry.named(amended, where) or self.registry.named(
                re.sub(r" (Bill|Ordinance)$", " Act", amended), where)
            jurisdiction = jurisdiction or (base.jurisdiction if base else None)
        if known is None and name.endswith(" Bill"):  # the bill of a known act keeps "Bill"
            act = self.registry.named(name[:-5] + " Act", where)
            if act is not None:
                return _Found(0, 0, act.name[:-4] + " Bill", year, None, act.jurisdiction)
        if known is None and name.startswith("Constitution of"):
            place = self.gazetteer.lookup(name[len("Constitution of "):].removeprefix("the "))
            code = next((p.country_code for p in place if p.kind == "country"), None)
            if code:
                known = self.registry.named(f"Constitution of {self.gazetteer.countries[code].name}", code)
                name = known.name if known else _constitution_of(self.gazetteer, code)
                jurisdiction = code
        if known is not None:
            return _Found(0, 0, known.name, known.year or year, None, known.jurisdiction, registry=True)
        if name.endswith(" Constitution") and len(name.split()) > 1:
            owner = name[: -len(" Constitution")]
            code = self._country_of(owner)
            if code and code in self.gazetteer.countries and (law_key(owner) == law_key(
                    self.gazetteer.countries[code].name) or self._country_of_word(owner) == code):  # "Pakistani"
                constitution = self._constitution(code)
                return replace(constitution, year=constitution.year or year)
            else:
                name = f"Constitution of {owner}"
            jurisdiction = jurisdiction or code
        name = re.sub(r"^(?!.*\()(.+?) Amendment (Bill|Ordinance|Act)$", r"\1 (Amendment) \2", name)
        keyword = name.split()[-1]
        for law in reversed(earlier):
            if not law.name or law.name.split()[-1] != keyword:
                continue
            # a shorter title, or initials ("the NIA Act", "the DPA Act" after the National Investigation Agency
            # Act, the Data Protection Act)
            initials = _initials(law.name)
            if words_key(name) < words_key(law.name) or (
                    len(name.split()) == 2 and name.split()[0] in (initials, initials + keyword[0])):
                return replace(law, year=law.year or year, section=None, alias=None)
        if keyword in _TREATY_KEYWORDS or name.split()[0] in _TREATY_KEYWORDS and keyword not in _KEYWORDS:
            # "Kyoto Protocol", "Convention on ...": no country's (but "the Treaty of Waitangi Act" is)
            return _Found(0, 0, name, year, None, None, international=True)
        return _Found(0, 0, name, year, None, jurisdiction or self._country_of(name) or country)

    def _mixed_case_title(self, text: str, space: int, end: int, ents: list[tuple[int, int, str]],
                          country: str | None, titles: list[_Found]) -> list[_Found]:
        """A bill's title with its keyword in lower case after "the", where the words around it make law ("MPs
        debated the Mental Capacity bill"): not a body's, a person's or a party's bill ("the Senate bill", "the
        Obama bill", "the Labour bill"), nor an invoice ("the Thames Water bill")."""
        m = _MIXED_CASE_TITLE.search(text, max(0, space - 100), space + 1)
        if m is None or text[space + 1:end] != "bill" or any(t.start < end and m.start("title") < t.end
                                                             for t in titles):
            return []  # "the Clean Air act" is rare; "the Houdini act", "the X Factor act" are no laws
        if not _LEGISLATIVE.search(text, max(0, space - 150), min(len(text), end + 150)):
            return []  # "the Thames Water bill rose": an invoice, where nothing around it is law-making
        start = m.start("title")
        words = text[start:space].split()
        if words[0] in _NOT_TITLE_WORDS or words[0].lower() in _NOT_NAMING or _BODY_WORDS & set(words) or (
                len(words) == 1 and words[0].isupper()) or any(
                s < space and start < e and label in ("PERSON", "NORP", "GPE") for s, e, label in ents):
            return []
        law = self._title(text, start, end, country, titles)
        return [law if law.registry else replace(law, name=f"{(law.name or '')[:-len('bill')]}Bill")]

    def _lowercase_titles(self, text: str, ents: list[tuple[int, int, str]], country: str | None,
                          titles: list[_Found]) -> list[_Found]:
        """A title written in lower case where the words around it are legal ("charged under the race relations
        act", "in breach of the official secrets act"): the registry's law, else two or more words before "act",
        "code" or "ordinance" that no adjective of a new or unnamed law ("the new act") opens."""
        found = []
        for keyword in _LOWERCASE_KEYWORD.finditer(text):  # rare: the cue before it is read only then
            if not text[keyword.start() - 1].islower():
                continue
            previous = text[text.rfind(" ", 0, keyword.start()) + 1]
            if previous.isupper():  # "the Mental Capacity bill"
                found += self._mixed_case_title(text, keyword.start(), keyword.end(), ents, country, titles)
                continue
            window = max(0, keyword.start() - 120)
            m = _LOWERCASE_TITLE.search(text, window, keyword.start() + 1)
            if m is None:
                continue
            start, end = m.start("title"), keyword.end()
            words = text[start:end].split()
            if any(t.start < end and start < t.end for t in titles):
                continue
            if words[0] in _NOT_NAMING:
                continue
            law = self._title(text, start, end, country, titles)
            if not law.registry:
                if len(words) < 3 or words[-1] == "bill":
                    continue
                law = replace(law, name=" ".join(w if w in _CONNECTORS else w[0].upper() + w[1:]
                                                 for w in (law.name or "").split()))
            found.append(law)
        return found

    def _owned_constitutions(self, text: str, titles: list[_Found]) -> list[_Found]:
        """A constitution named by its country's name, demonym or possessive in lower case: "the Nigerian
        constitution", "Kenya's constitution", "the U.S. constitution", a US state's "the Florida constitution" (not
        "the constitution of the special court")."""
        found: list[_Found] = []
        if " constitution" not in text:  # the pattern below is tried only where it can match
            return found
        for m in _OWNED_CONSTITUTION.finditer(text):
            start, owner = m.start(), m["owner"]
            if self._country_of_word(owner) is None and " " in owner:  # "Under Kenya's constitution"
                start, owner = start + owner.index(" ") + 1, owner.split(" ", 1)[1]
            code = self._country_of_word(owner)
            if any(t.start < m.end() and start < t.end for t in titles):
                continue
            if code in self.gazetteer.countries:
                found.append(replace(self._constitution(code), start=start, end=m.end()))
            elif owner[1:].islower() and self._country_of(owner) == "US":  # a state's: "the Florida constitution"
                found.append(_Found(start, m.end(), f"Constitution of {owner}", None, None, "US"))
        return found

    def _long_titles(self, text: str, country: str | None) -> list[_Found]:
        """Philippine laws cited by their long title: "an Act regulating Philippine credit card industry"."""
        return [_Found(m.start("title"), m.end("title"), " ".join(m["title"].split()), None, None, country)
                for m in _LONG_TITLE.finditer(text)]

    # --- acronyms, numbers, amendments ------------------------------------------------------------------------

    def _acronyms(self, text: str, country: str | None, aliases: dict[str, _Found]) -> list[_Found]:
        found = []
        alias_words = {form: a for a in aliases if (form := _as_word(a))}
        matches = [(m.start(), m.end(), m.group(1)) for m in _whole_words(self._known_acronyms, text)]
        matches += _occurrences([*aliases, *alias_words], text)
        for start, end, acronym in matches:
            if _NOT_LAW_AFTER.match(text, end) or text[max(0, start - 16):start].endswith("General "):
                continue
            as_word = acronym not in aliases and acronym not in self.registry.by_acronym  # "Pmla"
            if as_word:
                acronym = alias_words.get(acronym) or self._as_words[acronym]
                if not (text[:end].endswith(" Act") or _CITED.search(text, max(0, start - 40), start)):
                    continue  # "the Bears struggled under Pace": a name, not a law cited
            if acronym in aliases:
                title = aliases[acronym]
                found.append(_Found(start, end, title.name, title.year, None, title.jurisdiction, acronym))
                continue
            law = self.registry.acronym(acronym, country)
            if law is not None and not (as_word and law.jurisdiction != country):  # a word form: the story's law
                found.append(_Found(start, end, law.name, law.year, None, law.jurisdiction, acronym, True))
        return found

    def _republic_acts(self, text: str, titles: list[_Found]) -> list[_Found]:
        """"Republic Act No. 11787", "RA 11861": the title the text gives beside the number, or the number."""
        found = []
        for m in _REPUBLIC_ACT.finditer(text):
            if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_"):
                continue
            label = f"Republic Act No. {m['number']}"
            known = self.registry.acronym(f"RA {m['number']}", "PH")
            beside = next((t for t in titles if _beside(text, (m.start(), m.end()), t)), None)
            if beside is not None:
                found.append(_Found(m.start(), m.end(), beside.name, beside.year, None, "PH", m.group()))
            elif known is not None:
                found.append(_Found(m.start(), m.end(), known.name, known.year, None, "PH", m.group(), True))
            else:
                found.append(_Found(m.start(), m.end(), label, None, None, "PH"))
        return found

    def _amendments_and_bills(self, text: str, country: str | None) -> list[_Found]:
        found = []
        for m in _AMENDMENT.finditer(text) if "Amendment" in text else ():
            if country not in (None, "US"):
                continue
            section = f"{m['ordinal']} Amendment" + (f", {m['clause']}" if m["clause"] else "")
            found.append(_Found(m.start(), m.end(), "Constitution of the United States", None, section, "US"))
        for m in _STATE_BILL.finditer(text) if " Bill " in text else ():
            state = m["state"]
            if state and state in _NOT_TITLE_WORDS:
                continue
            start = m.start() if state and self._country_of(state) == "US" else m.start() + len(state or "") + (
                1 if state else 0)
            found.append(_Found(start, m.end(), " ".join(text[start:m.end()].split()), None, None,
                                "US" if state else country))
        for m in _BILL_NUMBER.finditer(text):  # "SB 1070", "H.R. 3"
            if country == "US" and not (m.start() and text[m.start() - 1].isalnum()) and \
                    _LEGISLATIVE.search(text, max(0, m.start() - 150), m.end() + 150):
                number = text[m.end("chamber"):m.end()].strip()
                found.append(_Found(m.start(), m.end(), f"{_BILL_CHAMBERS[m['chamber']]} {number}", None, None, "US"))
        for m in _EXECUTIVE_ORDER.finditer(text) if "Executive Order" in text else ():
            found.append(_Found(m.start(), m.end(), " ".join(m.group().split()), None, None,
                                "PH" if country == "PH" else "US"))  # numbered orders: US presidents', PH's
        for m in _whole_words(self._named_provisions, text):
            if re.match(r"\s+(?:of|in)\b", text[m.end():]):
                continue
            law = self.registry.provisions[m.group(1)]
            found.append(_Found(m.start(), m.end(), law.name, law.year, law.section, law.jurisdiction, registry=True))
        return found

    # --- provisions of laws named elsewhere -------------------------------------------------------------------

    def _provisions(self, text: str, country: str | None, named: list[_Found]) -> list[_Found]:
        """Provisions before a title or acronym ("Section 19 of the PMLA"), of an anaphor ("Section 45 of the
        Act") and bare ones ("section 363") after a law that has sections was named."""
        found: list[_Found] = []
        starts = _provision_starts(text)  # the patterns below are tried only here
        if not starts:
            return found
        for law in named:
            nearby = [p for p in starts if law.start - 240 <= p < law.start]
            before = next((m for p in nearby if (m := _PROVISION_BEFORE.fullmatch(text, p, law.start))), None)
            if before is not None:
                found.append(replace(law, start=before.start(), section=_section(before["provision"])))
            elif nearby and (carried := _CARRIED_PROVISION.search(text, max(0, law.start - 80), law.start)) and any(
                    n.end <= carried.start() and _BETWEEN_LAWS.fullmatch(text, n.end, carried.start()) for n in named):
                # right after a law: "... Act, 2015 (as altered, 2024), 39 (2) of ..."
                # "Sections 18 and 27 of the X Act and 39 (2) of the Y Act": the word goes on to the next law
                word = text[nearby[-1]:].split()[0].removesuffix("s")  # one provision: "Section"
                found.append(replace(law, start=carried.start("provision"),
                                     section=_section(f"{word} {carried['provision']}")))
        for p in starts:
            anaphor = _PROVISION_ANAPHOR.match(text, p)
            if anaphor is not None:
                target = self._antecedent(named, p, anaphor["anaphor"], country)
                if target is not None:
                    found.append(replace(target, start=p, end=anaphor.end(), section=_section(anaphor["provision"]),
                                         alias=None))
                continue
            m = _BARE_PROVISION.match(text, p)
            if m is None:
                continue
            word = m["provision"].split()[0].lower()
            if word.startswith(("art", "title")):
                owner = _OWNER_BEFORE.search(text, max(0, m.start() - 30), m.start())
                owner_country = self._country_of_word(owner["owner"]) if owner else None
                if owner and owner["owner"].isupper() and owner_country is None:
                    continue  # "NATO's Article 5", "the EU Article 50": a treaty's, not a constitution's
                target = self._antecedent(named, m.start(), "Constitution", owner_country or country, bare=True)
            else:  # a section: of the code or act named last
                target = next((n for n in reversed(named) if n.end <= m.start() and n.name and n.name.split()[-1]
                               in ("Code", "Act", "Sanhita", "Ordinance")), None)
            if target is not None and not word.startswith(("cla", "cha", "sch", "par")):
                found.append(replace(target, start=m.start(), end=m.end(), section=_section(m["provision"]),
                                     alias=None))
        return found

    def _antecedent(self, named: list[_Found], before: int, keyword: str, country: str | None,
                    bare: bool = False) -> _Found | None:
        """The law named last before a provision with this keyword, else the story's country's constitution: for
        a bare article ("petition under article 187") only a constitution the registry knows, that news cites by
        its articles (Britain has none: "Article 50" is the EU treaty's)."""
        keyword = keyword.capitalize()
        earlier = [n for n in named if n.end <= before and n.name and keyword in n.name.split()]
        if earlier:
            return earlier[-1]
        if keyword == "Constitution" and country in self.gazetteer.countries:
            constitution = self._constitution(country)
            return constitution if constitution.registry or not bare else None
        return None

    def _constitution(self, code: str) -> _Found:
        """A country's constitution, as the registry knows it if it does."""
        name = _constitution_of(self.gazetteer, code)
        law = self.registry.named(name, code)
        return _Found(0, 0, law.name if law else name, law.year if law else None, None, code, registry=law is not None)

    def _repeats(self, text: str, named: list[_Found]) -> list[_Found]:
        """Later mentions of a title in other case ("the electoral bill" after "the Electoral Bill 2022")."""
        found = []
        titles = {law.name for law in named if law.name and len(law.name.split()) > 1 and "(" not in law.name}
        for title in titles:
            law = next(n for n in named if n.name == title)
            for start, end, _ in _occurrences([title.lower()], text, before="the "):
                found.append(replace(law, start=start, end=end, section=None))
        return found

    # --- jurisdiction -----------------------------------------------------------------------------------------

    def _country_of_word(self, word: str) -> str | None:
        if word not in self._demonyms:
            self._demonyms[word] = self.gazetteer.country_of_word(word)
        return self._demonyms[word]

    def _country_of(self, name: str) -> str | None:
        """The country a title names: a country or its demonym ("Pakistan Penal Code"), or a US state."""
        if name not in self._countries:
            self._countries[name] = self._find_country(name)
        return self._countries[name]

    def _find_country(self, name: str) -> str | None:
        words = name.replace("(", " ").replace(")", " ").split()
        for size in (3, 2, 1):
            for i in range(len(words) - size + 1):
                phrase = " ".join(words[i:i + size])
                code = self.gazetteer.country_of_word(phrase)
                if code:
                    return code
                if i == 0 and phrase[0].isupper() and any(p.kind == "admin1" and p.country_code == "US"
                                                          for p in self.gazetteer.lookup(phrase)):
                    return "US"  # "Missouri Constitution", "Ohio House Bill 1"
        return None

    def _story_country(self, doc: Doc, text: str, ents: list[tuple[int, int, str]]) -> str | None:
        """The country the story is about, by vote: each place mention's country, each demonym ("Filipino"), each
        organisation named after its country ("the Nigerian Senate") and, twice, each legislature or office it
        names ("Lok Sabha")."""
        votes: Counter[str] = Counter(p.country_code for p in records(doc, "newscorpus_places", PlaceMention)
                                       if p.country_code and not p.approximate)
        for start, end, label in ents:
            if label == "NORP" and (code := self._country_of_word(text[start:end])):
                votes[code] += 1
            elif label == "ORG":  # a body named after its country: "the Nigerian Senate", "Kenya Revenue Authority"
                codes = {self._country_of_word(word) for word in text[start:end].split() if word[:1].isupper()}
                votes.update(code for code in codes if code)
        for m in _whole_words(_LEGISLATURES, text):
            votes[_LEGISLATURE_COUNTRY[m.group(1)]] += 2
        return votes.most_common(1)[0][0] if votes else None


def _initials(name: str) -> str:
    """The capitals of a title's words before its keyword: "National Investigation Agency Act" -> "NIA"."""
    return "".join(word[0] for word in name.split()[:-1] if word[0].isupper())


def _as_word(acronym: str) -> str | None:
    """An acronym of four letters or more as news may write it, as a word: "PMLA" -> "Pmla", "NDPS Act" -> "Ndps
    Act", "CrPC" -> "Crpc"."""
    head, _, rest = acronym.partition(" ")
    if len(head) < 4 or not head.isalpha() or sum(c.isupper() for c in head) < 3:
        return None
    return f"{head.capitalize()} {rest}".rstrip()


def _after_article(words: list[tuple[int, int, str]], i: int) -> bool:
    """Whether the run of capitalised words holding word i opens after "the" or "a": a name, not a headline."""
    while i > 0 and words[i - 1][2][:1].isupper():
        i -= 1
    return i > 0 and words[i - 1][2] in ("the", "a", "an")


def _finite_verb(doc: Doc, word: tuple[int, int, str]) -> bool:
    """Whether the parser reads a word as a verb of a headline ("Passes", "Reject", "Will", "Scrap")."""
    span = doc.char_span(word[0], word[1])
    return span is not None and len(span) == 1 and span[0].tag_ in ("VBZ", "VBD", "VBP", "MD", "VB")


def _beside(text: str, number: tuple[int, int], title: _Found) -> bool:
    """A number and a title that name one law: "Republic Act 3019 or the Anti-Graft ... Act", "... Act (RA 11861)"."""
    if 0 <= title.start - number[1] <= 14:
        return re.fullmatch(r"\s*,?\s*(?:or|\(|also known as)\s*(?:the\s+)?", text[number[1]:title.start]) is not None
    return 0 <= number[0] - title.end <= 4 and text[title.end:number[0]].strip() in ("(", ",", "", "or")


def _windows(text: str) -> Iterator[list[tuple[int, int, str]]]:
    """The words around each keyword, in windows wide enough for the longest titles (most of a story is never
    tokenised: most stories cite no law). A window starts on its line's break or on a space 250 characters
    back (no title is longer), ends on a space, and closes with a line-break sentinel so no title runs from one
    window into the next."""
    spans: list[list[int]] = []
    for m in _ANY_KEYWORD.finditer(text):
        start = max(text.rfind("\n", 0, m.start()), text.rfind(" ", 0, max(0, m.start() - 250)), 0)
        end = text.find(" ", m.end() + 200)
        end = len(text) if end < 0 else end
        if spans and start <= spans[-1][1]:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    for start, end in spans:
        yield [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text, start, end)] + [(end, end, "\n")]


_PROVISION_STEMS = ("sec", "sub", "art", "par", "cla", "tit", "cha", "sch", "s.", "ss.")  # how its words begin


def _provision_starts(text: str) -> list[int]:
    """Where a provision word (`_PROVISION_START`) starts, found from its first letters: scanning the whole text
    with the pattern would cost more than all the rest of the component."""
    low = text.lower()
    if len(low) != len(text):  # lower case moved the offsets ("İ")
        return [m.start() for m in _PROVISION_START.finditer(text)]
    starts = set()
    for stem in _PROVISION_STEMS:
        i = low.find(stem)
        while i >= 0:
            if _PROVISION_START.match(text, i):
                starts.add(i)
            i = low.find(stem, i + 1)
    return sorted(starts)


_Tree = dict[str, "_Tree"]


def _any_of(names: Iterable[str]) -> re.Pattern[str]:
    """One pattern for many acronyms or names, an acronym optionally followed by "Act". The names are merged into
    a tree of their letters ("P(?:ECA|MLA)"), so each position of a text meets a few branches, not every name; and
    it has no look-behind, which would cost regex's fast scan for the first letters: `_whole_words` checks what
    precedes a match."""
    tree: _Tree = {}
    for name in set(names):
        node = tree
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}  # a name ends here
    return re.compile(r"(" + (_branches(tree) or "(?!)") + r")(?:\s+Act\b)?(?![\w)\-])")


def _branches(node: _Tree) -> str:
    """The pattern of a letter tree; a longer name is tried before the name that ends where it goes on."""
    ways = [re.escape(char) + _branches(child) for char, child in sorted(node.items()) if char]
    if not ways:
        return ""
    alternatives = ways[0] if len(ways) == 1 else "(?:" + "|".join(ways) + ")"
    return f"(?:{alternatives})?" if "" in node else alternatives


_NAME_END = re.compile(r"(?:\s+Act\b)?(?![\w)\-])")  # what `_any_of` asks after a name


def _occurrences(names: Iterable[str], text: str, before: str = "") -> list[tuple[int, int, str]]:
    """Where each of a few names stands as `_whole_words(_any_of(names))` would find it, with `before` written
    before it (found with str.find: a pattern compiled for one story's names costs more than the search)."""
    found = []
    for name in names:
        i = text.find(before + name)
        while i >= 0:
            start = i + len(before)
            end = _NAME_END.match(text, start + len(name))
            if end and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_(-")):
                found.append((start, end.end(), name))
            i = text.find(before + name, i + 1)
    return found


def _whole_words(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches of `pattern` that do not start inside a word, a bracket or a hyphenated name."""
    for m in pattern.finditer(text):
        if m.start() == 0 or not (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_(-"):
            yield m


def _starts_name(word: str) -> bool:
    """A capitalised word after the keyword continues a person's name ("Bill Gates"), not a title."""
    return word[0].isupper() and word[1:].islower() and word.rstrip(".") not in ("Cap", "No", "Act", "Amendment")


def _clean_name(raw: str) -> str:
    raw = re.sub(r"\(\s*[A-Z][A-Z0-9.&/\-]{1,12}\s*\)", " ", raw)  # an acronym the title defines
    raw = re.sub(r"\s+", " ", raw.replace("&", "and")).strip(" ,")
    return re.sub(r"\s+,", ",", raw)


def _constitution_of(gazetteer: Gazetteer, code: str) -> str:
    name = gazetteer.countries[code].name
    return f"Constitution of the {name}" if name.startswith("United") or name.endswith("es") else \
        f"Constitution of {name}"


def _section(raw: str) -> str:
    """"section 27 (1) and (2)" -> "Section 27(1), (2)"; "sections 4 (assault) and 6" -> "Sections 4, 6"."""
    raw = re.sub(rf"\s*{_GLOSS_IN_BRACKETS}", "", raw)
    parts = re.split(r"\s*(?:,|\band\b|\bor\b|&)\s*", " ".join(raw.split()))
    first = parts[0]
    word, _, rest = first.partition(" ")
    word = word.rstrip(".-").capitalize()
    if rest == "" and "-" in first:
        word, _, rest = first.partition("-")
    items = [re.sub(r"\s+", "", rest), *(p if p.split()[0].lower().rstrip("s") in ("section", "article", "clause")
                                            else re.sub(r"\s+", "", p) for p in parts[1:] if p)]
    return f"{word} {', '.join(items)}"


def _without_overlaps(found: list[_Found]) -> list[_Found]:
    """The longest of overlapping references (a provision with its law over the law alone)."""
    kept: list[_Found] = []
    for law in sorted(found, key=lambda f: (-(f.end - f.start), f.start)):
        if law.end > law.start and all(law.end <= k.start or k.end <= law.start for k in kept):
            kept.append(law)
    return sorted(kept, key=lambda f: f.start)


def _shared_years_and_aliases(found: list[_Found]) -> list[_Found]:
    """A year or acronym given at one mention of a law holds for its other mentions in the story, and a law with
    no country takes the one most of the story's other laws have."""
    countries = Counter(f.jurisdiction for f in found if f.jurisdiction and f.jurisdiction != "EU")
    country = countries.most_common(1)[0][0] if countries else None
    found = [f if f.jurisdiction or f.registry or f.international else replace(f, jurisdiction=country) for f in found]
    years = {f.name: f.year for f in found if f.year and f.name and not f.registry}
    registry_years = {f.name: f.year for f in found if f.year and f.name and f.registry}
    aliases = {f.name: f.alias for f in found if f.alias and f.name}
    return [replace(f, year=registry_years.get(f.name or "") or f.year or years.get(f.name or ""),
                    alias=f.alias or aliases.get(f.name or "")) for f in found]


def _record(text: str, found: _Found) -> LawReference:
    return LawReference(text[found.start:found.end], found.start, found.end, found.name, found.year, found.section,
                        found.jurisdiction, found.alias)


@Language.factory("newscorpus_laws", requires=["doc.ents"], assigns=["doc._.newscorpus_laws"], default_config={"registry": None})
def make_laws_component(nlp: Language, name: str, registry: str | None) -> LawsComponent:
    """Factory of the law-references component (registered as `newscorpus_laws`); `registry` is the path of a
    JSON file of more laws, in the format of newscorpus/data/laws.json."""
    register_extensions()
    return LawsComponent(load_gazetteer(), LawRegistry([Path(registry)] if registry else None))
