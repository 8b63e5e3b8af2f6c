"""Whole posting blocks and field lengths, read straight from Whoosh's segment files.

Ranking by paragraphs reads every posting of the query's words; stepping through them one
at a time with Whoosh's matchers costs microseconds each. These helpers read a block of
postings at once and a field's lengths as one column per segment, through internals of the
W3 codec of whoosh-reloaded, which pyproject.toml pins to one version.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from indexer.search.handle import OpenBuild


def segments(reader: IndexReader) -> list[tuple[IndexReader, int]]:
    """Each segment's reader and the number of its first document in the whole index."""
    return list(reader.leaf_readers())


def blocks(leaf: IndexReader, field: str, term: str) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """(document numbers, weights) of each block of a term's postings in one segment, deleted ones left out."""
    if (field, term) not in leaf:
        return
    matcher = leaf.postings(field, term)
    deleted = matcher._ids if isinstance(matcher, FilterMatcher) else frozenset()
    matcher = matcher.child if isinstance(matcher, FilterMatcher) else matcher
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        ids, weights = matcher._ids, matcher._weights
        if deleted:
            kept = [i for i, docnum in enumerate(ids) if docnum not in deleted]
            ids, weights = [ids[i] for i in kept], [weights[i] for i in kept]
        yield ids, weights
        matcher._next_block()


def positions(leaf: IndexReader, field: str, term: str, wanted: set[int]) -> Iterator[tuple[int, list[int]]]:
    """(document number, word positions) of a term in those of one segment's ``wanted`` documents."""
    if (field, term) not in leaf:
        return
    decode = leaf.schema[field].format.decode_positions
    matcher = leaf.postings(field, term)
    matcher = matcher.child if isinstance(matcher, FilterMatcher) else matcher
    while matcher.is_active():
        matcher._read_ids()
        found = [i for i, docnum in enumerate(matcher._ids) if docnum in wanted]
        if found:
            matcher._read_values()
            for i in found:
                yield matcher._ids[i], decode(matcher._values[i])
        matcher._next_block()


def field_lengths(build: OpenBuild, field: str) -> list[int]:
    """docnum -> the number of words of ``field`` in that document (Whoosh's one-byte estimate), once per build."""

    def read(searcher: Searcher) -> list[int]:
        lengths: list[int] = []
        for leaf, _ in segments(searcher.reader()):
            perdoc = leaf._perdoc
            if perdoc.has_column(_lenfield(field)):
                lengths += map(byte_to_length, perdoc.column_reader(_lenfield(field), LENGTHS_COLUMN))
            else:
                lengths += [0] * leaf.doc_count_all()
        return lengths

    return build.table(("field lengths", field), read)
