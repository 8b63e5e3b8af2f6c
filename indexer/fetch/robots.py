"""robots.txt as this crawler reads it (RFC 9309): its first ``ROBOTS_BYTES``, each line on its own.

Python's parser raises on some lines it half-accepts (``Crawl-delay: ²`` is a digit to
``str.isdigit`` but not to ``int``; a rule ``Disallow: http://[::1`` is no URL), and a site's file
would then stop every crawl of it, again on every run. Such lines are left out; the rest is obeyed.
Only the lines of directives whose values the parser converts are tried, so a file of blank lines or
comments costs what reading it does.
"""

from __future__ import annotations

from urllib.robotparser import RobotFileParser

ROBOTS_BYTES = 500 * 1024  # of a robots.txt read: RFC 9309 asks crawlers to read at least this much
CONVERTED = {"allow", "disallow", "crawl-delay", "request-rate"}  # the directives whose lines are tried


def parse_robots(text: str | None, url: str) -> RobotFileParser:
    """The rules of a robots.txt at ``url`` (``None``: the site has none, so everything is allowed)."""
    parser = RobotFileParser(url)
    parser.parse(_readable_lines(text[:ROBOTS_BYTES]) if text else [])
    return parser


def _converts(line: str) -> bool:
    """Whether ``line`` is a directive whose value Python's parser converts (a path, a number), so may raise."""
    field, colon, _ = line.split("#", 1)[0].partition(":")
    return bool(colon) and field.strip().lower() in CONVERTED


def _readable_lines(text: str) -> list[str]:
    """The lines of ``text`` (a byte-order mark aside, which would hide the first) that Python's parser reads."""
    readable = []
    for line in text.removeprefix("\ufeff").splitlines():
        if _converts(line):
            try:
                RobotFileParser().parse(["User-agent: *", line])  # in a group, where every directive is read
            except ValueError:
                continue
        readable.append(line)
    return readable
