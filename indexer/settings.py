"""One registry of settings: every tunable value with its default and help text.

Values are read from the environment as ``TIPSEARCH_<NAME>`` (upper case) by
:func:`get`, which is the only place in the indexer that reads ``os.environ``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.resources import files

from indexer.errors import TipsearchError

SHIPPED = files("indexer") / "data"  # stopwords, spellings, countries, the editions catalog


@dataclass(frozen=True)
class Setting:
    """A named setting with a default value and a line of help."""

    name: str
    default: object
    help: str


SETTINGS = {
    s.name: s
    for s in [
        Setting("index", "data/index", "Directory of the index (a relative path starts at the working directory)."),
        Setting("max_query_length", 1000, "Longest query string accepted, in characters."),
        Setting("max_clauses", 100, "Most words and phrases one query may hold."),
        Setting("max_prefix_terms", 50, "Most words one prefix* expands to (the most frequent)."),
        Setting("max_prefixes", 5, "Most prefixes (word*) one query may hold."),
        Setting("max_page", 100, "Deepest result page that may be requested."),
        Setting("page_size", 10, "Narratives per result page in the web app."),
        Setting("max_limit", 200, "Most narratives one search may return."),
        Setting("sections_per_hit", 3, "Matching sections shown under each narrative."),
        Setting("snippet_sentences", 2, "Sentences in one snippet."),
        Setting("max_html_bytes", 5_000_000, "Largest HTML page extracted, in bytes (after decompression)."),
        Setting("max_pdf_bytes", 200_000_000, "Largest PDF file extracted, in bytes."),
        Setting("pdf_timeout", 300.0, "Seconds one PDF's extraction may take before it is stopped."),
        Setting("pdf_procs", 2, "Child processes laying out the pages of one PDF at once."),
        Setting("pdf_memory_mb", 2048, "Memory one PDF's extraction may add to its process, in MB."),
        Setting("builds_to_keep", 3, "Index builds kept (the current one included) for rollback."),
        Setting("prune_grace", 60.0, "Seconds an old build outlives its successor's publication before removal."),
        Setting("index_procs", 2, "Worker processes used to build the index."),
        Setting("web_workers", 2, "Processes serving web requests (gunicorn); 1 serves from one waitress process."),
        Setting("web_threads", 8, "Threads serving web requests in each process."),
        Setting("rate_limit", 1000, "Web requests a minute from one client before 429 (0: no limit)."),
        Setting("index_memory_mb", 256, "Memory per index worker before it flushes a segment, in MB."),
        Setting("raw", "data/raw", "Directory fetched report pages and PDFs are saved in (and indexed from)."),
        Setting("fetch_delay", 1.0, "Seconds between two requests to a site when fetching."),
        Setting("fetch_timeout", 30.0, "Seconds to wait for a server's answer when fetching."),
        Setting("fetch_retries", 3, "Retries of a request that failed for a transient reason."),
        Setting("fetch_backoff", 1.0, "Backoff factor between retries, in seconds (doubles each retry)."),
    ]
}


def get(name: str) -> object:
    """Return a setting's value: ``TIPSEARCH_<NAME>`` from the environment, else its default."""
    setting = SETTINGS[name]
    variable = f"TIPSEARCH_{name.upper()}"
    raw = os.environ.get(variable)
    if raw is None:
        return setting.default
    try:
        return type(setting.default)(raw)
    except ValueError:
        raise TipsearchError(f"{variable} must be {type(setting.default).__name__}, not {raw!r}") from None
