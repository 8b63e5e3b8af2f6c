"""Write ``indexer/data/common_stems.txt``: the stems found in the most sections of an index.

    python scripts/common_stems.py --index data/index [--count 1000]

The word-pair field holds a pair of adjacent stems only when both are in this list
(``indexer.index.analysis.word_pairs``); a phrase with a rarer word is checked by word
positions in the few sections that hold that word. The shipped list was made from an index
of the 2023 Human Rights Report pages. A changed list changes what is indexed: the next
build is a full one.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from indexer.search.handle import open_build
from indexer.settings import DEFAULTS, SHIPPED

HEADER = """\
# The stems found in the most sections (word-pair field: indexer/index/analysis.py).
# Made by scripts/common_stems.py from an index of the 2023 Human Rights Report pages.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    with open_build(DEFAULTS, args.index) as build:
        found = {stem.decode(): info.doc_frequency() for stem, info in build.searcher.reader().iter_field("body")}
    common = sorted(found, key=lambda stem: (-found[stem], stem))[: args.count]
    target = Path(str(SHIPPED / "common_stems.txt"))
    target.write_text(HEADER + "\n".join(sorted(common)) + "\n", encoding="utf-8")
    print(f"{len(common)} stems in {target}; the rarest is in {min(found[s] for s in common)} sections")


if __name__ == "__main__":
    main()
