import pytest

from indexer.reports.countries import lookup
from indexer.reports.tiers import normalize_tier, parse_country_heading, tier_from_summary


@pytest.mark.parametrize(
    "printed, iso3",
    [
        ("Burma", "MMR"),
        ("Myanmar", "MMR"),
        ("Swaziland", "SWZ"),
        ("Eswatini", "SWZ"),
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("Turkey (Türkiye)", "TUR"),
        ("KOREA, REPUBLIC OF", "KOR"),
        ("Korea, Democratic People’s Republic of", "PRK"),
        ("Côte d’Ivoire", "CIV"),
        ("Cote d'Ivoire", "CIV"),
        ("Bahamas, The", "BHS"),
        ("Czech Republic", "CZE"),
        ("Kyrgyz Republic", "KGZ"),
        ("China (includes Tibet, Hong Kong, and Macau)", "CHN"),
        ("usa", "USA"),
        ("KOREA, NORTH", "PRK"),
        ("KOREA, SOUTH", "KOR"),
        ("Congo, Republic of the", "COG"),
    ],
)
def test_country_names_resolve(printed, iso3):
    assert lookup(printed).iso3 == iso3


def test_unknown_country_is_none():
    assert lookup("Atlantis") is None
    assert lookup("Hello, World") is None


@pytest.mark.parametrize(
    "heading, country, tier, label",
    [
        ("North Korea (Tier 3)", "North Korea", "3", "Tier 3"),
        ("HONDURAS (TIER 2)", "Honduras", "2", "TIER 2"),
        ("Mexico (Tier 2 Watch List)", "Mexico", "2WL", "Tier 2 Watch List"),
        ("HAITI (TIER 2 - WATCH LIST)", "Haiti", "2WL", "TIER 2 - WATCH LIST"),
        ("AFGHANISTAN: Tier 2 Watch List", "Afghanistan", "2WL", "Tier 2 Watch List"),
        ("AFGHANISTAN: TIER 2", "Afghanistan", "2", "TIER 2"),
        ("KOREA, REPUBLIC OF: Tier 1", "South Korea", "1", "Tier 1"),
        ("Korea, Democratic People's Republic of (Tier 3)", "North Korea", "3", "Tier 3"),
        ("REPUBLIC OF KOREA (Tier 1)", "South Korea", "1", "Tier 1"),
        ("LIBYA: Special Case", "Libya", "special", "Special Case"),
        ("Yemen (Special Case)", "Yemen", "special", "Special Case"),
        ("KOREA, NORTH (TIER 3)", "North Korea", "3", "TIER 3"),
        ("CÔTE D’IVOIRE (TIER 2)", "Cote d'Ivoire", "2", "TIER 2"),
        ("Türkiye (Tier 2 Watch List)", "Turkey", "2WL", "Tier 2 Watch List"),
        ("SWAZILAND: TIER 2", "Eswatini", "2", "TIER 2"),
    ],
)
def test_country_headings_of_every_era(heading, country, tier, label):
    parsed = parse_country_heading(heading)
    assert (parsed[0].name, parsed[1], parsed[2]) == (country, tier, label)


@pytest.mark.parametrize("heading", ["Section 1.", "PROSECUTION", "Atlantis (Tier 1)", "Tier 3"])
def test_other_headings_are_not_country_headings(heading):
    assert parse_country_heading(heading) is None


def test_tier_from_summary_sentence():
    assert tier_from_summary("therefore Burma remained on Tier 3.") == "3"
    assert tier_from_summary("Chad was upgraded to Tier 2 Watch List.") == "2WL"
    assert tier_from_summary("no tier here") is None
    assert (
        tier_from_summary(
            "Chad was on Tier 2 Watch List for two years and is not eligible for a waiver; "
            "therefore Chad was downgraded to Tier 3 automatically. It was placed on Tier 2 in "
            "2019."
        )
        == "3"
    )
    assert tier_from_summary("Fiji was placed on Tier 2 in 2019; it was upgraded to Tier 1 this year.") == "1"


@pytest.mark.parametrize(
    "typed, tier",
    [("3", "3"), ("2wl", "2WL"), ("Tier 2 Watch List", "2WL"), ("special", "special"), ("tier 1", "1"), ("4", None)],
)
def test_tier_filters_as_users_type_them(typed, tier):
    assert normalize_tier(typed) == tier
