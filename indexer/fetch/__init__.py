"""Fetching report editions from state.gov or a mirror of it into ``data/raw/<report>/<year>/``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from indexer.fetch.client import PoliteClient
from indexer.fetch.crawl import EditionCrawl, FetchReport
from indexer.fetch.manifest import StoredRobots
from indexer.reports.catalog import CatalogEntry, editions, newest_first
from indexer.settings import Settings


def fetch_editions(
    report: str,
    edition_specs: tuple[str, ...],
    dest: Path,
    base_url: str | None,
    settings: Settings,
    on_url: Callable[[str, str], None] = lambda url, status: None,
) -> list[FetchReport]:
    """Fetch the editions ``edition_specs`` names of ``report`` into ``dest``.

    Without ``edition_specs``, the latest edition: the newest year whose landing page is
    there, looking back from this year's (and no further when the site fails to answer).
    ``settings`` give the delay, timeout, retries and size limits.
    """
    client = PoliteClient(
        delay=settings.fetch_delay,
        timeout=settings.fetch_timeout,
        retries=settings.fetch_retries,
        backoff=settings.fetch_backoff,
        max_bytes=settings.max_html_bytes,
        max_pdf_bytes=settings.max_pdf_bytes,
    )
    client.robots_source = StoredRobots(dest, client.fetch_robots)

    def crawl(entry: CatalogEntry) -> FetchReport:
        return EditionCrawl(
            entry, dest / entry.report / str(entry.year), client, base_url, settings.max_html_bytes, on_url
        ).run()

    try:
        if edition_specs:
            return [crawl(entry) for entry in editions(report, edition_specs)]
        attempts = []
        for entry in newest_first(report):
            attempts.append(crawl(entry))
            if attempts[-1].landing or attempts[-1].site_failed:
                return attempts[-1:]
        return attempts[:1]
    finally:
        client.close()
