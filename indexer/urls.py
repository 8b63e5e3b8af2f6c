"""Web addresses that come from outside (links, redirects, canonical links), read as the HTTP client reads them.

Python's ``urllib.parse``, urllib3 (which requests connects with) and browsers read some addresses
differently: ``http://a:1\\@b:2/`` is on host ``b`` for ``urlsplit`` but on host ``a`` for urllib3
and for browsers. An address is therefore parsed by urllib3's ``parse_url`` alone, and refused when
it holds what parsers disagree on: a backslash, user info (``user@``), white space or control
characters, a host other than plain letters, digits, dots and hyphens or an IP address, a scheme
other than http and https, or a path segment ``.`` or ``..`` written with percent signs (``%2e%2e``,
``..%2f``, ``..%5c``), which urllib3 passes on and many servers decode and resolve. The address's
``url`` is as the client asks for it, its other dot segments resolved.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin

from urllib3.util import Url, parse_url

DEFAULT_PORTS = {"http": 80, "https": 443}
_PLAIN_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\]")


def web_url(text: str) -> Url | None:
    """``text`` as urllib3 (and so requests) parses it, when it is a plain http or https address; else None."""
    if not text or "\\" in text or any(c.isspace() or not c.isprintable() for c in text):
        return None
    try:
        url = parse_url(text)
    except ValueError:  # urllib3's LocationParseError: no valid host or port
        return None
    plain_host = bool(url.host and _PLAIN_HOST.fullmatch(url.host))
    dot_segment = any(segment in (".", "..") for segment in re.split(r"[/\\]", unquote(url.path or "")))
    return url if url.scheme in DEFAULT_PORTS and url.auth is None and plain_host and not dot_segment else None


def endpoint(url: Url) -> tuple[str, int]:
    """The host (without IPv6 brackets) and port a checked address connects to."""
    return (url.host or "").strip("[]"), url.port or DEFAULT_PORTS[url.scheme or "http"]


def resolve(base: str, reference: str) -> str:
    """``reference`` (a link or a ``Location``) made absolute against ``base``; "" when it cannot be."""
    try:
        return urljoin(base, reference.strip())
    except ValueError:  # an unclosed IPv6 bracket, a port out of range
        return ""
