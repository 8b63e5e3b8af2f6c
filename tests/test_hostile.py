"""Hostile files fail alone, each with a reason naming it, while the rest is indexed."""

from __future__ import annotations

import gzip
import os
import shutil

import pytest

from indexer.errors import ExtractionError
from indexer.extract.isolated import run_isolated
from tests.conftest import PDF_HOSTILE, TIP_FIXTURES, index_files, shared_path
from tests.fixtures.tip_pdf import write_tip_pdf


@pytest.fixture
def hostile_folder(tmp_path):
    """Good pages and a good PDF beside every kind of bad file."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(TIP_FIXTURES / "2019-south-korea.html", folder / "good.html")
    good_pdf = write_tip_pdf(folder / "good.pdf")
    bad = {
        "bomb.html.gz": gzip.compress(b" " * 60_000_000, compresslevel=9),  # 60 MB of blanks in 60 KB
        "nested.html": b"<html><body>" + b"<div>" * 200_000 + b"deep" + b"</div>" * 200_000 + b"</body></html>",
        "truncated.pdf": good_pdf.read_bytes()[: good_pdf.stat().st_size // 2],
        "empty.pdf": b"",
        "empty.html": b"",
        "not-a-pdf.pdf": b"<html><body><p>This is HTML named .pdf</p></body></html>",
    }
    for name, data in bad.items():
        (folder / name).write_bytes(data)
    return folder, set(bad)


def _failures(report):
    return {path.rsplit("/", 1)[-1]: reason for path, reason in report.failures}


def test_every_bad_file_fails_alone_with_a_reason(hostile_folder, tmp_path):
    folder, bad = hostile_folder
    shared = shared_path(PDF_HOSTILE)
    for path in shared.iterdir():
        shutil.copy(path, folder / f"shared-{path.name}")
    report = index_files([folder], tmp_path / "index")
    failed = _failures(report)
    assert bad <= set(failed), failed
    assert {"shared-aes-256.pdf", "shared-rc4-128.pdf"} <= set(failed)  # the others may yield some text
    assert all(name in reason for name, reason in failed.items())
    assert "good.html" not in failed and "good.pdf" not in failed
    assert report.narratives >= 2


def test_a_pdf_that_takes_too_long_is_stopped(hostile_folder, tmp_path, monkeypatch):
    folder, _ = hostile_folder
    monkeypatch.setenv("TIPSEARCH_PDF_TIMEOUT", "0.001")
    failed = _failures(index_files([folder / "good.pdf", folder / "good.html"], tmp_path / "index"))
    assert set(failed) == {"good.pdf"} and "took longer than 0.001 s and was stopped" in failed["good.pdf"]


def _allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


def test_an_extraction_that_needs_too_much_memory_is_stopped():
    assert run_isolated("small.pdf", _allocate, (5,), timeout=30, memory_mb=200) == 5 * 1024 * 1024
    with pytest.raises(ExtractionError, match="huge.pdf: extraction needed more than the 50 MB memory cap"):
        run_isolated("huge.pdf", _allocate, (500,), timeout=30, memory_mb=50)


def test_an_extraction_that_crashes_is_reported_not_raised():
    with pytest.raises(ExtractionError, match=r"odd.pdf: ZeroDivisionError"):
        run_isolated("odd.pdf", divmod, (1, 0), timeout=30, memory_mb=200)


@pytest.mark.parametrize(
    "extra", ["fmt=x", "_method=POST", "_external=1", "_scheme=https", "_anchor=x", "page=x&page=2"]
)
def test_stray_parameters_never_reach_the_links_of_a_search_page(client, extra):
    answer = client.get(f"/search?q=labor&{extra}", headers={"Host": "evil.example"})
    assert answer.status_code in (200, 400)
    html = answer.get_data(as_text=True)
    assert "evil.example" not in html and "_external" not in html and "fmt=x" not in html


def test_the_lock_file_is_never_a_link_to_another_file(tmp_path):
    from indexer.errors import TipsearchError
    from indexer.index.locking import index_lock

    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "index.lock").symlink_to(victim)
    with pytest.raises(TipsearchError, match="symbolic link"), index_lock(tmp_path / "index"):
        pass
    assert victim.read_text() == "keep me"


def test_cached_pickles_are_private_and_a_folder_others_may_write_is_not_trusted(tmp_path):
    import os
    import stat

    from indexer.extract import cache as extract_cache

    old = os.umask(0)
    try:
        extract_cache.store(tmp_path / "cache", "k", [])
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "cache" / "k.pickle").stat().st_mode) == 0o600
    assert extract_cache.load(tmp_path / "cache", "k") == []
    (tmp_path / "cache").chmod(0o777)
    assert extract_cache.load(tmp_path / "cache", "k") is None


def test_files_a_command_writes_are_not_writable_by_others_whatever_the_umask(tmp_path):
    import os
    import stat

    from click.testing import CliRunner

    from webapp.cli import main

    old = os.umask(0)
    try:
        result = CliRunner().invoke(main, ["index", str(TIP_FIXTURES), "--index", str(tmp_path / "index")])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    written = [p for p in tmp_path.rglob("*") if not p.is_symlink()]
    assert written and not [p for p in written if stat.S_IMODE(p.stat().st_mode) & 0o002]


def test_a_full_disk_leaves_no_half_written_build(tmp_path, monkeypatch):
    import errno

    from whoosh.writing import SegmentWriter

    from indexer.index.home import IndexHome
    from indexer.settings import Settings

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    def cancel_then_fail(writer, cancel=SegmentWriter.cancel):  # cancelling fails too on a full disk
        cancel(writer)
        full()

    monkeypatch.setattr(SegmentWriter, "add_document", full)
    monkeypatch.setattr(SegmentWriter, "cancel", cancel_then_fail)
    with pytest.raises(OSError) as raised:
        index_files([TIP_FIXTURES], tmp_path / "index", Settings(index_procs=1))
    assert raised.value.filename.startswith(str(tmp_path / "index" / "builds"))  # the error says where
    assert not IndexHome(tmp_path / "index").builds()
    assert not [p for p in (tmp_path / "index").rglob("*") if p.is_file() and p.name != "index.lock"]


def test_a_cache_entry_that_cannot_be_written_leaves_no_partial_file(tmp_path, monkeypatch):
    import errno

    from indexer.extract import cache as extract_cache

    real_fdopen = os.fdopen

    class FullDisk:  # the file opens; writing to it fails
        def __init__(self, handle, mode):
            self.file = real_fdopen(handle, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdopen", FullDisk)
    with pytest.raises(OSError):
        extract_cache.store(tmp_path / "cache", "k", [])
    assert not list((tmp_path / "cache").iterdir())


def test_a_cache_entry_that_cannot_be_written_fails_no_file(tmp_path, monkeypatch):
    import errno

    from indexer.extract import cache as extract_cache
    from indexer.extract.files import extract_file
    from indexer.settings import Settings

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(extract_cache, "store", full)
    page = next(TIP_FIXTURES.glob("*.html"))
    assert extract_file(page, Settings(), tmp_path / "cache")  # parsed all the same; only not kept


def test_text_placed_absurdly_far_on_a_page_costs_no_more_than_a_normal_page():
    import tracemalloc

    from indexer.extract.pdf import Line, _gutters

    lines = [Line(0, y, 200, y + 10, "left column", 10, False, 1) for y in range(0, 700, 12)]
    lines += [Line(300, y, 500, y + 10, "right column", 10, False, 1) for y in range(0, 700, 12)]
    assert _gutters(lines) == [250.5]
    hostile = lines + [
        Line(-1e9, 5, -1e9 + 10, 15, "far left", 10, False, 1),
        Line(1e12, 5, 1e12 + 10, 15, "far right", 10, False, 1),
    ]
    tracemalloc.start()
    _gutters(hostile)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5_000_000


def test_a_page_of_millions_of_elements_is_refused_quickly():
    import time

    from indexer.extract.html import MAX_ELEMENTS, extract_html

    page = b"<html><body><main>" + b"<span>x</span>" * (MAX_ELEMENTS + 1) + b"<p>text</p></main></body></html>"
    started = time.monotonic()
    with pytest.raises(ExtractionError, match="elements"):
        extract_html(page, "huge.html", 10**8)
    assert time.monotonic() - started < 5


def test_the_worst_queries_a_client_can_send_do_bounded_work(hrr_2023, monkeypatch):
    # What they cost in time, on the same pages: scripts/page_timings.py --hostile (docs/benchmarks.md).
    from indexer.index.analysis import STOPWORDS
    from indexer.search import passages, policy
    from indexer.search.engine import SearchRequest, search
    from tests.conftest import opened

    read, expanded = [], []
    real_postings, real_expansion = passages._Scorer.postings, policy._expansion

    def counted(scorer, field, term, allowed):
        docs, weights = real_postings(scorer, field, term, allowed)
        read.append(len(docs))
        return docs, weights

    monkeypatch.setattr(passages._Scorer, "postings", counted)
    monkeypatch.setattr(
        policy, "_expansion", lambda reader, prefix: expanded.append(real_expansion(reader, prefix)) or expanded[-1]
    )
    with opened(hrr_2023[0]) as build:
        words = sorted(
            ((w.decode(), i.doc_frequency()) for w, i in build.searcher.reader().iter_field("exact")),
            key=lambda entry: -entry[1],
        )
        common = [w for w, _ in words if w.isalpha() and len(w) > 3 and w not in STOPWORDS][:99]
        worst = [
            SearchRequest(q=" ".join(common)),  # every common word of the reports
            SearchRequest(q='"' + " ".join(f"qz{n}xv" for n in range(124)) + '"'),  # nonsense, one clause
            SearchRequest(q="pro* con* dis* com* tra*"),  # the most prefixes allowed, the commonest
            SearchRequest(q="forced labor", limit=200, sort="country"),  # the longest page
        ]
        for request in worst:
            read.clear()
            response = search(build, request)
            assert response.total or request.q.startswith('"qz'), request.q[:40]
            largest = max(read, default=0)
            assert sum(read) <= passages.POSTINGS_BUDGET + largest, request.q[:40]  # the rarest words first
        assert expanded and max(map(len, expanded)) == policy.PREFIX_TERMS


def _bloated_assembly(name, parts):
    return bytearray(500 * 1024 * 1024)


def _endless_assembly(name, parts):
    import time

    time.sleep(30)


@pytest.mark.parametrize(
    "assembly, limits, reason",
    [
        (_bloated_assembly, {"TIPSEARCH_PDF_MEMORY_MB": "100"}, "more than the 100 MB memory cap"),
        (_endless_assembly, {"TIPSEARCH_PDF_TIMEOUT": "3"}, "took longer than 3 s"),
    ],
)
def test_putting_a_pdf_together_is_sandboxed_too(tmp_path, monkeypatch, assembly, limits, reason):
    from indexer.extract import files

    (tmp_path / "in").mkdir()
    pdf = write_tip_pdf(tmp_path / "in" / "report.pdf")
    shutil.copy(TIP_FIXTURES / "2019-south-korea.html", tmp_path / "in" / "good.html")
    monkeypatch.setattr(files, "assemble_pdf", assembly)
    for name, value in limits.items():
        monkeypatch.setenv(name, value)
    report = index_files([pdf.parent], tmp_path / "index")
    assert reason in _failures(report)["report.pdf"]
    assert report.narratives == 1


def test_a_paragraph_of_a_hundred_pages_is_joined_looking_at_line_ends_only(monkeypatch):
    from indexer.extract import pdf
    from indexer.extract.pdf import Line, _blocks

    searched = []
    real = pdf._HYPHENATED

    class Watched:
        def search(self, text):
            searched.append(len(text))
            return real.search(text)

    monkeypatch.setattr(pdf, "_HYPHENATED", Watched())
    words = ["case {} of traf-", "ficking {} and"]
    lines = [
        Line(50, 740 - 12 * (i % 60), 500, 750 - 12 * (i % 60), words[i % 2].format(i), 10, False, 1 + i // 60)
        for i in range(6000)
    ]
    blocks = _blocks([lines[i : i + 60] for i in range(0, 6000, 60)], 10)
    assert len(blocks) == 1 and blocks[0].text.startswith("case 0 of trafficking 1 and case 2 of trafficking 3")
    assert len(searched) == 5999 and max(searched) <= 2


def test_a_page_of_endless_gzip_members_is_refused_after_a_few(tmp_path, monkeypatch):
    import zlib

    from indexer.compressed import MAX_MEMBERS
    from indexer.extract.html import extract_html

    decoders = []
    real = zlib.decompressobj
    monkeypatch.setattr(zlib, "decompressobj", lambda *args: decoders.append(1) or real(*args))
    nothing = gzip.compress(b"") * 200_000  # 4 MB that decode to no byte at all
    with pytest.raises(ExtractionError, match=f"more than {MAX_MEMBERS} gzip members"):
        extract_html(nothing, "empty.html.gz", 5_000_000)
    assert len(decoders) == MAX_MEMBERS
    page = gzip.compress(b"<html><body><main><p>First part. ") + gzip.compress(b"Second part.</p></main></body></html>")
    assert extract_html(page, "two.html.gz", 5_000_000).blocks[0].text == "First part. Second part."


def test_recommendations_past_the_paragraph_cap_stay_in_their_section(monkeypatch):
    from indexer.extract.html import extract_html
    from indexer.reports import narratives

    monkeypatch.setattr(narratives, "MOST_PARAGRAPHS", 6)
    items = "; ".join(f"recommendation {n}" for n in range(8))
    page = (
        "<h2>Trafficking Profile</h2>"
        + "".join(f"<p>Profile {n}.</p>" for n in range(4))
        + f"<h2>Prioritized Recommendations</h2><p>{items}.</p><p>Last word.</p>"
        + "<h2>Prosecution</h2><p>Prosecution text.</p><h2>Protection</h2><h2>Prevention</h2><p>Prevention text.</p>"
    )
    data = f"<html><body><main>{page}</main></body></html>".encode()
    (narrative,) = narratives.build_narratives(extract_html(data, "capped.html", 5_000_000), "capped.html", "")
    by_key = {s.keys[-1]: s.text for s in narrative.sections}
    recommendations = by_key["prioritized-recommendations"]
    assert all(f"ecommendation {n}" in recommendations for n in range(8)) and "Last word." in recommendations
    assert by_key["prosecution"] == "Prosecution text." and by_key["prevention"] == "Prevention text."


def test_a_file_of_endless_country_narratives_makes_a_bounded_number_and_says_so():
    from indexer.extract.html import extract_html
    from indexer.reports import narratives

    names = ["Burma", "Thailand", "Cambodia", "Laos", "Vietnam", "Malaysia", "Nepal", "India"]
    page = "".join(
        f"<h2>{names[n % 8]}: Tier 3</h2><h3>Prosecution</h3><p>Police report {n}.</p><p>More {n}.</p>"
        for n in range(20_000)
    )
    data = f"<html><body><main>{page}</main></body></html>".encode()
    made = narratives.build_narratives(extract_html(data, "countries.html", 5_000_000), "countries.html", "")
    sections = [s for n in made for s in n.sections]
    assert len(made) == narratives.MOST_NARRATIVES and len(sections) <= narratives.MOST_FILE_SECTIONS
    assert sum(len(s.text.split("\n\n")) for s in sections) <= narratives.MOST_FILE_PARAGRAPHS + len(sections)
    text = "\n\n".join(s.text for s in sections)
    assert "Police report 0." in text and "Police report 19999. More 19999." in text  # nothing is lost
    notes = [note for n in made for note in n.capped]
    assert f"19500 country headings past {narratives.MOST_NARRATIVES} narratives read as headings" in notes


def test_a_page_of_endless_headings_makes_a_bounded_number_of_sections_and_says_so(tmp_path):
    from click.testing import CliRunner

    from indexer.extract.html import extract_html
    from indexer.reports.narratives import MOST_PARAGRAPHS, MOST_SECTIONS, build_narratives
    from webapp.cli import main

    page = "".join(f"<h2>Heading {n}</h2><p>Police report {n}.</p>" for n in range(45_000))
    data = f"<html><body><main>{page}</main></body></html>".encode()
    (narrative,) = build_narratives(extract_html(data, "headings.html", 5_000_000), "headings.html", "")
    paragraphs = sum(len(s.text.split("\n\n")) for s in narrative.sections)
    assert len(narrative.sections) == MOST_SECTIONS and paragraphs <= MOST_PARAGRAPHS + MOST_SECTIONS
    text = "\n\n".join(s.text for s in narrative.sections)
    assert "Police report 0." in text and "Heading 44999 Police report 44999." in text  # nothing is lost
    joined = 45_000 + 44_500 - paragraphs  # the headings read as text are paragraphs too
    assert narrative.capped == [
        f"44500 headings past {MOST_SECTIONS} sections read as text",
        f"{joined} paragraphs past {MOST_PARAGRAPHS} joined",
    ]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "headings.html").write_bytes(data)
    result = CliRunner().invoke(main, ["index", str(tmp_path / "in"), "--index", str(tmp_path / "index")])
    assert result.exit_code == 0, result.output
    assert "capped: " in result.output and "44500 headings past 500 sections read as text" in result.output
