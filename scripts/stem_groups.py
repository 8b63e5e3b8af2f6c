"""Print the words of report pages that share a stem, to read which stems join different words.

    python scripts/stem_groups.py --pages ../shared/corpus/hrr/2023 [--top 150] [--least 5]

Each line is a stem, how often its words occur in the narratives of the pages, and its words
(folded, as the exact-word field holds them) with their counts, most frequent first; groups
of more than one word only, the most frequent group first. A group that joins words of
different meaning (``organ``: organizations, organization, organs) is a case for
``indexer/data/stems.txt``.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from pathlib import Path

from indexer.extract.files import extract_file, find_files
from indexer.index.analysis import stem_word, word_tokens
from indexer.settings import DEFAULTS


def count_words(pages: list[Path]) -> Counter[str]:
    """How often each folded word (stopwords left out) occurs in the headings and texts of the narratives."""
    counts: Counter[str] = Counter()
    files, _ = find_files(pages)
    for path in files:
        for narrative in extract_file(path, DEFAULTS):
            for section in narrative.sections:
                for text in (section.heading, section.text):
                    counts.update(folded for folded, stem, _, _ in word_tokens(text) if stem)
    return counts


def stem_groups(counts: Counter[str], least: int = 1) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """(stem, count, words with counts) of each stem of two or more words found ``least`` times or more,
    the most frequent stem first and each stem's most frequent word first."""
    groups: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for word, count in counts.most_common():
        if count >= least:
            groups[stem_word(word)].append((word, count))
    found = [(stem, sum(c for _, c in words), words) for stem, words in groups.items() if len(words) > 1]
    return sorted(found, key=lambda group: (-group[1], group[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, nargs="+", required=True, help="report pages or folders of them")
    parser.add_argument("--top", type=int, default=150, help="groups printed (default: 150)")
    parser.add_argument("--least", type=int, default=5, help="times a word is found to be counted (default: 5)")
    args = parser.parse_args()
    for stem, count, words in stem_groups(count_words(args.pages), args.least)[: args.top]:
        print(f"{stem:<16} {count:>7}  " + ", ".join(f"{word} {n}" for word, n in words))


if __name__ == "__main__":
    main()
