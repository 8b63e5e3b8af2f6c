"""The search engine checked against the reference evaluator on generated searches.

    python scripts/differential.py --pages ../shared/corpus/hrr/2023 --index /tmp/ixdiff --queries 5000 --seed 25

The pages are indexed as ``tipsearch index`` does (into ``--index``; a build there of the same pages by the same
code is kept), the same pages read into narratives for ``tests/reference.py``, and ``--queries`` searches drawn from
their words, phrases, headings and names (the same ones for the same ``--seed``) run through both. Each search's
matching narratives, total, all-words count and facet counts must be the same. Prints how many searches disagreed
and the first few in full; exits 1 when any did.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from indexer.errors import QueryRejected
from indexer.index.home import IndexHome
from indexer.index.writer import build_index
from indexer.search.engine import SearchRequest, search
from indexer.search.handle import OpenBuild, open_build
from indexer.search.query import Filters
from indexer.settings import DEFAULTS, Settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project's tests, when run as a script
from tests.reference import Case, Corpus, Refused, Result, Vocabulary, sample  # noqa: E402

SHOWN = 5  # disagreements printed in full
MOST_IDS = 10  # narrative ids listed per side of a difference


def index_pages(pages: list[Path], index: Path, settings: Settings = DEFAULTS) -> Corpus:
    """Index ``pages`` into ``index`` (a build of the same pages by the same code is kept, not made again) and read
    them into the reference's corpus, from the index's extraction cache."""
    home = IndexHome(index)
    with home.lock():
        build_index(pages, home, settings)
    return Corpus.from_files(pages, settings, home.cache)


def engine_result(build: OpenBuild, case: Case) -> Result | str:
    """What the engine gives for ``case``, or why it refused it or failed."""
    request = SearchRequest(q=case.q, filters=Filters(**case.given()), match=case.match, limit=1, with_suggestion=False)
    try:
        response = search(build, request)
    except QueryRejected as refused:
        return f"refused: {refused}"
    except Exception as failure:  # a search that fails disagrees, and the others are still run
        return f"failed: {type(failure).__name__}: {failure}"
    facets = {name: {str(c.value): c.count for c in counts if c.count} for name, counts in response.facets.items()}
    return Result(frozenset(response.matched), response.all_words, facets)


def reference_result(corpus: Corpus, case: Case) -> Result | str:
    """What the reference gives for ``case``, or why it refuses it."""
    try:
        return corpus.search(case.q, case.given(), case.match)
    except Refused as refused:
        return f"refused: {refused}"


def outcome(result: Result | str) -> str:
    """A result in a few words: how many narratives, or the refusal."""
    return result if isinstance(result, str) else f"{result.total} narratives"


def listed(ids: frozenset[str]) -> str:
    """Narrative ids, the first few."""
    shown = sorted(ids)[:MOST_IDS]
    return " ".join(shown) + (f" and {len(ids) - len(shown)} more" if len(ids) > len(shown) else "")


def difference(expected: Result | str, found: Result | str) -> list[str]:
    """How the engine's result (``found``) differs from the reference's (``expected``), line by line; none when
    they agree."""
    if isinstance(expected, str) or isinstance(found, str):
        if isinstance(expected, str) and isinstance(found, str) and found.startswith("refused"):
            return []
        return [f"reference: {outcome(expected)}; engine: {outcome(found)}"]
    lines = []
    if expected.matched - found.matched:
        lines.append(f"matched by the reference only: {listed(expected.matched - found.matched)}")
    if found.matched - expected.matched:
        lines.append(f"matched by the engine only: {listed(found.matched - expected.matched)}")
    if expected.total != found.total:
        lines.append(f"total: reference {expected.total}, engine {found.total}")
    if expected.all_words != found.all_words:
        lines.append(f"all words: reference {expected.all_words}, engine {found.all_words}")
    for name, counts in expected.facets.items():
        other = found.facets.get(name, {})
        differing = sorted(v for v in counts.keys() | other.keys() if counts.get(v, 0) != other.get(v, 0))
        if differing:
            shown = ", ".join(f"{v} {counts.get(v, 0)}/{other.get(v, 0)}" for v in differing[:MOST_IDS])
            more = f" and {len(differing) - MOST_IDS} more" if len(differing) > MOST_IDS else ""
            lines.append(f"facet {name} (reference/engine): {shown}{more}")
    return lines


def disagreement(build: OpenBuild, corpus: Corpus, case: Case) -> str:
    """``case`` and how the engine and the reference disagree on it; "" when they agree."""
    lines = difference(reference_result(corpus, case), engine_result(build, case))
    return "\n".join([f"search {case}", *(f"  {line}" for line in lines)]) if lines else ""


def check(build: OpenBuild, corpus: Corpus, cases: list[Case]) -> list[str]:
    """The disagreements on ``cases``, each in full."""
    return [found for case in cases if (found := disagreement(build, corpus, case))]


def main(argv: list[str] | None = None) -> int:
    """Check the engine on the searches the arguments ask for; 1 when any disagreed, else 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, nargs="+", required=True, help="pages (files or folders) to index")
    parser.add_argument("--index", type=Path, required=True, help="their index, made again on a change")
    parser.add_argument("--queries", type=int, default=1000, help="how many searches to draw")
    parser.add_argument("--seed", type=int, default=0, help="which searches: the same for the same seed")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    corpus = index_pages(args.pages, args.index)
    cases = sample(Vocabulary(corpus), args.queries, args.seed)
    with open_build(DEFAULTS, args.index) as build:
        disagreements = check(build, corpus, cases)
    for shown in disagreements[:SHOWN]:
        print(shown)
    seconds = time.perf_counter() - started
    print(f"{len(disagreements)} of {len(cases)} searches disagreed", end=" ")
    print(f"({len(corpus.narratives)} narratives, {seconds:.0f} s)")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
