"""Fetching report editions from state.gov or a mirror of it into ``data/raw/<report>/<year>/``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from indexer import settings
from indexer.fetch.client import PoliteClient
from indexer.fetch.crawl import EditionCrawl, FetchReport
from indexer.fetch.manifest import StoredRobots
from indexer.reports.catalog import CatalogEntry, editions, newest_first


def fetch_editions(report: str, edition_specs: tuple[str, ...], dest: Path, base_url: str | None,
                   delay: float, timeout: float,
                   on_url: Callable[[str, str], None] = lambda url, status: None) -> list[FetchReport]:
    """Fetch the editions ``edition_specs`` names of ``report`` into ``dest``.

    Without ``edition_specs``, the latest edition: the newest year whose landing page is
    there, looking back from this year's (and no further when the site fails to answer).
    """
    client = PoliteClient(delay=delay, timeout=timeout, retries=int(settings.get("fetch_retries")),
                          backoff=float(settings.get("fetch_backoff")), max_bytes=int(settings.get("max_pdf_bytes")))
    client.robots_source = StoredRobots(dest, client.fetch_robots)

    def crawl(entry: CatalogEntry) -> FetchReport:
        return EditionCrawl(entry, dest / entry.report / str(entry.year), client, base_url, on_url).run()

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
