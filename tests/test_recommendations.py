"""A TIP narrative's recommendations matched across editions: reworded, merged and split ones found, a
different action not, on fixtures of one country in three editions (tests/fixtures/tip-recommendations)."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from indexer.search.recommendations import (
    MATCH,
    country_recommendations,
    recommendation_history,
    similarity,
    stem_weights,
)
from tests.conftest import TIP_FIXTURES, index_files, opened, web_app
from webapp.cli import main

RECOMMENDATIONS = TIP_FIXTURES.parent / "tip-recommendations"


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    target = tmp_path_factory.mktemp("recommendations") / "index"
    index_files([RECOMMENDATIONS, TIP_FIXTURES], target)
    return target


@pytest.fixture(scope="module")
def build(index):
    with opened(index) as opened_build:
        yield opened_build


def _editions(build) -> dict[str, list[int]]:
    return {r.text[:30]: r.editions for items in country_recommendations(build, "tip", "THA").values() for r in items}


def test_reworded_merged_and_split_recommendations_are_matched_across_editions(build):
    editions = _editions(build)
    assert editions["Increase efforts to investigat"] == [2019, 2020, 2021]  # 2019's and 2021's
    assert editions["Vigorously investigate, prosec"] == [2019, 2020, 2021]  # reworded in 2020
    assert editions["Train labor inspectors to iden"] == [2019, 2020]  # 2020 adds a number and a semicolon
    assert editions["Expand access to shelters for "] == [2019, 2020, 2021]  # 2020 merges it with care
    assert editions["Expand shelter access for male"] == [2019, 2020, 2021]  # 2021 splits it again
    assert editions["Provide psychosocial care to v"] == [2020, 2021]
    assert editions["Establish a national referral "] == [2020]
    assert editions["Amend the law to allow victims"] == [2019]
    assert editions["Fund NGOs that protect migrant"] == [2021]  # shares "migrant", "fishing": another action


def test_similarity_ignores_numbers_markers_and_punctuation_but_not_the_action(build):
    weighted = stem_weights(build)

    def similar(a: str, b: str) -> float:
        return similarity(weighted(a), weighted(b))

    train = "Train labor inspectors to identify forced labor among migrant workers."
    marked = "(iii) Train labor inspectors, to identify forced labor among 4,000 migrant workers;"
    assert similar(train, marked) == pytest.approx(1)
    assert similar(train, "Fund shelters for migrant workers.") < MATCH
    assert similar(train, "Increase the number of labor inspectors.") < MATCH


def test_show_json_gives_each_recommendation_its_editions(index):
    result = CliRunner().invoke(main, ["show", "tip-2021-tha", "--json", "--index", str(index)])
    recommendations = json.loads(result.output)["recommendations"]
    assert recommendations[0] == {
        "text": "Expand shelter access for male victims.",
        "first_seen": 2019,
        "editions": [2019, 2020, 2021],
    }
    assert [(r["first_seen"], r["editions"]) for r in recommendations[1:]] == [
        (2020, [2020, 2021]),
        (2019, [2019, 2020, 2021]),
        (2021, [2021]),
    ]


def test_the_document_page_marks_each_recommendation_new_or_repeated(index):
    client = web_app(index).test_client()
    html = client.get("/doc/tip-2021-tha").get_data(as_text=True)
    notes = re.findall(r'<span class="since[^"]*">([^<]+)</span>', html)
    assert notes == [
        "repeated since 2019 (3 editions)",
        "repeated since 2020 (2 editions)",
        "repeated since 2019 (3 editions)",
        "new in 2021",
    ]
    first = client.get("/doc/tip-2019-tha").get_data(as_text=True)
    assert 'class="since' not in first  # the earliest edition: nothing before it to compare with
    assert 'class="since' not in client.get("/doc/hrr-2023-prk").get_data(as_text=True)


def test_the_country_page_has_a_history_of_the_recommendations(build, index):
    years, rows = recommendation_history(build, "tip", "THA")
    assert years == [2019, 2020, 2021]
    assert [(row.text[:30], sorted(row.found)) for row in rows] == [
        ("Expand shelter access for male", [2019, 2020, 2021]),
        ("Provide psychosocial care to v", [2020, 2021]),  # the merged one of 2020 marks both
        ("Increase efforts to investigat", [2019, 2020, 2021]),
        ("Fund NGOs that protect migrant", [2021]),
        ("Train labor inspectors to iden", [2019, 2020]),  # 2020's "(2) " marker dropped
        ("Establish a national referral ", [2020]),
        ("Amend the law to allow victims", [2019]),
    ]
    html = web_app(index).test_client().get("/country/THA").get_data(as_text=True)
    table = html.split('class="data recommendations-history"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 1 + len(rows) and table.count("✓") == 13
    assert 'href="/doc/tip-2020-tha#tip-2020-tha-1-p3"' in table  # the merged one, in its place
    assert "recommendations-history" not in web_app(index).test_client().get("/country/BGD").get_data(as_text=True)
