"""The ``tipsearch`` command: the library's commands (``indexer.cli``) plus ``serve`` and ``run``.

This is the composition root: the only place where the indexer and the web app meet.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click
from waitress import serve

from indexer.cli import INDEX_OPTION, fetch_and_report, fetch_options, given, index_and_report, main
from indexer.search.handle import open_build
from indexer.settings import Settings
from webapp import create_app
from webapp.workers import serve_in_workers

__all__ = ["main"]


LOOPBACK = {"127.0.0.1": "127.0.0.1", "localhost": "localhost", "::1": "[::1]"}


def served_at(settings: Settings, host: str, port: int) -> Settings:
    """The settings of an app served on ``host``:``port``: on a loopback address, and without
    TIPSEARCH_PUBLIC_URL, links read elsewhere (feeds, files) name that address, the only one it has."""
    if settings.public_url or host not in LOOPBACK:
        return settings
    return replace(settings, public_url=f"http://{LOOPBACK[host]}:{port}")


def _serve(settings: Settings, host: str, port: int) -> None:
    settings = served_at(settings, host, port)
    workers, threads = settings.web_workers, settings.web_threads
    click.echo(f"serving http://{host}:{port}/ with {workers} worker(s) (Ctrl+C to stop)")
    if workers > 1:
        serve_in_workers(lambda: create_app(settings), f"{host}:{port}", workers, threads)
    else:
        serve(create_app(settings), host=host, port=port, threads=threads)


@main.command("serve")
@INDEX_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True)
@click.pass_obj
def serve_command(settings: Settings, index: Path | None, host: str, port: int) -> None:
    """Serve the search page: waitress, or gunicorn with TIPSEARCH_WEB_WORKERS processes."""
    settings = given(settings, index)
    open_build(settings).close()  # no index, or one of another version: say so before serving
    _serve(settings, host, port)


@main.command("run")
@click.argument("sources", nargs=-1)
@fetch_options
@INDEX_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True)
@click.pass_obj
def run_command(
    settings: Settings,
    sources: tuple[str, ...],
    report: str,
    editions: tuple[str, ...],
    base_url: str | None,
    delay: float | None,
    timeout: float | None,
    index: Path | None,
    host: str,
    port: int,
) -> None:
    """Fetch, index and serve: SOURCES are folders or files of saved pages and PDFs, or mirror URLs.

    Without SOURCES, fetches the latest edition (or --edition) from state.gov into data/raw.
    """
    settings = given(settings, index, delay, timeout)
    urls: list[str | None] = [s for s in sources if s.startswith(("http://", "https://"))]
    paths = [Path(s) for s in sources if s not in urls]
    if base_url:
        urls.append(base_url)
    if urls or not paths:
        for url in urls or [None]:
            paths += [e.folder for e in fetch_and_report(report, editions, settings.raw, url, settings)]
    index_and_report(tuple(paths), settings, add=False)
    _serve(settings, host, port)
