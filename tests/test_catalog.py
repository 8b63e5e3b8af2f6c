import datetime
import re

import pytest

from indexer.errors import TipsearchError
from indexer.reports import catalog


def test_catalog_has_every_tip_edition_from_2001_and_every_hrr_edition_from_2016():
    tip = [catalog.entry("tip", year) for year in range(2001, catalog.latest("tip") + 1)]
    hrr = [catalog.entry("hrr", year) for year in range(2016, catalog.latest("hrr") + 1)]
    assert catalog.latest("tip") >= 2025 and catalog.latest("hrr") >= 2023
    for entry in tip + hrr:
        assert entry.landing.startswith("https://") and str(entry.year) in entry.landing
        assert entry.layout in ("multi-country", "per-country") and entry.pdf


@pytest.mark.parametrize(
    "year, path, matches",
    [
        (2019, "/reports/2019-trafficking-in-persons-report-2/south-korea/", True),
        (2019, "/reports/2019-trafficking-in-persons-report/south-korea/", False),
        (2023, "/mirror/reports/2023-trafficking-in-persons-report/north-korea/index.html", True),
        (2005, "/g/tip/rls/tiprpt/2005/46613.htm", True),
        (2016, "/j/tip/rls/tiprpt/countries/2016/258696.htm", True),
        (2016, "/j/tip/rls/tiprpt/2016/258696.htm", False),
    ],
)
def test_narrative_page_patterns_follow_each_era(year, path, matches):
    assert bool(catalog.entry("tip", year).page_path_pattern().search(path)) is matches


def test_archived_editions_have_mirror_variants_of_their_landing_page():
    paths = catalog.entry("tip", 2004).landing_paths()
    assert paths[0] == "/j/tip/rls/tiprpt/2004/index.htm" and "/g/tip/rls/tiprpt/2004/" in paths


def test_edition_ranges_and_bad_editions():
    assert [e.year for e in catalog.editions("tip", ("2016-2018", "2017", "2023"))] == [2016, 2017, 2018, 2023]
    with pytest.raises(TipsearchError, match=re.escape("--edition 2000")):
        catalog.editions("tip", ("2000",))
    with pytest.raises(TipsearchError, match="--edition must be"):
        catalog.editions("tip", ("last year",))
    with pytest.raises(TipsearchError, match="--report must be one of hrr, tip"):
        catalog.editions("ilo", ("2020",))


def test_the_latest_edition_is_looked_for_from_this_year_back():
    years = [e.year for e in catalog.newest_first("tip")]
    assert years[0] == max(datetime.date.today().year, catalog.latest("tip")) and years[-1] == 2001
    assert catalog.newest_first("tip")[0].landing.endswith(f"/reports/{years[0]}-trafficking-in-persons-report/")
