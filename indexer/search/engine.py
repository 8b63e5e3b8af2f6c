"""One search function for every front end: request -> ranked narratives with snippets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import numpy as np
from whoosh import query as wq

from indexer.errors import DocumentNotFound, QueryRejected
from indexer.index.acronyms import acronym_table
from indexer.index.analysis import word_tokens
from indexer.reports.narratives import RECOMMENDATION_KEYS, NarrativeInfo
from indexer.reports.paragraphs import paragraph_spans
from indexer.search.facets import FacetCount, check_sort, labelled, narrative_facts, section_mask, sorted_matches
from indexer.search.filter_values import checked_filters
from indexer.search.forms import word_forms
from indexer.search.handle import OpenBuild
from indexer.search.matching import MatchSet, match_set
from indexer.search.passages import (
    Allowed,
    Evidence,
    narrative_column,
    narrative_numbers,
    query_clauses,
    rank_narratives,
    typed_forms,
)
from indexer.search.policy import check_length
from indexer.search.query import (
    Filters,
    filter_query,
    needs_sections,
    parse_text,
    query_terms,
    scored_part,
    split_filters,
    without_place,
)
from indexer.search.snippets import QueryTerms, highlight_all, plain_snippet, snippet
from indexer.search.suggest import suggestion_for
from indexer.settings import DEFAULTS, Settings


@dataclass
class SearchRequest:
    """A search as a user asks it: query text, filters, and which page of narratives."""

    q: str = ""
    filters: Filters = field(default_factory=Filters)
    limit: int = DEFAULTS.page_size
    offset: int = 0
    sort: str = "relevance"  # or "newest", "oldest", "country"
    with_suggestion: bool = True  # look for a "did you mean" (not for pages that never show one)
    plain_snippets: bool = False  # snippets as plain text, chosen more cheaply (for files)
    autocorrect: bool = False  # with with_suggestion: search a query whose misspelt words no section holds as corrected
    match: str = "all"  # or "any": the narratives holding some of the parts side by side, whatever the others hold


def anchor(section_id: str, paragraph: int | None = None) -> str:
    """The id of a section, or of one of its paragraphs, on its narrative's page: ``tip-2023-prk-2-p0``."""
    return section_id.replace("/", "-") + ("" if paragraph is None else f"-p{paragraph}")


@dataclass
class SectionHit:
    """One matching section of a narrative with its snippet: HTML with the matches marked, or plain text."""

    id: str
    section: str
    heading: str
    score: float
    snippet: str
    page: int | None
    paragraph: int = 0  # the paragraph of the section the snippet starts in


@dataclass
class Hit(NarrativeInfo):
    """A matching narrative and its best sections, best first."""

    score: float = 0.0
    sections: list[SectionHit] = field(default_factory=list)

    def as_json(self) -> dict:
        """Flat JSON: the narrative's fields and its best section's, plus all its sections."""
        best = self.sections[0]
        return {
            "id": self.id,
            "report": self.report,
            "year": self.year,
            "country": self.country,
            "iso3": self.iso3,
            "region": self.region,
            "tier": self.tier or None,
            "tier_label": self.tier_label or None,
            "title": self.title,
            "section": best.section,
            "heading": best.heading,
            "section_id": best.id,
            "page": best.page,
            "score": round(self.score, 4),
            "snippet": best.snippet,
            "source": self.source,
            "sections": [asdict(s) for s in self.sections],
        }


@dataclass
class SearchResponse:
    """The narratives matching a request: ``total`` of them, ``hits`` for this page."""

    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    all_words: int | None = None  # for a query with parts side by side, how many narratives hold every part
    some_words: int | None = None  # and how many hold some of them
    reading: str = "all"  # "some": the narratives holding some of the parts, asked for or as none holds all
    matched: list[str] = field(default_factory=list)  # every matching narrative's id, in the request's order
    forms: dict[str, list[str]] = field(default_factory=dict)  # each word searched, as typed -> the words it matched
    excludes: bool = False  # whether the query excludes something (NOT, -word)
    suggestion: str = ""  # the query with rare words replaced by close, frequent ones
    corrected_from: str = ""  # the query as typed, when the one searched is its correction

    def count_text(self) -> str:
        """How many narratives matched, in words; for a query with parts side by side, which reading."""

        def narratives(count: int) -> str:
            return f"{count} narrative{'' if count == 1 else 's'}"

        def contain(count: int) -> str:
            return f"contain{'s' if count == 1 else ''}"

        if self.all_words is None or not self.total:
            return f"{narratives(self.total)} match{'es' if self.total == 1 else ''}"
        if self.reading == "all":
            return f"{narratives(self.total)} {contain(self.total)} all words"
        if not self.all_words:
            return f"No narrative contains all words; {narratives(self.total)} {contain(self.total)} some"
        return f"{narratives(self.total)} {contain(self.total)} some of the words, {self.all_words} all of them"

    def wider(self) -> int:
        """How many more narratives hold some of the parts than all of them, when the search gives those with all."""
        if self.reading != "all" or self.some_words is None:
            return 0
        return self.some_words - self.total

    def facets_json(self) -> dict:
        """Facets as JSON: ``{name: [{"value", "label", "count"}, ...]}``."""
        return {name: [asdict(c) for c in counts] for name, counts in self.facets.items()}


def _page_of(stored: dict, offset: int) -> int | None:
    page = None
    for start, number in stored.get("pages") or []:
        if start <= offset:
            page = number
    return page


def _section_hit(
    stored: dict, score: float, terms: QueryTerms, paragraph: int | None, sentences: int, plain: bool
) -> SectionHit:
    """A section shown under a result; its snippet of ``sentences`` (HTML, or ``plain`` text) from ``paragraph``
    when one is named."""
    spans = paragraph_spans(stored["body"])
    start, end = (0, len(stored["body"])) if paragraph is None else spans[paragraph]
    html, offset = (plain_snippet if plain else snippet)(stored["body"][start:end], terms, sentences)
    return SectionHit(
        id=stored["id"],
        section=stored["section"],
        heading=stored["heading"],
        score=round(score, 4),
        snippet=html,
        page=_page_of(stored, start + offset),
        paragraph=sum(1 for a, _ in spans[1:] if a <= start + offset),
    )


def _info(stored: dict) -> dict:
    """The NarrativeInfo fields of a stored section document."""
    return {
        "id": stored["narrative"],
        "report": stored["report"],
        "year": stored["year"] or None,
        "country": stored["country"],
        "iso3": stored["iso3"],
        "region": stored["region"],
        "tier": stored["tier"],
        "tier_label": stored["tier_label"],
        "title": stored["title"],
        "source": stored["source"],
    }


def _check_paging(request: SearchRequest, settings: Settings) -> None:
    if not 1 <= request.limit <= settings.max_limit:
        raise QueryRejected(f"limit must be between 1 and {settings.max_limit}")
    deepest = settings.max_page * settings.page_size
    if not 0 <= request.offset <= deepest:
        raise QueryRejected(f"offset must be between 0 and {deepest}")


MATCHES = ("all", "any")
SECTIONS = wq.Term("kind", "section")
NARRATIVES = wq.Term("kind", "narrative")


# A narrative's sections to show, best first: (section docnum, score, the paragraph to take
# the snippet from, or None for the best sentences of the whole section).
Sections = list[tuple[int, float, int | None]]


@dataclass
class Ranking:
    """The narratives a query matched, best first, and how to show them."""

    ranked: list[tuple[str, float]]  # narrative ids by relevance, with their scores
    sections: Callable[[list[str]], dict[str, Sections]]  # best sections of some of them
    also_marked: set[str] = field(default_factory=set)  # stems matched besides the query's (acronyms)


def _restricted(kind: wq.Query, restrict: wq.Query | None) -> wq.Query:
    return kind if restrict is None else wq.And([kind, restrict])


def _best_sections(build: OpenBuild, q: wq.Query | None, narratives: list[str], per_hit: int) -> dict[str, Sections]:
    """Each narrative's best-matching sections by section text and headings; its opening one if none match."""
    narrative_of = narrative_column(build)
    best: dict[str, Sections] = {n: [] for n in narratives}
    if q is not None and narratives:
        among = wq.And([SECTIONS, wq.Or([wq.Term("narrative", n) for n in narratives])])
        found = build.searcher.search(
            wq.Require(without_place(q), among), limit=len(narratives) * per_hit * 20, optimize=False
        )
        for docnum, score in found.items():
            if len(best[narrative_of[docnum]]) < per_hit:
                best[narrative_of[docnum]].append((docnum, score, None))
    missing = [n for n, sections in best.items() if not sections]
    if missing:
        # A Term: Whoosh's NumericRange over small numbers such as positions matches them all.
        openings = wq.And([SECTIONS, wq.Term("position", 0), wq.Or([wq.Term("narrative", n) for n in missing])])
        for docnum in build.searcher.docs_for_query(openings):
            best[narrative_of[docnum]] = [(docnum, 0.0, None)]
    return best


def _by_sections(
    build: OpenBuild, q: wq.Query, named: wq.Query | None, restrict: wq.Query | None, found: MatchSet, per_hit: int
) -> Ranking:
    """Rank the matched narratives by their best section: for phrases and exact words; those matched by another
    name of a country than the one typed show their sections holding the query ``named`` (with the other names)."""
    ranked = wq.Require(scored_part(q), _restricted(SECTIONS, restrict))
    # Every match is scored anyway (optimize=False), so one pass ranks them all.
    narrative_of = narrative_column(build)
    grouped: dict[str, Sections] = {}
    for docnum, score in build.searcher.search(ranked, limit=None, optimize=False).items():
        if narrative_of[docnum] in found.matched:
            best = grouped.setdefault(narrative_of[docnum], [])
            if len(best) < per_hit:
                best.append((docnum, score, None))
    scores = {n: best[0][1] for n, best in grouped.items()}

    def sections(narratives: list[str]) -> dict[str, Sections]:
        unranked = [n for n in narratives if n not in grouped]
        best = _best_sections(build, named, unranked, per_hit)
        return {**best, **{n: grouped[n] for n in narratives if n in grouped}}

    return Ranking(_by_score(found, scores), sections)


def _by_score(found: MatchSet, scores: dict[str, float]) -> list[tuple[str, float]]:
    """The matched narratives best first: those holding every part first, then by score."""
    return sorted(
        ((n, scores.get(n, 0.0)) for n in found.matched),
        key=lambda item: (item[0] not in found.every_part, -item[1], item[0]),
    )


def _by_filters(build: OpenBuild, found: MatchSet, per_hit: int) -> Ranking:
    """The narratives the filters select, newest first, then by id."""
    facts = narrative_facts(build)
    ranked = sorted(found.matched, key=lambda n: (-facts[n].year, n))
    return Ranking([(n, 0.0) for n in ranked], lambda page: _best_sections(build, None, page, per_hit))


def _paragraph_sections(build: OpenBuild, evidence: Evidence, per_hit: int) -> Sections:
    """A narrative's sections holding its best paragraphs, best first, each with that paragraph."""
    sections: dict[str, tuple[float, int]] = {}
    for docnum, score in evidence.paragraphs:
        section_id, number = build.searcher.stored_fields(docnum)["id"].rsplit("/", 1)
        if section_id not in sections:
            sections[section_id] = (score, int(number))
            if len(sections) == per_hit:
                break
    return [
        (build.searcher.document_number(id=section_id), score, number)
        for section_id, (score, number) in sections.items()
    ]


def _allowed_paragraphs(build: OpenBuild, among: wq.Query, sections: tuple[str, ...]) -> Allowed:
    """Which paragraphs a filtered search scores: those of the narratives ``among`` selects, in ``sections`` if
    any are named.

    Paragraphs carry their narrative's filter fields, so this is what the filters select among
    paragraphs, without walking every paragraph they select.
    """
    names, number_of = narrative_numbers(build)
    selected = np.zeros(len(names), bool)
    selected[number_of[list(build.searcher.docs_for_query(among))]] = True
    allowed = selected[number_of]
    return allowed & np.logical_or.reduce([section_mask(build, key) for key in sections]) if sections else allowed


def _by_passages(
    build: OpenBuild,
    text: str,
    named: wq.Query | None,
    restrict: wq.Query | None,
    sections: tuple[str, ...],
    found: MatchSet,
    per_hit: int,
) -> Ranking:
    """Rank the narratives a plain-word query matched by their paragraphs (``indexer/search/passages.py``), in the
    chosen ``sections`` if any, those holding every part first."""
    narrative_q = parse_text(text, "narrative", build.settings)
    clauses = query_clauses(narrative_q, build.searcher.reader(), text, build.table("acronyms", acronym_table))
    allowed = None if restrict is None else _allowed_paragraphs(build, _restricted(NARRATIVES, restrict), sections)
    evidence = rank_narratives(build, clauses, allowed)

    def shown(narratives: list[str]) -> dict[str, Sections]:
        best = {
            n: _paragraph_sections(build, evidence[n], per_hit)
            for n in narratives
            if n in evidence and len(evidence[n].docs)
        }
        return {**_best_sections(build, named, [n for n in narratives if n not in best], per_hit), **best}

    return Ranking(
        _by_score(found, {n: e.score for n, e in evidence.items()}),
        shown,
        {c.terms[0] for c in clauses if c.stands_for},
    )


def search(build: OpenBuild, request: SearchRequest) -> SearchResponse:
    """Run a search: narratives ranked (or sorted), each with its best sections and snippets, and facets.

    With ``with_suggestion``, a "did you mean" for rare words; with ``autocorrect`` too, a query whose
    misspelt words no section holds at all is searched as corrected (``trafficing`` would match "traffic"
    by its stem), and the response says what was typed.
    """
    check_length(request.q, build.settings.max_query_length)  # first: a refusal costs nothing
    words = split_filters(request.q, request.filters)[0].strip()
    suggestion, unseen = suggestion_for(build, request.q) if words and request.with_suggestion else ("", False)
    if request.autocorrect and unseen:
        response = _search(build, replace(request, q=suggestion))
        response.corrected_from = request.q
        return response
    response = _search(build, request)
    response.suggestion = suggestion
    return response


def _nothing_to_search(q: str) -> str:
    """Why a query without words or filters is refused, quoting what was typed."""
    typed = q.strip()
    if not typed:
        return "give a query or at least one filter"
    shown = typed if len(typed) <= 80 else typed[:80] + "…"
    return f"no word to search for in {shown!r}: give words, a phrase or a filter"


def _search(build: OpenBuild, request: SearchRequest) -> SearchResponse:
    settings = build.settings
    _check_paging(request, settings)
    check_sort(request.sort)
    if request.match not in MATCHES:
        raise QueryRejected(f"match must be one of {', '.join(MATCHES)}, not {request.match!r}")
    text, typed_filters = split_filters(request.q, request.filters)
    filters = checked_filters(build, typed_filters)
    q = parse_text(text, "section", settings)
    restrict = filter_query(filters)
    if q is None and restrict is None:
        raise QueryRejected(_nothing_to_search(request.q))
    found = match_set(build, text if q is not None else "", filters, request.match)
    named = parse_text(text, "section", settings, other_names=True)  # shows and marks what other names matched
    per_hit = settings.sections_per_hit
    if q is None:
        ranking = _by_filters(build, found, per_hit)
    elif needs_sections(q):
        ranking = _by_sections(build, q, named, restrict, found, per_hit)
    else:
        ranking = _by_passages(build, text, named, restrict, filters.section, found, per_hit)
    ordered = ranking.ranked
    if request.sort != "relevance":
        score_of = dict(ordered)
        ordered = [(n, score_of[n]) for n in sorted_matches(build, [n for n, _ in ordered], request.sort)]
    page = ordered[request.offset : request.offset + request.limit]
    sections = ranking.sections([n for n, _ in page])
    terms = query_terms(named)
    terms.stems |= ranking.also_marked
    terms.typed = {form for forms in typed_forms(text).values() for form in forms}
    hits = []
    for narrative, score in page:
        stored = [(build.searcher.stored_fields(d), sc, p) for d, sc, p in sections[narrative]]
        hits.append(
            Hit(
                **_info(stored[0][0]),
                score=score,
                sections=[
                    _section_hit(f, sc, terms, p, settings.snippet_sentences, request.plain_snippets)
                    for f, sc, p in stored
                ],
            )
        )
    return SearchResponse(
        request=request,
        total=len(found.matched),
        hits=hits,
        facets=labelled(build, found.facets),
        all_words=found.all_words,
        some_words=found.some_words,
        reading=found.reading,
        matched=[n for n, _ in ordered],
        forms=_matched_forms(build, text, terms),
        excludes=found.excludes,
    )


def _matched_forms(build: OpenBuild, text: str, terms: QueryTerms) -> dict[str, list[str]]:
    """Each word of ``text`` searched by its stem (not excluded), as typed -> the words of the index with that stem."""
    typed = {stem: folded for folded, stem, _, _ in word_tokens(text) if stem in terms.stems}
    forms = word_forms(build, typed)
    return {typed[stem]: forms[stem] for stem in typed if forms[stem]}


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
        return {
            "id": self.id,
            "heading": self.heading,
            "section": self.section,
            "page": self.page,
            "text": self.text,
            **({"items": self.text.split("\n\n")} if self.is_list else {}),
        }


def get_narrative(build: OpenBuild, narrative_id: str, q: str = "") -> tuple[NarrativeInfo, list[DocumentSection]]:
    """A narrative's metadata and all its sections in order, with ``q``'s words marked."""
    check_length(q, build.settings.max_query_length)  # first: a refusal costs nothing
    text, _ = split_filters(q, Filters())
    terms = query_terms(parse_text(text, "section", build.settings, other_names=True)) if text.strip() else QueryTerms()
    found = sorted(
        (dict(f) for f in build.searcher.documents(narrative=narrative_id, kind="section")), key=lambda f: f["position"]
    )
    if not found:
        raise DocumentNotFound(f"no narrative with id {narrative_id!r}")
    marked = highlight_all([f["body"] for f in found], terms)
    sections = [
        DocumentSection(f["id"], f["heading"], f["section"], html, _page_of(f, 0), f["body"])
        for f, html in zip(found, marked, strict=True)
    ]
    return NarrativeInfo(**_info(found[0])), sections


def narrative_json(info: NarrativeInfo, sections: list[DocumentSection], recommendations: list) -> dict:
    """A whole narrative as JSON: its metadata, sections and ``recommendations`` (``Recommendation``s of
    ``indexer/search/recommendations.py``: each with the editions holding one like it)."""
    return {
        **asdict(info),
        "tier": info.tier or None,
        "tier_label": info.tier_label or None,
        "sections": [s.as_json() for s in sections],
        "recommendations": [r.as_json() for r in recommendations],
    }
