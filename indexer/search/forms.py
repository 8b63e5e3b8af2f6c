"""The whole words a stem stands for in a build, to say which forms a query word matched.

A query word is searched as its stem; the results page can name the words of the index that
share it ("organ: organ, organs"). The table is read once per build from the exact-word
field of the section documents, whose terms are whole folded words.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from whoosh.searching import Searcher

from indexer.index.analysis import STOPWORDS, stem_word
from indexer.search.handle import OpenBuild

FORMS_PER_STEM = 10  # words named for one stem, the most frequent


def word_forms(build: OpenBuild, stems: Iterable[str]) -> dict[str, list[str]]:
    """For each of ``stems``, the words of the build with that stem, in the most sections first
    (at most ``FORMS_PER_STEM``); a stem no word of the build has gets an empty list."""
    forms = build.table("word forms", _read_forms)
    return {stem: forms.get(stem, []) for stem in stems}


def _read_forms(searcher: Searcher) -> dict[str, list[str]]:
    """Stem -> its words, from each segment's lexicon (merging the segments' lexicons is ten times slower)."""
    sections: Counter[str] = Counter()
    for segment, _ in searcher.reader().leaf_readers():
        for term, info in segment.iter_field("exact"):
            sections[term.decode("utf-8")] += info.doc_frequency()
    found: dict[str, list[str]] = defaultdict(list)
    for word, _ in sorted(sections.items(), key=lambda item: (-item[1], item[0])):
        stem = stem_word(word) if word not in STOPWORDS else None
        if stem and len(found[stem]) < FORMS_PER_STEM:
            found[stem].append(word)
    return dict(found)
