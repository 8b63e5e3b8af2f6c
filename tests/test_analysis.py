import nltk
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh.fields import TEXT

from indexer.index.analysis import (
    AnalyzedText,
    exact_analyzer,
    fold_word,
    stem_word,
    stemmed_analyzer,
    word_tokens,
)
from indexer.index.schema import make_schema


@pytest.fixture(autouse=True)
def no_downloads(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("nltk.download() must never run")

    monkeypatch.setattr(nltk, "download", refuse)


def test_tokens_keep_character_offsets():
    text = "Rohingya refugees in Cox’s Bazar"
    tokens = [(t.text, t.startchar, t.endchar) for t in stemmed_analyzer()(text, chars=True)]
    assert tokens == [("rohingya", 0, 8), ("refuge", 9, 17), ("cox", 21, 26), ("bazar", 27, 32)]
    assert all(text[s:e].lower().startswith(term[:3]) for term, s, e in tokens)


def test_folding_accents_quotes_possessives_and_acronyms():
    assert fold_word("Côte") == "cote"
    assert fold_word("d’Ivoire") == "divoire"
    assert fold_word("Government’s") == "government"
    assert fold_word("U.S.") == "us"
    assert fold_word("TÜRKIYE") == "turkiye"


def test_stopwords_removed_and_positions_renumbered_for_phrases():
    tokens = [(t.text, t.pos) for t in stemmed_analyzer()("the rule of law", positions=True)]
    assert [text for text, _ in tokens] == ["rule", "law"]
    assert tokens[1][1] - tokens[0][1] == 1


def test_stemming_joins_word_forms():
    stems = {t.text for t in stemmed_analyzer()("trafficking trafficked traffickers")}
    assert stems == {"traffick"}


def test_organ_and_organization_keep_different_stems():
    organ = {t.text for t in stemmed_analyzer()("organ organs")}
    organization = {t.text for t in stemmed_analyzer()("organization organizations organizational organisations")}
    assert len(organ) == len(organization) == 1 and organ != organization


# Words Snowball alone would stem alike (indexer/data/stems.txt): the forms of each side keep one stem.
DIFFERENT_MEANINGS = [
    (["force", "forces"], ["forced", "forcing"]),
    (["traffic"], ["trafficking", "trafficked", "traffickers"]),
    (["internal", "internally"], ["international", "internationally"]),
    (["internment"], ["internal"]),
    (["informal", "informally"], ["information", "informed"]),
    (["several"], ["severe", "severely", "severity"]),
    (["severance"], ["severe"]),
    (["stated", "stating"], ["state", "states"]),
    (["according", "accordance"], ["accord", "accords"]),
    (["generally"], ["general"]),
    (["minority", "minorities"], ["minor", "minors"]),
    (["united"], ["unit", "units"]),
    (["executive", "executives"], ["execution", "executions", "executed"]),
    (["collective", "collectively"], ["collection", "collect"]),
    (["positive"], ["position", "positions"]),
    (["relatives", "relative"], ["related", "relating"]),
    (["relations", "relation"], ["related"]),
    (["university", "universities"], ["universal"]),
    (["naturalization", "naturalized"], ["nature", "natural"]),
    (["integrity"], ["integration"]),
    (["transition", "transitional"], ["transit", "transiting"]),
    (["emergency", "emergencies"], ["emerged", "emerging"]),
    (["aids"], ["aid"]),
    (["aide", "aides"], ["aid"]),
    (["goods"], ["good"]),
    (["corporal"], ["corporation", "corporations"]),
    (["important", "importance"], ["import", "imports"]),
    (["caste", "castes"], ["cast"]),
    (["conversation", "conversations"], ["conversion"]),
    (["evening", "evenings"], ["even"]),
    (["department", "departments"], ["depart", "departed"]),
    (["federation", "federations"], ["federal"]),
    (["apartment", "apartments"], ["apart"]),
    (["majority"], ["major"]),
    (["procession", "processions"], ["process", "processes"]),
    (["protestant", "protestants"], ["protest", "protests"]),
    (["customer", "customers"], ["custom", "customs"]),
    (["communicable"], ["communication", "communications"]),
    (["mineral", "minerals"], ["miner", "miners"]),
    (["personal", "personally"], ["person", "persons"]),
    (["personality"], ["personal"]),
    (["humanity"], ["human"]),
    (["humane"], ["human"]),
    (["publication", "publications"], ["public", "publicly"]),
    (["author", "authors"], ["authority", "authorities"]),
    (["authorized", "authorization", "authorised"], ["authority"]),
    (["officer", "officers"], ["office", "offices"]),
    (["nationality", "nationalities"], ["national", "nationals"]),
    (["founded", "founding"], ["found"]),
    (["initial", "initially"], ["initiative", "initiated"]),
    (["directive", "directives"], ["direct", "directly"]),
    (["accountability", "accountable"], ["account", "accounts"]),
]


@pytest.mark.parametrize("one, other", DIFFERENT_MEANINGS, ids=lambda words: words[0])
def test_words_of_different_meanings_keep_different_stems(one, other):
    assert len({stem_word(w) for w in one}) == 1
    assert len({stem_word(w) for w in other}) == 1
    assert stem_word(one[0]) != stem_word(other[0])


def test_exact_variant_keeps_words_unstemmed_and_stopwords():
    assert [t.text for t in exact_analyzer()("The Labour Code")] == ["the", "labour", "code"]


def test_word_tokens_give_both_terms():
    assert list(word_tokens("the Refugees")) == [("the", None, 0, 3), ("refugees", "refuge", 4, 12)]


SAMPLE = (
    "The Government's U.S.-funded programme: of the 1,204 victims, Côte d’Ivoire’s NGOs said "
    "that the the traffickers' ' labour and the trafficking of children in the capital. "
    "In 2023 ``it'' was a Tier 2 Watch List country; and... ’s"
)


@pytest.mark.parametrize("field_name", ["body", "fulltext", "exact", "heading", "place"])
@pytest.mark.parametrize("text", ["", "the of and", SAMPLE, SAMPLE * 3])
def test_one_pass_indexing_gives_what_the_analyzer_gives(field_name, text):
    field = make_schema()[field_name]
    assert isinstance(field, AnalyzedText)
    assert sorted(field.index(text)) == sorted(TEXT.index(field, text))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("ab'’. é-Éthe of\n1_")), max_size=80))
def test_one_pass_indexing_agrees_on_any_text(text):
    for field_name in ("body", "exact"):
        field = make_schema()[field_name]
        assert sorted(field.index(text)) == sorted(TEXT.index(field, text))


def test_acronyms_are_read_from_their_definitions():
    from indexer.index.acronyms import find_acronyms

    text = (
        "Female Genital Mutilation/Cutting (FGM/C): the law. Internally displaced persons (IDPs) and "
        "the Trafficking in Persons (TIP) Report; lesbian, gay, bisexual, transgender, queer, and intersex "
        "(LGBTQI+) persons. The ministry (MOJ) said (Reuters) and (A) and the (United Nations)."
    )
    assert find_acronyms(text) == {
        "fgm": ("femal", "genit", "mutil"),
        "idp": ("internal", "displac", "person"),
        "tip": ("traffick", "person"),
        "lgbtqi": ("lesbian", "gay", "bisexu", "transgend", "queer", "intersex"),
    }
