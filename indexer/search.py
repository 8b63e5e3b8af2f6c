"""One search function for every front end: request -> ranked narratives with snippets."""

from __future__ import annotations

import weakref
from dataclasses import asdict, dataclass, field

from whoosh import query as wq
from whoosh import sorting
from whoosh.searching import Searcher

from indexer import settings
from indexer.errors import DocumentNotFound, QueryRejected
from indexer.facets import FacetCount, check_sort, count_facets, sorted_matches
from indexer.narratives import RECOMMENDATION_KEYS, NarrativeInfo
from indexer.query import Filters, filter_query, needs_sections, parse_text, query_terms, split_filters, without_place
from indexer.query_policy import check_length
from indexer.snippets import QueryTerms, highlight_all, snippet
from indexer.suggest import suggest


@dataclass
class SearchRequest:
    """A search as a user asks it: query text, filters, and which page of narratives."""

    q: str = ""
    filters: Filters = field(default_factory=Filters)
    limit: int = 10
    offset: int = 0
    sort: str = "relevance"  # or "newest", "oldest", "country"


@dataclass
class SectionHit:
    """One matching section of a narrative with its highlighted snippet."""

    id: str
    section: str
    heading: str
    score: float
    snippet: str
    page: int | None


@dataclass
class Hit(NarrativeInfo):
    """A matching narrative and its best sections, best first."""

    score: float = 0.0
    sections: list[SectionHit] = field(default_factory=list)

    def as_json(self) -> dict:
        """Flat JSON: the narrative's fields and its best section's, plus all its sections."""
        best = self.sections[0]
        return {"id": self.id, "report": self.report, "year": self.year, "country": self.country,
                "iso3": self.iso3, "region": self.region, "tier": self.tier or None,
                "tier_label": self.tier_label or None, "title": self.title,
                "section": best.section, "heading": best.heading, "section_id": best.id,
                "page": best.page, "score": round(self.score, 4), "snippet": best.snippet,
                "source": self.source, "sections": [asdict(s) for s in self.sections]}


@dataclass
class SearchResponse:
    """The narratives matching a request: ``total`` of them, ``hits`` for this page."""

    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    suggestion: str = ""  # the query with rare words replaced by close, frequent ones

    def facets_json(self) -> dict:
        """Facets as JSON: ``{name: [{"value", "label", "count"}, ...]}``."""
        return {name: [asdict(c) for c in counts] for name, counts in self.facets.items()}


def _page_of(stored: dict, offset: int) -> int | None:
    page = None
    for start, number in stored.get("pages") or []:
        if start <= offset:
            page = number
    return page


def _section_hit(stored: dict, score: float, terms: QueryTerms) -> SectionHit:
    html, offset = snippet(stored["body"], terms, int(settings.get("snippet_sentences")))
    return SectionHit(id=stored["id"], section=stored["section"], heading=stored["heading"],
                      score=round(score, 4), snippet=html, page=_page_of(stored, offset))


def _info(stored: dict) -> dict:
    """The NarrativeInfo fields of a stored section document."""
    return {"id": stored["narrative"], "report": stored["report"], "year": stored["year"] or None,
            "country": stored["country"], "iso3": stored["iso3"], "region": stored["region"],
            "tier": stored["tier"], "tier_label": stored["tier_label"], "title": stored["title"],
            "source": stored["source"]}


def _check_paging(request: SearchRequest) -> None:
    if not 1 <= request.limit <= int(settings.get("max_limit")):
        raise QueryRejected(f"limit must be between 1 and {settings.get('max_limit')}")
    deepest = int(settings.get("max_page")) * int(settings.get("page_size"))
    if not 0 <= request.offset <= deepest:
        raise QueryRejected(f"offset must be between 0 and {deepest}")


_NARRATIVE_COLUMNS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def narrative_column(searcher: Searcher) -> list[str]:
    """docnum -> narrative id, read into memory once per searcher (a search may look up every match)."""
    if searcher not in _NARRATIVE_COLUMNS:
        _NARRATIVE_COLUMNS[searcher] = list(searcher.reader().column_reader("narrative"))
    return _NARRATIVE_COLUMNS[searcher]


SECTIONS = wq.Term("kind", "section")
NARRATIVES = wq.Term("kind", "narrative")


Sections = list[tuple[int, float]]  # (docnum, score) of a narrative's sections, best first


def _restricted(kind: wq.Query, restrict: wq.Query | None) -> wq.Query:
    return kind if restrict is None else wq.And([kind, restrict])


def _group(searcher: Searcher, items, per_hit: int, grouped: dict[str, Sections]) -> dict[str, Sections]:
    """Add ranked (docnum, score) section matches to their narrative's list, ``per_hit`` at most."""
    narrative_of = narrative_column(searcher)
    for docnum, score in items:
        sections = grouped.setdefault(narrative_of[docnum], [])
        if len(sections) < per_hit:
            sections.append((docnum, score))
    return grouped


def _best_sections(searcher: Searcher, q: wq.Query | None, narratives: list[str],
                   per_hit: int) -> dict[str, Sections]:
    """Each narrative's best-matching sections; its opening one if none match."""
    among = wq.And([SECTIONS, wq.Or([wq.Term("narrative", n) for n in narratives])])
    best: dict[str, Sections] = {n: [] for n in narratives}
    if q is not None:
        found = searcher.search(wq.Require(without_place(q), among), limit=len(narratives) * per_hit * 20,
                                optimize=False)
        _group(searcher, found.items(), per_hit, best)
    narrative_of = narrative_column(searcher)
    missing = [n for n, sections in best.items() if not sections]
    if missing:
        # A Term: Whoosh's NumericRange over small numbers such as positions matches them all.
        openings = wq.And([SECTIONS, wq.Term("position", 0),
                           wq.Or([wq.Term("narrative", n) for n in missing])])
        for docnum in searcher.docs_for_query(openings):
            best[narrative_of[docnum]] = [(docnum, 0.0)]
    return best


Ranked = list[tuple[float, Sections]]  # a page of narratives: (score, best sections)


def _by_sections(searcher: Searcher, q: wq.Query, restrict: wq.Query | None, request: SearchRequest,
                 per_hit: int) -> tuple[set[str], Ranked]:
    """Rank narratives by their best section: for phrases, exact words and section filters."""
    wanted = request.offset + request.limit
    ranked = wq.Require(q, _restricted(SECTIONS, restrict))
    # Every match is scored anyway (optimize=False), so one pass ranks them all and gives the total.
    found = searcher.search(ranked, limit=None, optimize=False).items()
    grouped = _group(searcher, found, per_hit, {})
    page = list(grouped.values())[request.offset:wanted]
    return set(grouped), [(sections[0][1], sections) for sections in page]


def _by_narratives(searcher: Searcher, text: str, q: wq.Query | None, restrict: wq.Query | None,
                   request: SearchRequest, per_hit: int) -> tuple[set[str], Ranked]:
    """Rank narrative documents (whole text), then find each one's best sections."""
    wanted = request.offset + request.limit
    narrative_of = narrative_column(searcher)
    if q is None:  # filters alone: newest first, then by country
        selected = _restricted(NARRATIVES, restrict)
        results = searcher.search(selected, limit=wanted, sortedby=[sorting.FieldFacet("year", reverse=True),
                                                                    sorting.FieldFacet("narrative")])
        scored = [(docnum, 0.0) for docnum, _ in results.items()]
    else:
        # Restrictions go in the query rather than ``filter=``, which Whoosh applies by walking
        # every match again. Whoosh's block-quality skipping trips an assertion on Require, hence
        # optimize=False: every match is scored, so one pass gives the ranking and the total.
        selected = wq.Require(parse_text(text, "narrative"), _restricted(NARRATIVES, restrict))
        scored = list(searcher.search(selected, limit=None, optimize=False).items())
    matched = {narrative_of[docnum] for docnum in searcher.docs_for_query(selected)} if q is None \
        else {narrative_of[docnum] for docnum, _ in scored}
    shown = [(narrative_of[docnum], score) for docnum, score in scored[request.offset:wanted]]
    best = _best_sections(searcher, q, [n for n, _ in shown], per_hit) if shown else {}
    return matched, [(score, best[n]) for n, score in shown]


def _in_order(searcher: Searcher, q: wq.Query | None, matched: set[str], request: SearchRequest,
              per_hit: int) -> Ranked:
    """A page of the matches sorted by year or country instead of relevance."""
    page = sorted_matches(searcher, matched, request.sort)[request.offset:request.offset + request.limit]
    best = _best_sections(searcher, q, page, per_hit) if page else {}
    return [(best[n][0][1], best[n]) for n in page]


def search(searcher: Searcher, request: SearchRequest) -> SearchResponse:
    """Run a search: narratives ranked (or sorted), each with its best sections and snippets, and facets."""
    check_length(request.q)  # first: a refusal costs nothing
    _check_paging(request)
    check_sort(request.sort)
    text, filters = split_filters(request.q, request.filters)
    q = parse_text(text)
    restrict = filter_query(filters)
    if q is None and restrict is None:
        raise QueryRejected("give a query or at least one filter")
    per_hit = int(settings.get("sections_per_hit"))
    if needs_sections(q, filters):
        matched, page = _by_sections(searcher, q, restrict, request, per_hit)
    else:
        matched, page = _by_narratives(searcher, text, q, restrict, request, per_hit)
    if request.sort != "relevance":
        page = _in_order(searcher, q, matched, request, per_hit)
    terms = query_terms(q)
    hits = []
    for score, sections in page:
        stored = [(searcher.stored_fields(d), sc) for d, sc in sections]
        hits.append(Hit(**_info(stored[0][0]), score=score,
                        sections=[_section_hit(f, sc, terms) for f, sc in stored]))
    return SearchResponse(request=request, total=len(matched), hits=hits, facets=count_facets(searcher, matched),
                          suggestion=suggest(searcher, request.q) if text.strip() else "")


@dataclass
class DocumentSection:
    """A section of a narrative shown whole, query words marked."""

    id: str
    heading: str
    section: str
    html: str
    page: int | None
    text: str

    @property
    def paragraphs(self) -> list[str]:
        """The section's paragraphs as HTML (a recommendations section: one per recommendation)."""
        return self.html.split("\n\n")

    @property
    def is_list(self) -> bool:
        """Whether the section is a list of recommendations."""
        return bool(RECOMMENDATION_KEYS & set(self.section.split()))

    def as_json(self) -> dict:
        return {"id": self.id, "heading": self.heading, "section": self.section, "page": self.page,
                "text": self.text, **({"items": self.text.split("\n\n")} if self.is_list else {})}


def get_narrative(searcher: Searcher, narrative_id: str,
                  q: str = "") -> tuple[NarrativeInfo, list[DocumentSection]]:
    """A narrative's metadata and all its sections in order, with ``q``'s words marked."""
    text, _ = split_filters(q, Filters())
    terms = query_terms(parse_text(text)) if text.strip() else QueryTerms()
    found = sorted((dict(f) for f in searcher.documents(narrative=narrative_id, kind="section")),
                   key=lambda f: f["position"])
    if not found:
        raise DocumentNotFound(f"no narrative with id {narrative_id!r}")
    sections = [DocumentSection(f["id"], f["heading"], f["section"], highlight_all(f["body"], terms),
                                _page_of(f, 0), f["body"]) for f in found]
    return NarrativeInfo(**_info(found[0])), sections


def narrative_json(info: NarrativeInfo, sections: list[DocumentSection]) -> dict:
    """A whole narrative as JSON: its metadata, sections and recommendations (one string each)."""
    return {**asdict(info), "tier": info.tier or None, "tier_label": info.tier_label or None,
            "sections": [s.as_json() for s in sections],
            "recommendations": [item for s in sections if s.is_list for item in s.text.split("\n\n")]}
