"""The nightly job: fetch what changed, rebuild from the fetched files, validate, publish.

A run holds the index lock throughout. When nothing was fetched new or changed and a build
is current, nothing is rebuilt, nor when the files and code are those the current build was
made from (``indexer.index.fingerprint``). Otherwise a new build is made from every fetched file (the
extraction cache spares the unchanged ones) and published only if it passes validation: it
opens, each report and year keeps at least ``MIN_SHARE`` of the narratives the current
build has, and golden queries (a sample of the current build's narratives, each searched
by its country, report and year) still find their narratives. Every run writes a JSON
report in the home's ``runs/``.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from indexer.fetch import fetch_editions
from indexer.files import write_atomically
from indexer.index.home import IndexHome
from indexer.index.writer import build_index
from indexer.search.engine import SearchRequest, search
from indexer.search.handle import open_build
from indexer.search.query import Filters
from indexer.settings import Settings

MIN_SHARE = 0.9
GOLDEN_SAMPLE = 20


@dataclass
class RunReport:
    """What one update did."""

    started: str
    ended: str = ""
    outcome: str = ""  # "published", "unchanged" or "failed"
    build: str = ""  # the build current after the run
    previous_build: str = ""
    fetched: list[dict] = field(default_factory=list)  # per edition: new, changed, unchanged, failed
    narratives: dict[str, int] = field(default_factory=dict)  # added, changed, removed
    incremental: bool = False  # the build published was a copy of the previous one with the changed pages indexed
    failures: list[list[str]] = field(default_factory=list)  # [what, reason]
    capped: list[list[str]] = field(default_factory=list)  # [file, what of a narrative was read otherwise]
    validation: list[str] = field(default_factory=list)  # why a build was not published
    seconds: dict[str, float] = field(default_factory=dict)


def _narratives(build: Path, settings: Settings) -> dict[str, tuple[str, str]]:
    """Narrative id -> (edition as ``report year``, content hash) of a build."""
    with open_build(settings, build) as opened:
        return {
            f["narrative"]: (f"{f['report']} {f['year']}", f["content_hash"])
            for f in opened.searcher.documents(kind="narrative")
        }


def validate(new: Path, previous: Path | None, settings: Settings) -> list[str]:
    """Why ``new`` must not replace ``previous`` (empty when it may)."""
    try:
        new_ids = _narratives(new, settings)
    except Exception as error:  # a build that does not open is the first thing to catch
        return [f"the new build does not open: {error}"]
    if previous is None:
        return [] if new_ids else ["the new build holds no narrative"]
    old_ids = _narratives(previous, settings)
    problems = []
    before, after = Counter(e for e, _ in old_ids.values()), Counter(e for e, _ in new_ids.values())
    for edition, count in sorted(before.items()):
        if after[edition] < MIN_SHARE * count:
            problems.append(f"{edition}: {after[edition]} narratives, down from {count}")
    sample = sorted(n for n in old_ids if n in new_ids)[:: max(1, len(old_ids) // GOLDEN_SAMPLE)][:GOLDEN_SAMPLE]
    with open_build(settings, new) as opened:
        for narrative in sample:
            hit = next(iter(opened.searcher.documents(narrative=narrative, kind="narrative")))
            if not hit["iso3"]:
                continue
            found = search(
                opened,
                SearchRequest(
                    q=hit["country"],
                    limit=5,
                    filters=Filters(report=(hit["report"],), country=(hit["iso3"],), year=(str(hit["year"]),)),
                ),
            ).hits
            if narrative not in [h.id for h in found]:
                problems.append(f"golden query for {narrative} no longer finds it")
    return problems


def run_update(
    home: IndexHome,
    settings: Settings,
    report: str,
    editions: tuple[str, ...],
    base_url: str | None,
    progress=lambda items, total: items,
) -> RunReport:
    """One update run under the home's lock, fetching into the ``raw`` folder; its report is also
    written to the home's ``runs/``, a run that fails with an error included (the error is raised after)."""
    run = RunReport(started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    with home.lock():
        previous = home.current()
        run.previous_build = run.build = previous.name if previous else ""
        try:
            if _fetch(run, settings, report, editions, base_url) or not previous:
                _build(run, home, settings, previous, progress)
            else:
                run.outcome = "unchanged"
        except Exception as error:  # a fault of the run itself (a full disk, a bug): in its report, then raised
            run.outcome = "failed"
            run.failures.append(["update", f"{type(error).__name__}: {error}"])
            with contextlib.suppress(OSError):  # the disk may be what is full
                _finish(home, run)
            raise
        return _finish(home, run)


def _fetch(run: RunReport, settings: Settings, report: str, editions: tuple[str, ...], base_url: str | None) -> bool:
    """Fetch the editions into the ``raw`` folder; whether anything new or changed came."""
    clock = time.perf_counter()
    fetched = fetch_editions(report, editions, settings.raw, base_url, settings)
    run.seconds["fetch"] = round(time.perf_counter() - clock, 2)
    run.fetched = [
        {
            "report": e.report,
            "year": e.year,
            "new": e.new,
            "changed": e.changed,
            "unchanged": e.unchanged,
            "failed": len(e.failures),
        }
        for e in fetched
    ]
    run.failures += [[url, reason] for e in fetched for url, reason in e.failures]
    return any(e.new or e.changed for e in fetched)


def _build(run: RunReport, home: IndexHome, settings: Settings, previous: Path | None, progress) -> None:
    """Build from the ``raw`` folder, validated against ``previous``; publish it, and count what changed."""
    clock = time.perf_counter()
    built = build_index(
        [settings.raw], home, settings, progress=progress, validate=lambda build: validate(build, previous, settings)
    )
    run.seconds["build_and_validate"] = round(time.perf_counter() - clock, 2)
    run.failures += [[path, reason] for path, reason in built.failures]
    run.capped += [[path, note] for path, note in built.capped]
    run.validation = built.rejected
    if built.unchanged or not built.build_id:
        run.outcome = "unchanged" if built.unchanged else "failed"
        return
    run.build, run.outcome, run.incremental = built.build_id, "published", built.incremental
    old = _narratives(previous, settings) if previous else {}
    new = _narratives(home.searched(), settings)
    run.narratives = {
        "added": len(new.keys() - old.keys()),
        "removed": len(old.keys() - new.keys()),
        "changed": sum(1 for n in new.keys() & old.keys() if new[n][1] != old[n][1]),
    }


def _finish(home: IndexHome, run: RunReport) -> RunReport:
    run.ended = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    name = run.started.replace(":", "") + f"-{run.outcome}.json"
    write_atomically(home.runs / name, json.dumps(asdict(run), indent=1).encode())
    return run


def last_run(home: IndexHome) -> dict | None:
    """The newest run report of an index home, or None."""
    reports = sorted(home.runs.glob("*.json")) if home.runs.is_dir() else []
    return json.loads(reports[-1].read_text(encoding="utf-8")) if reports else None
