"""One search function for every front end: request -> ranked narratives with snippets."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from whoosh import sorting
from whoosh import query as wq
from whoosh.searching import Searcher

from indexer import settings
from indexer.errors import DocumentNotFound, QueryRejected
from indexer.narratives import NarrativeInfo
from indexer.query import Filters, filter_query, parse_text, query_terms, split_filters
from indexer.snippets import QueryTerms, highlight_all, snippet


@dataclass
class SearchRequest:
    """A search as a user asks it: query text, filters, and which page of narratives."""

    q: str = ""
    filters: Filters = field(default_factory=Filters)
    limit: int = 10
    offset: int = 0


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


def search(searcher: Searcher, request: SearchRequest) -> SearchResponse:
    """Run a search: narratives ranked by their best section (BM25F), with snippets."""
    _check_paging(request)
    text, filters = split_filters(request.q, request.filters)
    q = parse_text(text)
    restrict = filter_query(filters)
    if q is None and restrict is None:
        raise QueryRejected("give a query or at least one filter")
    terms = query_terms(q)
    per_hit = int(settings.get("sections_per_hit"))
    wanted = request.offset + request.limit
    candidates = max(int(settings.get("section_candidates")), wanted * per_hit * 4)
    count = sorting.FieldFacet("narrative", maptype=sorting.Count)
    if q is None:
        results = searcher.search(restrict, limit=candidates, groupedby={"narrative": count},
                                  sortedby=[sorting.FieldFacet("year", reverse=True),
                                            sorting.FieldFacet("narrative"),
                                            sorting.FieldFacet("position")])
    else:
        results = searcher.search(q, filter=restrict, limit=candidates, groupedby={"narrative": count})
    total = len(results.groups("narrative"))
    narrative_of = searcher.reader().column_reader("narrative")
    grouped: dict[str, list[tuple[int, float]]] = {}
    for docnum, score in results.items():
        sections = grouped.setdefault(narrative_of[docnum], [])
        if len(sections) < per_hit:
            sections.append((docnum, score if q is not None else 0.0))  # sorted: no score
    hits = []
    for narrative in list(grouped)[request.offset:wanted]:
        sections = [(searcher.stored_fields(docnum), score) for docnum, score in grouped[narrative]]
        best, score = sections[0]
        hits.append(Hit(**_info(best), score=score,
                        sections=[_section_hit(s, sc, terms) for s, sc in sections]))
    return SearchResponse(request=request, total=total, hits=hits)


@dataclass
class DocumentSection:
    """A section of a narrative shown whole, query words marked."""

    id: str
    heading: str
    section: str
    html: str
    page: int | None


def get_narrative(searcher: Searcher, narrative_id: str, q: str = "") -> tuple[NarrativeInfo, list[DocumentSection]]:
    """A narrative's metadata and all its sections in order, with ``q``'s words marked."""
    text, _ = split_filters(q, Filters())
    terms = query_terms(parse_text(text)) if text.strip() else QueryTerms()
    found = sorted((dict(f) for f in searcher.documents(narrative=narrative_id)),
                   key=lambda f: f["position"])
    if not found:
        raise DocumentNotFound(f"no narrative with id {narrative_id!r}")
    sections = [DocumentSection(f["id"], f["heading"], f["section"], highlight_all(f["body"], terms),
                                _page_of(f, 0)) for f in found]
    return NarrativeInfo(**_info(found[0])), sections
