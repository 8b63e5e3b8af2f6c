"""The library's commands: fetch, index, update, search, show, tiers, status, rollback.

``webapp.cli`` adds ``serve`` and ``run`` to make the ``tipsearch`` command.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import os
import re
import sys
import urllib.parse
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from indexer.errors import NothingIndexed, TipsearchError
from indexer.fetch import fetch_editions
from indexer.fetch.crawl import FetchReport
from indexer.index.home import IndexHome
from indexer.index.writer import build_index
from indexer.reports.catalog import reports
from indexer.search.engine import SearchRequest, SearchResponse, get_narrative, narrative_json, search
from indexer.search.exports import csv_lines, every_match, export_rows
from indexer.search.facets import SORTS
from indexer.search.handle import OpenBuild, index_status, open_build
from indexer.search.history import tier_history
from indexer.search.query import Filters, split_filters
from indexer.search.recommendations import recommendations_of
from indexer.settings import Settings
from indexer.update import last_run, run_update

INDEX_OPTION = click.option(
    "--index",
    "index",
    type=click.Path(path_type=Path),
    default=None,
    help="Index directory [default: TIPSEARCH_INDEX, data/index].",
)


EXIT_IO_ERROR = 74  # EX_IOERR: a file could not be read or written (a full disk)
EXIT_BROKEN_PIPE = 141  # as a command the shell's SIGPIPE ended: 128 + 13


def _stop_writing_stdout() -> None:
    """Point standard output at /dev/null: what is left in its buffer is not written at exit (and fails)."""
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):  # no real file under a test runner
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


class _Commands(click.Group):
    """A command group that turns a ``TipsearchError`` into ``error: ...`` on stderr and its exit code, and an
    error of the file system (a full disk, a folder it may not write) into one line naming the file."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except TipsearchError as error:
            click.secho(f"error: {error}", fg="red", err=True)
            ctx.exit(error.exit_code)
        except BrokenPipeError:  # the reader stopped reading (``| head``): no error, as other tools
            _stop_writing_stdout()
            ctx.exit(EXIT_BROKEN_PIPE)
        except OSError as error:
            where = f": {error.filename}" if error.filename else ""
            click.secho(f"error: {error.strerror or error}{where}", fg="red", err=True)
            ctx.exit(EXIT_IO_ERROR)


@click.group(cls=_Commands)
@click.version_option(package_name="tipsearch")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Search the State Department's Trafficking in Persons and Human Rights country reports."""
    os.umask(os.umask(0) | 0o022)  # what it writes (builds, pages, caches) is never writable by others
    ctx.obj = Settings.from_environment()


def given(
    settings: Settings, index: Path | None = None, delay: float | None = None, timeout: float | None = None
) -> Settings:
    """The settings with what the command line gave instead (``--index``, ``--delay``, ``--timeout``)."""
    changes: dict[str, Any] = {"index": index, "fetch_delay": delay, "fetch_timeout": timeout}
    return replace(settings, **{name: value for name, value in changes.items() if value is not None})


def _warn(message: str) -> None:
    tqdm.write(click.style(message, fg="yellow") if sys.stderr.isatty() else message, file=sys.stderr)


def fetch_and_report(
    report: str, editions: tuple[str, ...], dest: Path, base_url: str | None, settings: Settings
) -> list[FetchReport]:
    """Fetch editions, print one summary line each; exit 1 when an edition gave no narratives."""
    with tqdm(desc="fetching", unit="url", disable=None, leave=False, file=sys.stderr) as bar:
        fetched = fetch_editions(report, editions, dest, base_url, settings, lambda url, status: bar.update())
    for edition in fetched:
        for url, reason in edition.skipped + edition.failures:
            _warn(f"failed: {url}: {reason}")
        click.echo(
            f"{edition.report} {edition.year}: {edition.new} new, {edition.changed} changed, "
            f"{edition.unchanged} unchanged, {len(edition.failures)} failed, "
            f"{len(edition.skipped)} disallowed by robots.txt; {edition.narrative_files} narrative "
            f"pages and {edition.pdf_files} PDFs in {edition.folder}; {edition.requests} requests, "
            f"{edition.downloaded:,} bytes downloaded"
        )
    if not all(e.narrative_files or e.pdf_files for e in fetched):
        click.secho(
            "error: no narratives found for "
            + ", ".join(f"{e.report} {e.year}" for e in fetched if not (e.narrative_files or e.pdf_files)),
            fg="red",
            err=True,
        )
        sys.exit(1)
    return fetched


FETCH_OPTIONS = [
    click.option("--report", default="tip", show_default=True, type=click.Choice(reports()), help="Which report."),
    click.option(
        "--edition",
        "editions",
        multiple=True,
        metavar="YEAR",
        help="Edition year or range (2016-2019); repeatable. [default: the latest]",
    ),
    click.option("--base-url", default=None, metavar="URL", help="Read from this mirror of state.gov instead."),
    click.option(
        "--delay",
        type=click.FloatRange(min=0),
        default=None,
        help="Seconds between requests [default: TIPSEARCH_FETCH_DELAY, 1].",
        metavar="SECONDS",
    ),
    click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        default=None,
        metavar="SECONDS",
        help="Seconds to wait for an answer [default: TIPSEARCH_FETCH_TIMEOUT, 30].",
    ),
]


def fetch_options(command):
    for option in reversed(FETCH_OPTIONS):
        command = option(command)
    return command


@main.command("fetch")
@fetch_options
@click.option(
    "--dest",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder to save into [default: TIPSEARCH_RAW, data/raw].",
)
@click.pass_obj
def fetch_command(
    settings: Settings,
    report: str,
    editions: tuple[str, ...],
    base_url: str | None,
    delay: float | None,
    timeout: float | None,
    dest: Path | None,
) -> None:
    """Download report editions (narrative pages and PDFs) from state.gov or a mirror.

    Saves under DEST/<report>/<year>/. A second run asks only for what changed.
    """
    fetch_and_report(report, editions, dest or settings.raw, base_url, given(settings, delay=delay, timeout=timeout))


def index_and_report(paths: tuple[Path, ...], settings: Settings, add: bool, force: bool = False) -> None:
    """Build the index and print its summary; raise ``NothingIndexed`` when no file held a narrative."""
    home = IndexHome.of(settings)

    def progress(items, total: int):
        return tqdm(items, total=total, desc="indexing", unit="file", disable=None, leave=False, file=sys.stderr)

    def on_failure(_path: str, reason: str) -> None:
        _warn(f"failed: {reason}")

    with home.lock():
        report = build_index(
            list(paths), home, settings, add=add, force=force, progress=progress, on_failure=on_failure
        )
    for path, note in report.capped:
        _warn(f"capped: {path}: {note}")
    if report.unchanged:
        click.echo(
            f"nothing changed in {report.files} files; build {report.build_id} stays current "
            f"({report.seconds:.1f}s; --force rebuilds)"
        )
        return
    read = (
        f"the {report.indexed_files} changed of {report.files} files" if report.incremental else f"{report.files} files"
    )
    click.echo(
        f"indexed {report.narratives} narratives ({report.sections} sections) from {read} into {home.root} "
        f"in {report.seconds:.1f}s; {len(report.failures)} failed"
        + (f"; {report.reused} narratives kept from the current build" if report.incremental else "")
        + (f"; {report.repeated} PDF narratives already read from pages" if report.repeated else "")
    )
    if not report.narratives + report.reused:
        raise NothingIndexed("nothing could be indexed")


@main.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@INDEX_OPTION
@click.option("--add", is_flag=True, help="Add to the existing index instead of rebuilding it.")
@click.option("--force", is_flag=True, help="Rebuild even when the files and code are those of the current build.")
@click.pass_obj
def index_command(settings: Settings, paths: tuple[Path, ...], index: Path | None, add: bool, force: bool) -> None:
    """Index report pages (.html, .html.gz) and PDFs in PATHS (files or folders) [default: data/raw].

    A rebuild over the same files with the same code keeps the current build.
    """
    index_and_report(paths or (settings.raw,), given(settings, index), add, force)


def _terminal_snippet(snippet_html: str, colour: bool) -> str:
    marked = re.sub(
        r"<mark>(.*?)</mark>",
        lambda m: click.style(m.group(1), fg="yellow", bold=True) if colour else m.group(1),
        snippet_html,
    )
    return html.unescape(marked)


def _print_response(response: SearchResponse, with_facets: bool, colour: bool) -> None:
    """A search's hits as readable text: title, edition and tier, sections with their snippets; then facets."""
    wider = f" (and {response.wider()} more with some of the words: --any)" if response.wider() else ""
    click.echo(f"{response.count_text()}{wider}; showing {len(response.hits)}")
    for rank, hit in enumerate(response.hits, 1):
        tier = f", {hit.tier_name}" if hit.tier_name else ""
        click.echo(click.style(f"\n{rank}. {hit.heading}", bold=True) if colour else f"\n{rank}. {hit.heading}")
        score = f"  score {hit.score:.2f}" if hit.score else ""
        click.echo(f"   {hit.report} {hit.year or ''}{tier}{score}  id {hit.id}")
        for section in hit.sections:
            page = f" (p. {section.page})" if section.page else ""
            click.echo(f"   § {section.heading}{page}")
            click.echo(f"     {_terminal_snippet(section.snippet, colour)}")
    if with_facets:
        click.echo("\nFacets:")
        for name, counts in response.facets.items():
            shown = ", ".join(f"{c.label} ({c.count})" for c in counts[:12])
            more = f", and {len(counts) - 12} more" if len(counts) > 12 else ""
            click.echo(f"  {name}: {shown or '-'}{more}")


@main.command("search", context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, type=click.UNPROCESSED)
@INDEX_OPTION
@click.option("--report", multiple=True, help="tip or hrr. Each filter may be given several times: any of its values.")
@click.option("--country", multiple=True, help="Country name, alias or ISO3 code.")
@click.option("--year", multiple=True, help="Edition year (2019) or range (2016-2019).")
@click.option("--tier", multiple=True, help="1, 2, 2WL, 3 or special.")
@click.option("--section", multiple=True, help="Section by heading (Women, prosecution) or number (1.c).")
@click.option("--region", multiple=True, help="Region, e.g. 'Western Hemisphere'.")
@click.option("--any", "any_words", is_flag=True, help="Narratives with some of the words, not only those with all.")
@click.option(
    "--limit",
    type=int,
    default=None,
    help="Narratives to show [default: TIPSEARCH_PAGE_SIZE, 10; with filters alone, all of them up to "
    "TIPSEARCH_MAX_LIMIT].",
)
@click.option(
    "--sort", default="relevance", show_default=True, type=click.Choice(SORTS), help="Order of the narratives."
)
@click.option(
    "--facets",
    "with_facets",
    is_flag=True,
    help="Also print how many matches have each report, year, country, region, tier, section.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object per hit (and, with --facets, a last one with the facets).",
)
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="Every match, however many, streamed: a row per section shown, the columns of the web export.",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="With --all: JSON lines, or CSV for spreadsheets.",
)
@click.pass_obj
def search_command(
    settings: Settings,
    query: tuple[str, ...],
    index: Path | None,
    report: tuple[str, ...],
    country: tuple[str, ...],
    year: tuple[str, ...],
    tier: tuple[str, ...],
    section: tuple[str, ...],
    region: tuple[str, ...],
    any_words: bool,
    limit: int | None,
    sort: str,
    with_facets: bool,
    as_json: bool,
    every: bool,
    file_format: str,
) -> None:
    """Search the index, or list what filters alone select. Exit status: 0 with hits, 1 with none, 2 on error."""
    text = " ".join(query)
    if limit is None:
        limit = settings.page_size if split_filters(text, Filters())[0] else settings.max_limit
    request = SearchRequest(
        q=text,
        limit=limit,
        sort=sort,
        filters=Filters(report, country, year, tier, section, region),
        match="any" if any_words else "all",
    )
    if every:
        with open_build(given(settings, index)) as build:
            sys.exit(0 if _stream_every_match(build, request, file_format) else 1)
    with open_build(given(settings, index)) as build:
        response = search(build, request)
    if response.suggestion:
        click.echo(f"Did you mean: {response.suggestion}", err=as_json)
    if as_json:
        for hit in response.hits:
            click.echo(json.dumps(hit.as_json(), ensure_ascii=False))
        if with_facets:
            click.echo(json.dumps({"facets": response.facets_json()}, ensure_ascii=False))
    else:
        _print_response(response, with_facets, colour=sys.stdout.isatty())
    sys.exit(0 if response.hits else 1)


def _stream_every_match(build: OpenBuild, request: SearchRequest, file_format: str) -> int:
    """Print every match of ``request`` as export rows (JSON lines or CSV), a chunk at a time; how many
    narratives matched."""
    total = 0
    address = _section_address(build.settings.public_url, request.q)
    for number, response in enumerate(every_match(build, replace(request, with_suggestion=False))):
        rows = export_rows(response, address)
        if file_format == "csv":
            click.echo(csv_lines(rows, header=number == 0), nl=False)
        else:
            for row in rows:
                click.echo(json.dumps(row, ensure_ascii=False))
        total = response.total
    return total


def _section_address(public_url: str, q: str):
    """(narrative id, anchor) -> that place on the web app at ``public_url`` ("" for none)."""
    query = urllib.parse.urlencode({"q": q}) if q else ""

    def address(narrative: str, anchor: str) -> str:
        page = f"{public_url.rstrip('/')}/doc/{narrative}" + (f"?{query}" if query else "")
        return f"{page}#{anchor}" if public_url else ""

    return address


@main.command("show")
@click.argument("narrative_id")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the narrative as one JSON object.")
@click.pass_obj
def show_command(settings: Settings, narrative_id: str, index: Path | None, as_json: bool) -> None:
    """Print one narrative (an id such as tip-2023-prk) with its sections and recommendations."""
    with open_build(given(settings, index)) as build:
        info, sections = get_narrative(build, narrative_id)
        recommendations = recommendations_of(build, info.report, info.iso3, info.year)
    if as_json:
        click.echo(json.dumps(narrative_json(info, sections, recommendations), ensure_ascii=False))
        return
    tier = f", {info.tier_label}" if info.tier_label else ""
    click.echo(f"{info.title}{tier}\n{info.source}")
    for section in sections:
        page = f" (p. {section.page})" if section.page else ""
        click.echo(f"\n{section.heading}{page}")
        items = section.text.split("\n\n")
        click.echo("\n".join(f"  • {item}" for item in items) if section.is_list else "\n\n".join(items))


@main.command("tiers")
@click.argument("country")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the history as one JSON object.")
@click.pass_obj
def tiers_command(settings: Settings, country: str, index: Path | None, as_json: bool) -> None:
    """A country's Trafficking in Persons Report tier by edition, changes marked."""
    with open_build(given(settings, index)) as build:
        found, history = tier_history(build, country)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "country": found.name,
                    "iso3": found.iso3,
                    "region": found.region,
                    "tiers": [asdict(e) for e in history],
                },
                ensure_ascii=False,
            )
        )
    else:
        click.echo(f"{found.name} ({found.iso3}): {len(history)} editions with a tier")
        for edition in history:
            notes = [edition.change] if edition.change else []
            if edition.watch_list_years > 1:
                notes.append(f"{edition.watch_list_years} consecutive years on the Watch List")
            note = f"  ({'; '.join(notes)})" if notes else ""
            click.echo(f"  {edition.year}  {edition.tier_label or edition.tier}{note}")
    sys.exit(0 if history else 1)


@main.command("update")
@fetch_options
@INDEX_OPTION
@click.pass_obj
def update_command(
    settings: Settings,
    report: str,
    editions: tuple[str, ...],
    base_url: str | None,
    delay: float | None,
    timeout: float | None,
    index: Path | None,
) -> None:
    """The nightly job: fetch what changed, rebuild, validate, publish. Exit 1 when it failed, 75 when busy."""
    settings = given(settings, index, delay, timeout)
    run = run_update(IndexHome.of(settings), settings, report, editions, base_url)
    for what, reason in run.failures:
        _warn(f"failed: {what}: {reason}" if not reason.startswith(what) else f"failed: {reason}")
    for path, note in run.capped:
        _warn(f"capped: {path}: {note}")
    for problem in run.validation:
        _warn(f"not published: {problem}")
    fetched = ", ".join(
        f"{e['report']} {e['year']}: {e['new']} new, {e['changed']} changed, "
        f"{e['unchanged']} unchanged, {e['failed']} failed"
        for e in run.fetched
    )
    click.echo(f"fetched {fetched or 'nothing'}")
    if run.outcome == "unchanged":
        click.echo(f"nothing changed; build {run.build} stays current")
    elif run.outcome == "published":
        n = run.narratives
        click.echo(
            f"published build {run.build}: {n['added']} narratives added, {n['changed']} changed, "
            f"{n['removed']} removed" + (" (from a copy of the previous build)" if run.incremental else "")
        )
    else:
        click.secho(f"error: nothing published; build {run.build or '(none)'} stays current", fg="red", err=True)
        sys.exit(1)


@main.command("rollback")
@INDEX_OPTION
@click.pass_obj
def rollback_command(settings: Settings, index: Path | None) -> None:
    """Publish the build before the current one again."""
    home = IndexHome.of(given(settings, index))
    with home.lock():
        build_id = home.rollback()
    click.echo(f"current build is now {build_id}")


@main.command("status")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the status as one JSON object.")
@click.pass_obj
def status_command(settings: Settings, index: Path | None, as_json: bool) -> None:
    """The current build, its age and counts, and the builds kept for rollback."""
    settings = given(settings, index)
    status = index_status(settings)
    status["last_run"] = last_run(IndexHome.of(settings))
    if as_json:
        click.echo(json.dumps(status, ensure_ascii=False))
        return
    click.echo(
        f"index {status['index']}: build {status['build'] or '(plain index)'}, "
        f"{status['age_seconds'] / 3600:.1f} hours old"
    )
    click.echo(
        f"  {status['narratives']} narratives: "
        + ", ".join(f"{report} {years}" for report, years in status["by_report"].items())
    )
    click.echo("  builds kept: " + (", ".join(status["builds"]) or "none"))
    run = status["last_run"]
    click.echo(f"  last update: {run['outcome']} at {run['ended']}" if run else "  last update: none yet")
