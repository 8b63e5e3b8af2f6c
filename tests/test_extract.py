import gzip
import re

import pytest

from indexer.errors import ExtractionError
from indexer.extract.files import extract_file
from indexer.extract.html import extract_html
from indexer.extract.pdf import assemble_pdf, extract_pdf, join_lines, read_pdf_part
from indexer.settings import DEFAULTS
from tests.conftest import HRR, PDF_HOSTILE, PDF_REAL, TIP_FIXTURES, shared_path

LIMIT = 20_000_000


def test_real_page_keeps_report_body_only():
    path = shared_path(HRR / "2023" / "chad.html.gz")
    extracted = extract_html(path.read_bytes(), str(path), LIMIT)
    text = " ".join(b.text for b in extracted.blocks)
    assert extracted.headline == "Chad"
    assert extracted.url.endswith("/2023-country-reports-on-human-rights-practices/chad/")
    assert "No FEAR Act" not in text and "Accessibility Statement" not in text
    assert "Bureau of Democracy" not in text  # the tags box
    headings = [b.text for b in extracted.blocks if b.kind == "heading"]
    assert headings[0] == "EXECUTIVE SUMMARY" and "b. Disappearance" in headings


def test_legacy_charset_is_decoded():
    path = TIP_FIXTURES / "2007-haiti.html"
    assert b"restav\xe8ks" in path.read_bytes()
    extracted = extract_html(path.read_bytes(), str(path), LIMIT)
    assert "restavèks" in " ".join(b.text for b in extracted.blocks)


def test_gzip_and_plain_give_the_same_blocks():
    raw = (TIP_FIXTURES / "2019-south-korea.html").read_bytes()
    assert extract_html(gzip.compress(raw), "x.html.gz", LIMIT).blocks == extract_html(raw, "x.html", LIMIT).blocks


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"\x1f\x8b\x08\x00garbage", "gzip"),
        (b"<html><body><nav>menu</nav></body></html>", "no report text"),
    ],
)
def test_bad_html_raises_a_clear_error_naming_the_file(data, reason):
    with pytest.raises(ExtractionError, match=f"bad.html: .*{reason}"):
        extract_html(data, "bad.html", LIMIT)


def test_oversized_page_is_refused():
    with pytest.raises(ExtractionError, match="larger than 100 bytes"):
        extract_html(gzip.compress(b"<p>" + b"x" * 500 + b"</p>"), "big.html.gz", 100)


def test_hyphen_at_line_end_is_joined():
    assert join_lines(["the traf-", "ficking victims"]) == "the trafficking victims"
    assert join_lines(["anti-", "Trafficking"]) == "anti- Trafficking"
    assert join_lines(["ends here.", "Next"]) == "ends here. Next"
    assert join_lines(["a hyphen-", "ated word, then", "a 2-", "digit and a dash -", "here"]) == (
        "a hyphenated word, then a 2- digit and a dash - here"
    )


def test_two_column_pdf_reads_each_column_in_order(tip_pdf):
    extracted = extract_pdf(tip_pdf.read_bytes(), str(tip_pdf))
    text = " ".join(b.text for b in extracted.blocks)
    sentence = (
        r"In case (\d+)\.(\d+), authorities investigated forced labor in the fishing industry "
        r"and in domestic work\."
    )
    found = [(int(p), int(n)) for p, n in re.findall(sentence, text)]
    assert len(found) == 72 and found == sorted(found)
    assert "COUNTRY NARRATIVES" not in text  # running head
    assert "Photo:" not in text  # caption
    assert not re.search(r"\b12[12]\b", text)  # page numbers


def test_pdf_paragraphs_keep_their_page(tip_pdf):
    (narrative,) = extract_file(tip_pdf, DEFAULTS)
    assert (narrative.country, narrative.year, narrative.tier) == ("Burma", 2023, "3")
    protection = next(s for s in narrative.sections if s.keys == ["protection"])
    assert protection.pages[0][1] == 1 and protection.pages[-1][1] == 2


def test_real_three_column_pdf_keeps_sentences_whole():
    path = shared_path(PDF_REAL / "i1040nr.pdf")
    text = " ".join(b.text for b in extract_pdf(path.read_bytes(), str(path)).blocks)
    # Each of these runs across a line break inside one column of the printed page.
    assert "You are a resident for tax purposes if you were a lawful permanent resident" in text
    assert "The type and rule above prints on all proofs" not in text  # running head on every page
    assert "Page 2 of 48" not in text


@pytest.mark.parametrize("name", ["aes-256.pdf", "rc4-128.pdf", "issue-1113-evil-xobjects.pdf"])
def test_hostile_pdfs_fail_alone_with_a_reason(name):
    path = shared_path(PDF_HOSTILE / name)
    with pytest.raises(ExtractionError, match=re.escape(name)):
        extract_pdf(path.read_bytes(), str(path))


def test_non_pdf_named_pdf_is_refused():
    with pytest.raises(ExtractionError, match="not a PDF"):
        extract_pdf(b"<html>hello</html>", "fake.pdf")


@pytest.mark.parametrize("parts", [2, 3])
def test_a_pdf_read_in_parts_gives_what_one_reading_gives(tip_pdf, parts):
    data = tip_pdf.read_bytes()
    whole = extract_pdf(data, "tip.pdf")
    pieces = [read_pdf_part(data, "tip.pdf", part, parts) for part in range(parts)]
    assert sorted(n for piece in pieces for n, _ in piece.pages) == [n for n, _ in read_pdf_part(data, "x").pages]
    assert assemble_pdf("tip.pdf", pieces) == whole


def test_a_pdf_is_read_in_parallel_child_processes_in_a_build(tip_pdf, monkeypatch):
    from dataclasses import replace

    from indexer.extract import files

    parts = []
    real = files.run_isolated
    monkeypatch.setattr(
        files,
        "run_isolated",
        lambda name, function, args, *limits: (
            parts.append((function.__name__, args[2:])) or real(name, function, args, *limits)
        ),
    )
    narratives = extract_file(tip_pdf, replace(DEFAULTS, pdf_procs=3))
    # one child process per part, and one to put them together
    assert sorted(parts) == [("assemble_pdf", ()), *(("read_pdf_part", (part, 3)) for part in range(3))]
    assert narratives == extract_file(tip_pdf, replace(DEFAULTS, pdf_procs=1)) and narratives


def _texts_of(html: str) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in extract_html(html.encode(), "page.html", LIMIT).blocks]


def test_inline_elements_join_as_the_page_shows_them():
    page = (
        "<main><p><b>Child, </b><b>Early</b><b>,</b><b> </b><b>and </b><b>F</b><b>orced</b><b> Marriage</b>"
        "<b>:</b> The minimum age was 18.</p>"
        "<p>See the <i>Trafficking in Persons Report</i><i> </i>at <a href='x'> <span>https://x.gov/</span></a>.</p>"
        "<p>Line one<br>line two<img src='a.png'>after.</p></main>"
    )
    assert _texts_of(page) == [
        ("text", "Child, Early, and Forced Marriage: The minimum age was 18."),
        ("text", "See the Trafficking in Persons Report at https://x.gov/."),
        ("text", "Line one line two after."),
    ]


def test_a_run_of_bold_elements_is_one_lead():
    blocks = extract_html(
        b"<main><p><strong>Prose</strong><strong>cution</strong>: The government</p></main>", "page.html", LIMIT
    ).blocks
    assert blocks[0].lead == "Prosecution"


def test_headings_that_are_links_are_not_headings():
    page = (
        "<main><h3>https://www.state.gov/religiousfreedomreport/Trafficking in Persons</h3><p>See the report.</p>"
        "<h3>https://www.state.gov/reports/x/</h3><p>Text.</p></main>"
    )
    assert _texts_of(page) == [
        ("heading", "Trafficking in Persons"),
        ("text", "See the report."),
        ("text", "https://www.state.gov/reports/x/"),
        ("text", "Text."),
    ]


def test_a_canonical_link_off_state_gov_is_not_the_source():
    page = (
        b'<html><head><link rel="canonical" href="https://evil.example/phish"></head><body><h1>2023 Trafficking '
        b"in Persons Report: Albania</h1><main><p>ALBANIA: Tier 2</p><p>Text of the narrative.</p></main></body>"
        b"</html>"
    )
    assert extract_html(page, "albania.html", 10**6).url == ""
    kept = page.replace(
        b"https://evil.example/phish", b"https://www.state.gov/reports/2023-trafficking-in-persons-report/albania/"
    )
    assert extract_html(kept, "albania.html", 10**6).url.startswith("https://www.state.gov/")


def test_bidirectional_controls_never_reach_the_text():
    page = (
        '<html><head><meta charset="utf-8"></head><body><main>'
        "<p>Victims \u202egnp.exe\u202c were found.</p></main></body></html>"
    ).encode()
    text = " ".join(b.text for b in extract_html(page, "x.html", 10**6).blocks)
    assert "\u202e" not in text and "\u202c" not in text and "gnp.exe" in text
