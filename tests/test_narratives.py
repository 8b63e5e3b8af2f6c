import pytest

from indexer.extract.files import extract_file
from indexer.extract.html import extract_html
from indexer.reports.narratives import (
    Section,
    build_narratives,
    is_country_narrative,
    profile_first,
    split_recommendations,
)
from indexer.settings import DEFAULTS
from tests.conftest import HRR, TIP_FIXTURES, shared_path

TIP_EARLY = TIP_FIXTURES.parent / "tip-early"

TIP_SECTIONS = [
    "summary",
    "prioritized-recommendations",
    "prosecution",
    "protection",
    "prevention",
    "trafficking-profile",
]


def _keys(narrative):
    return [s.keys[0] for s in narrative.sections]


def test_early_multi_country_page_is_split_per_country():
    narratives = extract_file(TIP_FIXTURES / "2002-multi-country.html", DEFAULTS)
    assert [(n.country, n.tier, n.year, n.report) for n in narratives] == [
        ("Angola", "2", 2002, "tip"),
        ("Burma", "3", 2002, "tip"),
        ("North Korea", "3", 2002, "tip"),
    ]
    assert all("No FEAR Act" not in s.text for n in narratives for s in n.sections)
    assert narratives[1].id == "tip-2002-mmr"
    assert [_keys(n) for n in narratives] == [["trafficking-profile", "summary"]] * 3  # the profile, then the
    assert narratives[1].sections[1].text.startswith("The Government of Burma does not fully comply")  # assessment


def test_2006_multi_country_page_drops_the_photo_caption_and_opens_with_the_profile():
    narratives = extract_file(TIP_EARLY / "2006" / "65988.htm", DEFAULTS)
    assert [(n.id, n.tier, n.year) for n in narratives] == [("tip-2006-afg", "2", 2006), ("tip-2006-alb", "2", 2006)]
    assert all("waitresses" not in s.text for n in narratives for s in n.sections)  # the caption is front matter
    afghanistan = narratives[0]
    assert _keys(afghanistan) == ["trafficking-profile", "summary", "prosecution", "protection", "prevention"]
    profile, summary = afghanistan.sections[:2]
    assert profile.text.count("\n\n") == 1 and profile.text.endswith(
        "for commercial sexual exploitation and forced marriage."
    )
    assert summary.text.startswith("The Government of Afghanistan does not fully comply")
    assert summary.text.endswith("improve data collection on trafficking cases.")


def test_the_profile_is_split_off_only_before_an_assessment_that_does_not_open_the_narrative():
    opening = Section(
        "Summary", ["summary"], "Profile.\n\nThe Government of X fully meets the minimum standards.", [(0, 4), (10, 5)]
    )
    profile, summary = profile_first([opening])
    assert (profile.keys, profile.text, profile.pages) == (["trafficking-profile"], "Profile.", [(0, 4)])
    assert (summary.text, summary.pages) == ("The Government of X fully meets the minimum standards.", [(0, 5)])
    same_page = profile_first([Section("Summary", ["summary"], opening.text, [(0, 4)])])
    assert same_page[1].pages == [(0, 4)]  # the page the summary starts on
    assessed_first = Section("Summary", ["summary"], "The Government of X does not fully meet the minimum standards.")
    assert profile_first([assessed_first]) == [assessed_first]
    with_profile = [opening, Section("Trafficking profile", ["trafficking-profile"], "Later.")]
    assert profile_first(with_profile) == with_profile


def test_2004_2009_sentence_case_subheads():
    (narrative,) = extract_file(TIP_FIXTURES / "2007-haiti.html", DEFAULTS)
    assert (narrative.country, narrative.iso3, narrative.year) == ("Haiti", "HTI", 2007)
    assert (narrative.tier, narrative.tier_label) == ("2WL", "TIER 2 - WATCH LIST")
    assert _keys(narrative) == ["trafficking-profile", "summary", "prosecution", "protection", "prevention"]
    profile, summary = narrative.sections[:2]
    assert profile.heading == "Trafficking profile" and profile.text.startswith("Haiti is a source, transit")
    assert summary.text.startswith("The Government of Haiti does not fully comply with the minimum standards")


def test_2010_2017_recommendations_and_profile():
    (narrative,) = extract_file(TIP_FIXTURES / "2016-afghanistan.html", DEFAULTS)
    assert (narrative.country, narrative.year, narrative.tier) == ("Afghanistan", 2016, "2WL")
    assert _keys(narrative) == [
        "summary",
        "recommendations",
        "prosecution",
        "protection",
        "prevention",
        "trafficking-profile",
    ]


def test_2018_2021_inverted_name_and_bold_heading():
    (narrative,) = extract_file(TIP_FIXTURES / "2019-south-korea.html", DEFAULTS)
    assert (narrative.country, narrative.iso3, narrative.year, narrative.tier) == ("South Korea", "KOR", 2019, "1")
    assert _keys(narrative) == TIP_SECTIONS
    assert narrative.source == "https://www.state.gov/reports/2019-trafficking-in-persons-report-2/south-korea/"
    assert all("Related Articles" not in s.text and "Tags" not in s.text for s in narrative.sections)


def test_2022_on_h2_heading_with_curly_apostrophe():
    (narrative,) = extract_file(TIP_FIXTURES / "2023-north-korea.html", DEFAULTS)
    assert (narrative.country, narrative.year, narrative.tier, narrative.tier_label) == (
        "North Korea",
        2023,
        "3",
        "Tier 3",
    )
    assert _keys(narrative) == TIP_SECTIONS
    assert narrative.title == "2023 Trafficking in Persons Report: North Korea"


@pytest.mark.parametrize(
    "name, country, iso3, year",
    [
        ("2023/chad", "Chad", "TCD", 2023),
        ("2023/cote-divoire", "Cote d'Ivoire", "CIV", 2023),
        ("2016/israel-and-the-occupied-territories", "Israel", "ISR", 2016),
        ("2017/swaziland", "Eswatini", "SWZ", 2017),
        ("2022/turkey", "Turkey", "TUR", 2022),
        ("2018/democratic-peoples-republic-of-korea", "North Korea", "PRK", 2018),
        ("2021/bahamas", "The Bahamas", "BHS", 2021),
    ],
)
def test_hrr_pages_get_country_and_year_from_the_page(name, country, iso3, year, tmp_path):
    source = shared_path(HRR / f"{name}.html.gz")
    renamed = tmp_path / "page.html.gz"  # the path says nothing: the page must
    renamed.write_bytes(source.read_bytes())
    (narrative,) = extract_file(renamed, DEFAULTS)
    assert (narrative.report, narrative.country, narrative.iso3, narrative.year) == ("hrr", country, iso3, year)
    assert narrative.sections[0].keys == ["executive-summary"]
    assert {"section-1", "section-1a"} <= {k for s in narrative.sections for k in s.keys}
    assert any(s.heading.startswith("Section 1.a. Arbitrary") for s in narrative.sections)


@pytest.mark.parametrize(
    "printed, items",
    [
        ("End forced labor. • Screen migrants.", ["End forced labor.", "Screen migrants."]),
        (
            "end forced labor; screen migrants; and train judges.",
            ["End forced labor", "Screen migrants", "Train judges."],
        ),
        ("• Fund shelters for victims.", ["Fund shelters for victims."]),
        ("Fund shelters for victims.", ["Fund shelters for victims."]),
    ],
)
def test_recommendations_split_into_items(printed, items):
    assert split_recommendations(printed) == items


def _narrative_of(html: str):
    page = f"<html><head><title>2009 Trafficking in Persons Report</title></head><body>{html}</body></html>"
    narratives = build_narratives(extract_html(page.encode(), "x.html", 10**6), "tip/2009/x.html", "")
    return narratives


def test_recommendations_opening_a_paragraph_become_their_own_section():
    (narrative,) = _narrative_of(
        "<h3>HAITI (TIER 2 WATCH LIST)</h3><p>Haiti is a source country.</p>"
        "<p>Recommendations for Haiti: enact a law; and train police.</p>"
        "<p><b>Prosecution</b></p><p>The government made no arrests.</p>"
    )
    assert [(s.keys, s.text) for s in narrative.sections] == [
        (["summary"], "Haiti is a source country."),
        (["recommendations"], "Enact a law\n\nTrain police."),
        (["prosecution"], "The government made no arrests."),
    ]


def test_a_page_that_only_lists_countries_holds_no_country_narrative():
    narratives = _narrative_of("<h2>Introduction</h2><p>Tier 3 countries do not meet the minimum standards.</p>")
    assert not any(is_country_narrative(n) for n in narratives)
    (narrative,) = _narrative_of("<h3>HAITI (TIER 2 WATCH LIST)</h3><p>Haiti is a source country.</p>")
    assert is_country_narrative(narrative)


def test_run_in_headings_of_the_2004_2009_pages():
    narratives = _narrative_of(
        "<p><strong>HAITI (TIER 2)</strong><br>Haiti is a source country.</p>"
        "<p>The Government of Haiti does not fully comply with the minimum standards. Recommendations for Haiti: "
        "enact a law; and train police.</p>"
        "<p><b>Prosecution</b><br>The government made arrests.</p><p><strong>Protection:</strong> Some care.</p>"
        "<p><b>Note</b> a bold word that opens a paragraph is no heading.</p>"
        "<p><strong>KOREA, NORTH (TIER 3)</strong> North Korea is a source country.</p>"
    )
    assert [(n.iso3, n.tier) for n in narratives] == [("HTI", "2"), ("PRK", "3")]
    assert [(s.keys[0], s.text) for s in narratives[0].sections] == [
        ("trafficking-profile", "Haiti is a source country."),
        ("summary", "The Government of Haiti does not fully comply with the minimum standards."),
        ("recommendations", "Enact a law\n\nTrain police."),
        ("prosecution", "The government made arrests."),
        ("protection", "Some care.\n\nNote a bold word that opens a paragraph is no heading."),
    ]


def test_text_before_a_tip_country_heading_is_not_a_narrative():
    narratives = _narrative_of(
        "<p>Download the PDF</p><p>Return to the report</p><h2>Haiti (Tier 2)</h2><p>Haiti is a source country.</p>"
    )
    assert [(n.iso3, n.sections[0].text) for n in narratives] == [("HTI", "Haiti is a source country.")]


@pytest.mark.parametrize("placeholder", ["Read a Section: Ukraine", "Executive Summary Title"])
def test_a_template_placeholder_in_the_executive_summary_place_is_read_as_its_heading(placeholder):
    page = (
        "<html><head><title>2021 Country Reports on Human Rights Practices: Ukraine</title></head><body>"
        f'<h2 id="report-toc__exec-summary">{placeholder}</h2><p>Note: except where noted, this report ...</p>'
        "<h3>Section 1. Respect for the Integrity of the Person</h3><p>Text.</p></body></html>"
    )
    (narrative,) = build_narratives(extract_html(page.encode(), "ukraine.html", 10**6), "hrr/2021/ukraine.html", "")
    assert [(s.heading, s.keys) for s in narrative.sections][0] == ("Executive Summary", ["executive-summary"])
