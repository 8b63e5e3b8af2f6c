"""Every tunable value in one frozen ``Settings`` object, read once from the environment.

A value comes from ``TIPSEARCH_<NAME>`` (upper case), else its default. ``Settings.from_environment``
is the only place in the package that reads ``os.environ``; the command line and the web app each
read the settings once and pass them to what needs them.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from indexer.errors import TipsearchError

SHIPPED = files("indexer") / "data"  # stopwords, spellings, countries, the editions catalog


def _setting(default: Any, help_text: str) -> Any:
    return field(default=default, metadata={"help": help_text})


@dataclass(frozen=True)
class Settings:
    """The settings of a run; ``dataclasses.replace`` gives a changed copy."""

    index: Path = _setting(Path("data/index"), "Directory of the index (a relative path starts at the working folder).")
    raw: Path = _setting(Path("data/raw"), "Directory fetched report pages and PDFs are saved in (and indexed from).")
    max_query_length: int = _setting(1000, "Longest query string accepted, in characters.")
    max_clauses: int = _setting(100, "Most words and phrases one query may hold.")
    max_prefixes: int = _setting(5, "Most prefixes (word*) one query may hold.")
    max_proximity: int = _setting(3, 'Most phrases with ~N ("a b"~5) one query may hold.')
    max_page: int = _setting(100, "Deepest result page that may be requested.")
    page_size: int = _setting(10, "Narratives per result page (web app and command line).")
    max_limit: int = _setting(200, "Most narratives one search may return.")
    sections_per_hit: int = _setting(3, "Matching sections shown under each narrative.")
    snippet_sentences: int = _setting(2, "Sentences in one snippet.")
    max_html_bytes: int = _setting(5_000_000, "Largest HTML page extracted, in bytes (after decompression).")
    max_pdf_bytes: int = _setting(200_000_000, "Largest PDF file extracted, in bytes.")
    pdf_timeout: float = _setting(300.0, "Seconds one PDF's extraction may take before it is stopped.")
    pdf_procs: int = _setting(2, "Child processes laying out the pages of one PDF at once.")
    pdf_memory_mb: int = _setting(2048, "Memory one PDF's extraction may add to its process, in MB.")
    builds_to_keep: int = _setting(3, "Index builds kept (the current one included) for rollback.")
    prune_grace: float = _setting(60.0, "Seconds an old build outlives its successor's publication before removal.")
    index_procs: int = _setting(2, "Worker processes used to build the index.")
    index_memory_mb: int = _setting(256, "Memory per index worker before it flushes a segment, in MB.")
    rebuild_share: float = _setting(
        0.05, "Share of a build's documents that changed pages may leave deleted in it before the next build is whole."
    )
    web_workers: int = _setting(2, "Processes serving web requests (gunicorn); 1 serves from one waitress process.")
    web_threads: int = _setting(8, "Threads serving web requests in each process.")
    rate_limit: int = _setting(1000, "Web requests a minute from one client before 429 (0: no limit).")
    trusted_hosts: str = _setting("", "Host names the web app answers, comma-separated (empty: any).")
    public_url: str = _setting(
        "",
        "Address the web app is served at, for links in feeds, files and the OpenSearch description "
        "(empty: from the Host header if trusted_hosts is set, else from the site's root; "
        "tipsearch serve on a loopback address sets it).",
    )
    fetch_delay: float = _setting(1.0, "Seconds between two requests to a site when fetching.")
    fetch_timeout: float = _setting(30.0, "Seconds to wait for a server's answer when fetching.")
    fetch_retries: int = _setting(3, "Retries of a request that failed for a transient reason.")
    fetch_backoff: float = _setting(1.0, "Backoff factor between retries, in seconds (doubles each retry).")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """The settings given by ``TIPSEARCH_*`` variables, defaults for the rest; a bad value names its variable."""
        values: dict[str, Any] = {}
        for setting in dataclasses.fields(cls):
            variable = f"TIPSEARCH_{setting.name.upper()}"
            if variable in environ:
                kind: type = type(setting.default)
                try:
                    values[setting.name] = kind(environ[variable])
                except ValueError:
                    raise TipsearchError(f"{variable} must be {kind.__name__}, not {environ[variable]!r}") from None
        return cls(**values)

    def hosts(self) -> list[str]:
        """The trusted host names, or an empty list (any host)."""
        return [host.strip() for host in self.trusted_hosts.split(",") if host.strip()]


DEFAULTS = Settings()


def described() -> list[tuple[str, str, str, str]]:
    """(name, variable, default, help) of every setting, for the documentation."""
    return [
        (s.name, f"TIPSEARCH_{s.name.upper()}", str(s.default), s.metadata["help"])
        for s in dataclasses.fields(Settings)
    ]
