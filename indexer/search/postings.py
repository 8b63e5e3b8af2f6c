"""Whole posting blocks and field lengths, read straight from Whoosh's segment files.

Ranking by paragraphs reads every posting of the query's words; stepping through them one
at a time with Whoosh's matchers costs microseconds each. These helpers read a term's
postings as arrays, a block at a time, and a field's lengths as one array, through internals
of the W3 codec of whoosh-reloaded, which pyproject.toml pins to one version.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Hashable, Iterator

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from indexer.search.handle import OpenBuild


def segments(reader: IndexReader) -> list[tuple[IndexReader, int]]:
    """Each segment's reader and the number of its first document in the whole index."""
    return list(reader.leaf_readers())


KEPT_BYTES = 64 * 2**20  # arrays kept per reader and kind for the next reads, the latest used
KEPT_ENTRIES = 2_000  # and at most so many of them: their keys (words, phrases) are bounded in length


class KeptArrays:
    """Arrays read lately, by key, at most ``KEPT_BYTES`` of them, the latest used kept; read-only once kept."""

    def __init__(self) -> None:
        self.arrays: OrderedDict[Hashable, tuple[np.ndarray, ...]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[np.ndarray, ...] | None:
        with self.lock:
            found = self.arrays.get(key)
            if found is not None:
                self.arrays.move_to_end(key)
            return found

    def put(self, key: Hashable, arrays: tuple[np.ndarray, ...]) -> None:
        size = sum(a.nbytes for a in arrays)
        if not size or size > KEPT_BYTES:  # nothing read costs nothing to read again, and keeps no key
            return
        for array in arrays:
            array.flags.writeable = False  # shared by every search that reads it
        with self.lock:
            if key not in self.arrays:
                self.arrays[key] = arrays
                self.size += size
            while self.size > KEPT_BYTES or len(self.arrays) > KEPT_ENTRIES:
                _, dropped = self.arrays.popitem(last=False)
                self.size -= sum(a.nbytes for a in dropped)


_KEPT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # reader -> kind -> KeptArrays
_KEPT_LOCK = threading.Lock()


def kept_arrays(reader: IndexReader, kind: str) -> KeptArrays:
    """The arrays of one ``kind`` kept for ``reader`` (postings, the documents of a phrase)."""
    with _KEPT_LOCK:
        return _KEPT.setdefault(reader, {}).setdefault(kind, KeptArrays())


def postings(reader: IndexReader, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, weights) of every posting of a term in the whole index, deleted ones left out, read-only.

    Kept per reader for the next searches (the ranking and the match of one search read the same words, and
    people repeat searches and turn pages), within ``KEPT_BYTES``.
    """
    kept = kept_arrays(reader, "postings")
    found = kept.get((field, term))
    if found is None:
        found = _read_postings(reader, field, term)
        kept.put((field, term), found)
    return found[0], found[1]


def _read_postings(reader: IndexReader, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
    """Each block of postings decoded whole: its ids by one cumulative sum, its weights as one array."""
    ids: list[np.ndarray] = [np.empty(0, np.int64)]
    weights: list[np.ndarray] = [np.empty(0, np.float64)]
    for leaf, base in segments(reader):
        if (field, term) not in leaf:
            continue
        matcher = leaf.postings(field, term)
        deleted = matcher._ids if isinstance(matcher, FilterMatcher) else frozenset()
        matcher = matcher.child if isinstance(matcher, FilterMatcher) else matcher
        found, weighed = [], []
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            matcher._read_weights()
            found.append(np.cumsum(np.asarray(matcher._data[0], dtype=np.int64)))
            weighed.append(np.asarray(matcher._weights, dtype=np.float64))
            matcher._next_block()
        if not found:
            continue
        leaf_ids, leaf_weights = np.concatenate(found), np.concatenate(weighed)
        if deleted:
            kept = ~np.isin(leaf_ids, np.fromiter(deleted, np.int64, len(deleted)))
            leaf_ids, leaf_weights = leaf_ids[kept], leaf_weights[kept]
        ids.append(leaf_ids + base)
        weights.append(leaf_weights)
    return np.concatenate(ids), np.concatenate(weights)


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


def field_lengths(build: OpenBuild, field: str) -> np.ndarray:
    """docnum -> the number of words of ``field`` in that document (Whoosh's one-byte estimate), once per build."""

    def read(searcher: Searcher) -> np.ndarray:
        lengths: list[int] = []
        for leaf, _ in segments(searcher.reader()):
            perdoc = leaf._perdoc
            if perdoc.has_column(_lenfield(field)):
                lengths += map(byte_to_length, perdoc.column_reader(_lenfield(field), LENGTHS_COLUMN))
            else:
                lengths += [0] * leaf.doc_count_all()
        return np.asarray(lengths, dtype=np.float64)

    return build.table(("field lengths", field), read)
