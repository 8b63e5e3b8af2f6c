import pytest

from indexer.errors import DocumentNotFound, QueryRejected
from indexer.search.engine import SearchRequest, get_narrative, search
from indexer.search.history import Edition, mark_changes, tier_history
from indexer.search.query import Filters
from tests.conftest import PDF_REAL, opened, shared_path


@pytest.fixture(scope="module")
def ix(index_dir):
    with opened(index_dir) as build:
        yield build


def run(ix, q="", **filters):
    limit = filters.pop("limit", 10)
    return search(ix, SearchRequest(q=q, filters=Filters(**filters), limit=limit))


def test_natural_language_query_ranks_the_right_country_first(ix, needs_hrr):
    response = run(ix, "Rohingya refugees in Cox's Bazar", year="2023")
    assert response.hits[0].iso3 in {"BGD", "MMR"}
    assert "<mark>" in response.hits[0].sections[0].snippet
    assert all(hit.year == 2023 for hit in response.hits)


def test_words_not_all_present_still_match_and_fuller_matches_rank_higher(ix):
    response = run(ix, "migrant fishermen distant water vessels zzzunknownword")
    assert response.hits and response.hits[0].iso3 in {"KOR", "MMR"}


def test_phrase_is_marked_as_one_span(ix):
    hit = run(ix, '"forced labor"', report="tip").hits[0]
    assert "<mark>forced labor</mark>" in " ".join(s.snippet for s in hit.sections)


def test_snippets_are_whole_sentences(ix):
    snippet = run(ix, "bacha baazi").hits[0].sections[0].snippet
    assert snippet.rstrip().endswith(".") and snippet[0].isupper()


def test_navigation_text_is_not_searchable(ix):
    assert run(ix, '"No FEAR Act"').hits == []


def test_nonsense_finds_nothing(ix):
    response = run(ix, "qqxyzzyplugh")
    assert (response.total, response.hits) == (0, [])


def test_filters_by_tier_report_year_and_section(ix):
    tier3 = run(ix, "trafficking", tier="3", limit=50)
    assert {h.country for h in tier3.hits} == {"Burma", "North Korea"}
    assert {h.year for h in run(ix, "trafficking", year="2016-2019", limit=50).hits} == {2016, 2019}
    section = run(ix, "government", section="Prosecution", report="tip", limit=50)
    assert section.hits and all(s.section == "prosecution" for h in section.hits for s in h.sections)


def test_a_section_filter_alone_lists_the_narratives_having_that_section(ix):
    listed = run(ix, section="Prosecution", report="tip", limit=50)
    expected = {
        h.id
        for h in run(ix, "government", report="tip", limit=50).hits
        if any("prosecution" in s.section for s in get_narrative(ix, h.id)[1])
    }
    assert listed.total == len(listed.hits) and expected <= {h.id for h in listed.hits}
    # The section facet leaves out the section filter: each section's count is what choosing it would give.
    sections = {c.value: c.count for c in listed.facets["section"]}
    assert sections["prosecution"] == listed.total
    assert sections == {c.value: c.count for c in run(ix, report="tip", limit=1).facets["section"]}


def test_country_filter_accepts_aliases(ix):
    assert {h.iso3 for h in run(ix, "trafficking", country="Myanmar", limit=50).hits} == {"MMR"}
    assert {h.iso3 for h in run(ix, "country:DPRK forced labor", limit=50).hits} == {"PRK"}


def test_boolean_operators(ix):
    with_not = run(ix, "trafficking NOT Burma", report="tip", limit=50)
    assert with_not.hits and "MMR" not in {h.iso3 for h in with_not.hits}
    both = run(ix, "restavèks AND servitude", limit=50)
    assert [h.iso3 for h in both.hits] == ["HTI"]


def test_exact_word_search_does_not_stem(ix):
    stemmed = {h.id for h in run(ix, "fishermen", report="tip", limit=50).hits}
    exact = {h.id for h in run(ix, "exact:fishermen", report="tip", limit=50).hits}
    assert exact and exact <= stemmed


@pytest.mark.parametrize(
    "q",
    ['"forced labor', "((( forced labor", "forced AND OR labor", "title:xyz labor", "labor:b:c", "labor^^ ~~forced"],
)
def test_unparseable_queries_search_plain_words(ix, q):
    assert run(ix, q).hits


def test_bad_parameters_are_rejected_with_their_name(ix):
    with pytest.raises(QueryRejected, match="year"):
        run(ix, "x", year="20x")
    with pytest.raises(QueryRejected, match="country"):
        run(ix, "x", country="Atlantis")
    with pytest.raises(QueryRejected, match="tier"):
        run(ix, "x", tier="7")
    with pytest.raises(QueryRejected, match="query or at least one filter"):
        run(ix, "   ")


@pytest.mark.parametrize("q", ["year:[", "*", "\x01", "- ( )"])
def test_a_query_with_nothing_to_search_for_says_what_it_read(ix, q):
    with pytest.raises(QueryRejected, match="no word to search for in") as refused:
        run(ix, q)
    assert repr(q.strip()) in str(refused.value)


def test_pdf_hits_cite_their_page(ix):
    hit = run(ix, '"distant water fishing vessels" debt bondage', report="tip", country="Burma").hits[0]
    assert hit.sections[0].page == 1


def test_document_text_is_escaped_in_snippets_and_pages(ix):
    hit = run(ix, "identify protect victims", country="North Korea").hits[0]
    html = " ".join(s.snippet for s in hit.sections)
    assert "<script>" not in html and "&lt;script&gt;" in html
    meta, sections = get_narrative(ix, hit.id, "victims")
    assert meta.country == "North Korea"
    assert "<script>" not in "".join(s.html for s in sections)


def test_paging_does_not_repeat_narratives(ix):
    first = search(ix, SearchRequest(q="government", limit=3))
    second = search(ix, SearchRequest(q="government", limit=3, offset=3))
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}
    assert first.total == second.total


def test_phrase_across_a_line_break_in_a_three_column_pdf(ix):
    shared_path(PDF_REAL / "i1040nr.pdf")
    # In the printed form this runs over two lines of one column ("... if" / "you were ...").
    hit = run(ix, '"tax purposes if you were a lawful permanent resident"', report="other").hits[0]
    assert hit.source.endswith("i1040nr.pdf")
    assert "<mark>tax purposes if you were a lawful permanent resident</mark>" in hit.sections[0].snippet
    assert hit.sections[0].page == 2


@pytest.mark.parametrize("q", ["government", '"forced labor"'])
def test_total_does_not_depend_on_the_page_size(ix, q):
    totals = {search(ix, SearchRequest(q=q, limit=limit)).total for limit in (1, 3, 50)}
    assert len(totals) == 1


def test_tier_history_from_the_index(ix):
    country, history = tier_history(ix, "DPRK")
    assert country.iso3 == "PRK"
    assert [(e.year, e.tier, e.change) for e in history] == [(2002, "3", ""), (2023, "3", "")]


def test_upgrades_downgrades_and_watch_list_years():
    marked = mark_changes(
        [
            Edition(y, f"tip-{y}-x", t, "")
            for y, t in [(2019, "2WL"), (2017, "2"), (2018, "2WL"), (2020, "3"), (2021, "2"), (2022, "special")]
        ]
    )
    assert [(e.year, e.change, e.watch_list_years) for e in marked] == [
        (2017, "", 0),
        (2018, "downgraded", 1),
        (2019, "", 2),
        (2020, "downgraded", 0),
        (2021, "upgraded", 0),
        (2022, "", 0),
    ]


def test_facets_count_the_matches_and_filtering_by_a_value_finds_that_many(ix):
    build = ix
    response = search(build, SearchRequest(q="labor", limit=50))
    facets = response.facets
    assert set(facets) == {"report", "year", "country", "region", "tier", "section"}
    assert sum(c.count for c in facets["report"]) == response.total
    years = [int(c.value) for c in facets["year"]]
    assert years == sorted(years, reverse=True)
    for name in ("year", "country", "tier", "region", "report"):
        for count in facets[name][:3]:
            narrowed = search(build, SearchRequest(q="labor", filters=Filters(**{name: count.value})))
            assert narrowed.total == count.count, (name, count)
    assert {c.value: c.label for c in facets["tier"]}.get("2WL") == "Tier 2 Watch List"


def test_sorting_by_year_and_country(ix):
    build = ix

    def order(sort):
        response = search(build, SearchRequest(q="labor", limit=200, sort=sort))
        assert response.total == len(response.hits)  # every match on the page
        return [(h.year or 0, h.country, h.id) for h in response.hits]

    relevance = [narrative for _, _, narrative in order("relevance")]
    for sort, newest in (("newest", True), ("oldest", False)):
        listed = order(sort)
        years = [year for year, _, _ in listed]
        assert years == sorted(years, reverse=newest)
        year_of = {n: y for y, _, n in listed}
        for year in set(years):  # within a year, the order of relevance
            assert [n for y, _, n in listed if y == year] == [n for n in relevance if year_of[n] == year]
    countries = [c for _, c, _ in order("country") if c]
    assert countries == sorted(countries)
    assert sorted(relevance) == sorted(n for _, _, n in order("newest"))  # the same matches
    with pytest.raises(QueryRejected, match="sort must be one of"):
        search(build, SearchRequest(q="labor", sort="random"))


@pytest.mark.parametrize(
    "typed, found",
    [("Myanmar", "MMR"), ("Swaziland", "SWZ"), ("Eswatini", "SWZ"), ("DPRK", "PRK"), ("Ivory Coast", "CIV")],
)
def test_country_aliases_and_old_names_find_the_country_in_free_text(ix, typed, found):
    hits = search(ix, SearchRequest(q=typed, limit=5)).hits
    assert hits and hits[0].iso3 == found


def test_british_and_american_spellings_find_the_same_narratives(ix):
    def ids(q):
        return [h.id for h in search(ix, SearchRequest(q=q, limit=20)).hits]

    assert ids("forced labour programme") == ids("forced labor program")
    assert ids("criminalised") == ids("criminalized")


def test_did_you_mean_for_rare_words_prefers_country_names(ix):
    assert search(ix, SearchRequest(q="forced labor in Afganistan")).suggestion == "forced labor in Afghanistan"
    assert search(ix, SearchRequest(q="traficking of fishremen")).suggestion == "trafficking of fishermen"
    assert search(ix, SearchRequest(q="forced labor country:burma")).suggestion == ""
    assert search(ix, SearchRequest(q="xqzwv")).suggestion == ""


def test_similar_narratives_in_the_same_edition_and_the_same_country_elsewhere(ix):
    from indexer.search.similar import similar

    found = similar(ix, "tip-2023-prk")
    assert [s.id for s in found.other_editions] == ["tip-2002-prk"]
    assert all(s.year == 2023 and s.id != "tip-2023-prk" and s.country != "North Korea" for s in found.same_edition)
    hrr = similar(ix, "hrr-2023-tha")
    assert hrr.same_edition and all(s.id.startswith("hrr-2023-") for s in hrr.same_edition)
    scores = [s.score for s in hrr.same_edition]
    assert scores == sorted(scores, reverse=True)
    with pytest.raises(DocumentNotFound):
        similar(ix, "tip-1999-xyz")


def test_cross_references_are_boilerplate():
    from indexer.reports.paragraphs import is_boilerplate

    assert is_boilerplate("See the Department of State's annual Trafficking in Persons Report at https://x.")
    assert is_boilerplate("Not applicable.")
    assert not is_boilerplate("The law prohibits forced labor; see below.")


def test_the_suggester_looks_at_a_bounded_number_of_words(ix, monkeypatch):
    from indexer.search import suggest

    looked = []
    monkeypatch.setattr(suggest, "_closest", lambda build, word, frequency: looked.append(word))
    words = " ".join(f"qz{chr(97 + i % 26)}{chr(97 + i // 26)}xv" for i in range(90))
    assert search(ix, SearchRequest(q=words)).suggestion == ""
    assert len(looked) == suggest.MAX_CHECKED
    looked.clear()
    assert search(ix, SearchRequest(q="q" * 999)).suggestion == "" and not looked


@pytest.mark.parametrize(
    "total, all_words, some_words, reading, text",
    [
        (191, None, None, "all", "191 narratives match"),
        (1, None, None, "all", "1 narrative matches"),
        (0, 0, 0, "all", "0 narratives match"),
        (191, 191, 191, "all", "191 narratives contain all words"),
        (1, 1, 3, "all", "1 narrative contains all words"),
        (106, 61, 106, "some", "106 narratives contain some of the words, 61 all of them"),
        (5, 0, 5, "some", "No narrative contains all words; 5 narratives contain some"),
    ],
)
def test_the_count_in_words(total, all_words, some_words, reading, text):
    from indexer.search.engine import SearchResponse

    response = SearchResponse(
        SearchRequest(q="x"), total, [], all_words=all_words, some_words=some_words, reading=reading
    )
    assert response.count_text() == text
    assert response.wider() == (some_words - total if reading == "all" and some_words else 0)


def test_the_words_of_a_query_are_its_clauses_whatever_fields_hold_them():
    from indexer.search.passages import clause_nodes
    from indexer.search.query import parse_text

    assert len(clause_nodes(parse_text("traff* OR forc*", "narrative"))) == 2
    assert len(clause_nodes(parse_text("forced labor NOT child", "narrative"))) == 2
    assert len(clause_nodes(parse_text("Swaziland labour unions", "narrative"))) == 3
    # a hyphenated word is its words typed apart: each counts each time the query holds it
    weights = [n.boost for n in clause_nodes(parse_text("data processing for data-processing systems", "narrative"))]
    assert weights == [2.0, 2.0, 1.0]


def test_word_positions_are_read_only_for_the_words_whose_postings_were(ix, monkeypatch):
    from indexer.search import passages

    left_out, asked = set(), []
    real_budget, real_positions = passages._within_budget, passages.positions

    def budget(scorer, clauses):  # a prefix's commonest words over the budget, as in a long query
        read = real_budget(scorer, clauses)
        left_out.update(term for c in clauses for term in c.terms[1:] if len(c.terms) > 2)
        return read - left_out

    monkeypatch.setattr(passages, "_within_budget", budget)
    monkeypatch.setattr(
        passages,
        "positions",
        lambda leaf, field, term, wanted: asked.append(term) or real_positions(leaf, field, term, wanted),
    )
    response = search(ix, SearchRequest(q="forced pro*"))
    assert response.hits and left_out and asked
    assert not left_out & set(asked)


def test_a_long_query_of_common_words_reads_a_bounded_number_of_postings(ix, monkeypatch):
    from indexer.search import passages

    read = []
    real = passages._Scorer.postings
    monkeypatch.setattr(
        passages._Scorer,
        "postings",
        lambda self, field, term, allowed: read.append((field, term)) or real(self, field, term, allowed),
    )
    monkeypatch.setattr(passages, "POSTINGS_BUDGET", 1)
    response = search(ix, SearchRequest(q="government reported persons trafficking labor victims"))
    assert response.total and response.hits
    assert len({term for field, term in read if field == passages.FIELD}) == 1  # the rarest word only


DIFFERENTIAL_QUERIES = [
    "forced labor",
    "forced OR labor",
    "forced NOT labor",
    "trafficking -prison",
    "traff* pro*",
    "pro* con* dis* com* tra*",
    '"forced labor" police',
    "(child OR children) AND marriage NOT labor",
    "year:2023 forced",
    "country:burma OR country:thailand",
    "exact:police report",
    "forced AND NOT (labor OR prison)",
    "Rohingya -refugee",
    "xqzwv OR forced",
    "xqzwv",
]


def _by_sets(searcher, q) -> set[int]:
    """What ``q`` matches by its definition: Whoosh's documents for each word, combined as sets."""
    from whoosh import query as wq

    from indexer.search.ranking import CoordOr

    every = set(searcher.reader().all_doc_ids())
    kind = type(q)
    if kind in (wq.And, wq.Require):
        return set.intersection(*(_by_sets(searcher, c) for c in q.children()))
    if kind in (wq.Or, CoordOr):
        return set().union(*(_by_sets(searcher, c) for c in q.children()))
    if kind is wq.AndNot:
        return _by_sets(searcher, q.a) - _by_sets(searcher, q.b)
    if kind is wq.Not:
        return every - _by_sets(searcher, q.query)
    if isinstance(q, wq.MultiTerm):  # a prefix: the index's most frequent words (Whoosh expands it per segment)
        words = q._btexts(searcher.reader())
        return set().union(*(searcher.docs_for_query(wq.Term(q.field(), word)) for word in words))
    return set(searcher.docs_for_query(q))


@pytest.mark.parametrize("text", DIFFERENTIAL_QUERIES)
def test_documents_read_as_arrays_are_the_ones_a_query_matches(ix, text):
    from whoosh import query as wq

    from indexer.search.boolean import QueryDocs
    from indexer.search.query import parse_text

    for level, kind in (("narrative", "narrative"), ("section", "section")):
        q = parse_text(text, level)
        if level == "narrative" and '"' in text:
            continue  # narratives hold no word positions: phrases are looked for in their sections
        for query in (q, wq.And([wq.Term("kind", kind), q]), wq.And([wq.Term("kind", kind), wq.Not(q)])):
            assert list(QueryDocs(ix.searcher).docs(query)) == sorted(_by_sets(ix.searcher, query)), (text, level)


def test_a_narrative_holding_a_word_excluded_is_never_matched(ix):
    from whoosh import query as wq

    from indexer.search.boolean import QueryDocs
    from indexer.search.query import parse_text

    q = wq.And([wq.Term("kind", "narrative"), parse_text("(child OR children) AND marriage NOT labor", "narrative")])
    holding_labor = set(ix.searcher.docs_for_query(wq.Term("fulltext", "labor")))
    assert set(ix.searcher.docs_for_query(q)) & holding_labor  # Whoosh's AndNot lets the first one through
    assert not set(QueryDocs(ix.searcher).docs(q)) & holding_labor
