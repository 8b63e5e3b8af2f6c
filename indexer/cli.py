"""The ``tipsearch`` command: index, search, tiers, serve, run."""

from __future__ import annotations

import html
import json
import re
import sys
from dataclasses import asdict
from pathlib import Path

import click
from tqdm import tqdm

from indexer import settings
from indexer.build import build_index
from indexer.errors import TipsearchError
from indexer.history import tier_history
from indexer.query import Filters
from indexer.search import SearchRequest, search
from indexer.store import index_dir, open_searcher

INDEX_OPTION = click.option("--index", "index", envvar="TIPSEARCH_INDEX", type=click.Path(path_type=Path),
                            default=None, help="Index directory [default: data/index].")


def _fail(error: TipsearchError) -> None:
    click.secho(f"error: {error}", fg="red", err=True)
    sys.exit(error.exit_code)


@click.group()
@click.version_option(package_name="tipsearch")
def main() -> None:
    """Search the State Department's Trafficking in Persons and Human Rights country reports."""


def _index(paths: tuple[Path, ...], index: Path | None, add: bool) -> int:
    """Build the index and print its summary; return the number of narratives indexed."""
    target = index_dir(index)

    def progress(items, total: int):
        return tqdm(items, total=total, desc="indexing", unit="file", disable=None, leave=False, file=sys.stderr)

    def on_failure(_path: str, reason: str) -> None:
        message = f"failed: {reason}"
        tqdm.write(click.style(message, fg="yellow") if sys.stderr.isatty() else message, file=sys.stderr)

    report = build_index(list(paths), target, add=add, progress=progress, on_failure=on_failure)
    click.echo(f"indexed {report.narratives} narratives ({report.sections} sections) from "
               f"{report.files} files into {target} in {report.seconds:.1f}s; "
               f"{len(report.failures)} failed")
    return report.narratives


@main.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@INDEX_OPTION
@click.option("--add", is_flag=True, help="Add to the existing index instead of rebuilding it.")
def index_command(paths: tuple[Path, ...], index: Path | None, add: bool) -> None:
    """Index report pages (.html, .html.gz) and PDFs in PATHS (files or folders)."""
    if not _index(paths, index, add):
        click.secho("error: nothing could be indexed", fg="red", err=True)
        sys.exit(1)


def _terminal_snippet(snippet_html: str, colour: bool) -> str:
    marked = re.sub(r"<mark>(.*?)</mark>",
                    lambda m: click.style(m.group(1), fg="yellow", bold=True) if colour else m.group(1),
                    snippet_html)
    return html.unescape(marked)


@main.command("search")
@click.argument("query", nargs=-1)
@INDEX_OPTION
@click.option("--report", default="", help="tip, hrr or other.")
@click.option("--country", default="", help="Country name, alias or ISO3 code.")
@click.option("--year", default="", help="Edition year (2019) or range (2016-2019).")
@click.option("--tier", default="", help="1, 2, 2WL, 3 or special.")
@click.option("--section", default="", help="Section, e.g. prosecution or 'section 6'.")
@click.option("--region", default="", help="Region, e.g. 'Western Hemisphere'.")
@click.option("--limit", default=10, show_default=True, help="Narratives to show.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per hit.")
def search_command(query: tuple[str, ...], index: Path | None, report: str, country: str, year: str,
                   tier: str, section: str, region: str, limit: int, as_json: bool) -> None:
    """Search the index. Exit status: 0 with hits, 1 with none, 2 on error."""
    request = SearchRequest(q=" ".join(query), limit=limit,
                            filters=Filters(report, country, year, tier, section, region))
    try:
        with open_searcher(index) as searcher:
            response = search(searcher, request)
    except TipsearchError as error:
        _fail(error)
    if as_json:
        for hit in response.hits:
            click.echo(json.dumps(hit.as_json(), ensure_ascii=False))
    else:
        colour = sys.stdout.isatty()
        click.echo(f"{response.total} narratives match; showing {len(response.hits)}")
        for rank, hit in enumerate(response.hits, 1):
            tier = f", {hit.tier_label}" if hit.tier_label else ""
            click.echo(click.style(f"\n{rank}. {hit.title}", bold=True) if colour else f"\n{rank}. {hit.title}")
            click.echo(f"   {hit.report} {hit.year or ''}{tier}  score {hit.score:.2f}  id {hit.id}")
            for section in hit.sections:
                page = f" (p. {section.page})" if section.page else ""
                click.echo(f"   § {section.heading}{page}")
                click.echo(f"     {_terminal_snippet(section.snippet, colour)}")
    sys.exit(0 if response.hits else 1)


@main.command("tiers")
@click.argument("country")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the history as one JSON object.")
def tiers_command(country: str, index: Path | None, as_json: bool) -> None:
    """A country's Trafficking in Persons Report tier by edition, changes marked."""
    try:
        with open_searcher(index) as searcher:
            found, history = tier_history(searcher, country)
    except TipsearchError as error:
        _fail(error)
    if as_json:
        click.echo(json.dumps({"country": found.name, "iso3": found.iso3, "region": found.region,
                               "tiers": [asdict(e) for e in history]}, ensure_ascii=False))
    else:
        click.echo(f"{found.name} ({found.iso3}): {len(history)} editions with a tier")
        for edition in history:
            notes = [edition.change] if edition.change else []
            if edition.watch_list_years > 1:
                notes.append(f"{edition.watch_list_years} consecutive years on the Watch List")
            note = f"  ({'; '.join(notes)})" if notes else ""
            click.echo(f"  {edition.year}  {edition.tier_label or edition.tier}{note}")
    sys.exit(0 if history else 1)


def _serve(index: Path | None, host: str, port: int) -> None:
    from waitress import serve

    from webapp import create_app

    app = create_app({"INDEX": str(index_dir(index))})
    click.echo(f"serving http://{host}:{port}/ (Ctrl+C to stop)")
    serve(app, host=host, port=port, threads=int(settings.get("web_threads")))


@main.command("serve")
@INDEX_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True)
def serve_command(index: Path | None, host: str, port: int) -> None:
    """Serve the search page with waitress."""
    try:
        open_searcher(index).close()
    except TipsearchError as error:
        _fail(error)
    _serve(index, host, port)


@main.command("run")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@INDEX_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True)
def run_command(sources: tuple[Path, ...], index: Path | None, host: str, port: int) -> None:
    """Index SOURCES (folders or files of report pages and PDFs), then serve the search page."""
    if not _index(sources, index, add=False):
        click.secho("error: nothing could be indexed", fg="red", err=True)
        sys.exit(1)
    _serve(index, host, port)
