from indexer.index.analysis import stem_word
from indexer.search import forms
from indexer.search.forms import word_forms
from tests.conftest import opened


def test_the_words_a_stem_stands_for_most_frequent_first(index_dir):
    with opened(index_dir) as build:
        found = word_forms(build, [stem_word("trafficking"), stem_word("forced"), stem_word("forces"), "zzzunknown"])
    trafficking, forced, forces, unknown = found.values()
    assert trafficking[0] == "trafficking" and {"traffickers", "trafficked"} <= set(trafficking)
    assert "forced" in forced and "forces" not in forced
    assert "forces" in forces and "forced" not in forces
    assert unknown == []


def test_a_stem_names_a_bounded_number_of_words(index_dir, monkeypatch):
    monkeypatch.setattr(forms, "FORMS_PER_STEM", 2)
    with opened(index_dir) as build:
        (named,) = word_forms(build, [stem_word("trafficking")]).values()
    assert len(named) == 2 and named[0] == "trafficking"
