"""A polite HTTP client: one User-Agent, a delay between requests, retries, robots.txt.

Built on requests; urllib3's Retry does the retrying with exponential backoff (and
honours Retry-After, up to one timeout) for connection errors, timeouts and 429/5xx answers. Every request,
its headers and body, must end within ``DEADLINE_TIMEOUTS`` timeouts however slowly a
server sends (``indexer.fetch.deadline``), and every answer is read up to a size limit.
"""

from __future__ import annotations

import math
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import metadata

import requests
from requests.utils import select_proxy
from urllib3.exceptions import ConnectTimeoutError, HTTPError, MaxRetryError, NewConnectionError, ReadTimeoutError
from urllib3.util import Url
from urllib3.util.retry import Retry

from indexer.compressed import gunzip
from indexer.errors import TipsearchError
from indexer.fetch.deadline import Deadline, DeadlineAdapter
from indexer.fetch.robots import ROBOTS_BYTES, parse_robots
from indexer.urls import DEFAULT_PORTS, endpoint, resolve, web_url

RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_REDIRECTS = 5
DEADLINE_TIMEOUTS = 4  # a request, headers and body, must end within this many timeouts
PDF_HEADER_BYTES = 1024  # where a PDF's header may be, as readers accept it
MAX_CRAWL_DELAY = 60.0  # seconds: a robots.txt asking for more would hold a nightly run (and its lock) for ever
# NewConnectionError is also a ConnectTimeoutError, for history's sake, but is no timeout.
TIMEOUTS = (TimeoutError, requests.exceptions.Timeout, ReadTimeoutError, ConnectTimeoutError)


def user_agent() -> str:
    """``tipsearch/<version> (+<homepage>)``."""
    meta = metadata("tipsearch")
    homepage = next(
        (
            url.split(",", 1)[1].strip()
            for url in meta.get_all("Project-URL") or []
            if url.lower().startswith("homepage")
        ),
        "",
    )
    return f"tipsearch/{meta['Version']} (+{homepage})"


def _answered_from(response: requests.Response) -> tuple[str, int]:
    """The host and port of the connection an answer came through, as urllib3 connected it."""
    pool = response.raw._pool  # the connection pool of that host and port; the connection itself may be released
    return (pool.host.strip("[]"), int(pool.port)) if pool is not None and pool.port else ("", 0)


def _decoded(url: str, encoding: str, body: bytes, limit: int, cut: bool) -> bytes:
    """A body as sent with ``encoding`` (a Content-Encoding), decoded within ``limit`` (``cut`` there)."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity") or not body:  # nothing sent is nothing, whatever its encoding
        return body
    if encoding not in ("gzip", "x-gzip"):
        raise FetchError(url, f"sent in an encoding not asked for ({encoding[:40]})")
    try:
        return gunzip(body, limit, whole=not cut)
    except ValueError as exc:
        raise FetchError(url, str(exc)) from None


def _starts_as_pdf(head: bytes, encoding: str) -> bool:
    """Whether a body whose first bytes as sent are ``head`` is a PDF: ``%PDF-`` in its first KiB, decoded."""
    if encoding.strip().lower() in ("gzip", "x-gzip"):
        head = gunzip(head, PDF_HEADER_BYTES, whole=False)
    return b"%PDF-" in head[:PDF_HEADER_BYTES]


class FetchError(TipsearchError):
    """A URL that could not be fetched; the message names it and says why."""

    def __init__(self, url: str, reason: str, status: int = 0) -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.reason, self.status = url, reason, status


@dataclass
class Answer:
    """A fetched URL: the final URL after redirects, status (200 or 304), validators, body."""

    url: str
    status: int
    etag: str
    last_modified: str
    body: bytes


def _site(url: Url) -> tuple[str, int | None]:
    """The host and port a checked address is on, ``www.`` aside and a scheme's own port as none: redirects may
    move within a site, and from http to https, but not to another host or port."""
    port = None if url.port in (None, DEFAULT_PORTS[url.scheme or "http"]) else url.port
    return (url.host or "").removeprefix("www."), port


def _checked(url: str) -> Url:
    """``url`` as the HTTP client parses it; FetchError when parsers could read it as different addresses."""
    checked = web_url(url)
    if checked is None:
        why = "backslash, user info, space, control character or %2e segment"
        raise FetchError(url, f"not a plain http or https address ({why})")
    return checked


class PoliteClient:
    """GETs URLs at most one per ``delay`` seconds, with retries, honouring robots.txt.

    An answer is read up to ``max_bytes``, and a PDF (asked for as one, or said to be one by its
    Content-Type) up to ``max_pdf_bytes`` (``max_bytes`` when 0), counting the bytes both as
    sent and as decoded.
    """

    def __init__(
        self, delay: float, timeout: float, retries: int, backoff: float, max_bytes: int, max_pdf_bytes: int = 0
    ) -> None:
        self.delay, self.timeout, self.max_bytes, self.retries = delay, timeout, max_bytes, retries
        self.max_pdf_bytes = max_pdf_bytes or max_bytes
        self.requests = 0
        self.downloaded = 0
        self._next_request = 0.0
        self._robots: dict[str, urllib.robotparser.RobotFileParser | FetchError] = {}
        # Where robots.txt text comes from (None: the site has none); a fetch may keep copies.
        self.robots_source: Callable[[str], str | None] = self._robots_text
        self.session = requests.Session()
        self.agent = user_agent()
        self.session.headers["User-Agent"] = self.agent
        self.session.headers["Accept-Encoding"] = "gzip"  # decoded here, within the size limit
        retry = Retry(
            total=retries,
            backoff_factor=backoff,
            status_forcelist=RETRY_STATUSES,
            allowed_methods={"GET"},
            respect_retry_after_header=True,
            retry_after_max=max(1, math.ceil(timeout)),  # a server asking for hours would hold the run (and lock)
            raise_on_status=False,
        )
        self.deadline = Deadline()
        adapter = DeadlineAdapter(self.deadline, max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        self.session.close()

    def _wait_turn(self) -> None:
        pause = self._next_request - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        self._next_request = time.monotonic() + self.delay

    def _request(self, url: str, headers: dict[str, str], obey_robots: bool) -> requests.Response:
        """The answer to a GET of ``url``, redirects followed one at a time: only on the same site
        (``www.`` aside), each target checked against robots.txt, at most ``MAX_REDIRECTS``."""
        checked = _checked(url)
        for _ in range(MAX_REDIRECTS + 1):
            response = self._request_once(url, checked, headers)
            if not response.is_redirect:
                return response
            location = response.headers.get("Location", "")
            response.close()
            resolved = resolve(url, location)
            target = web_url(resolved)
            if target is None or _site(target) != _site(checked):
                raise FetchError(url, f"redirected off the site, to {location!r}")
            url, checked = resolved, target
            if obey_robots and not self.allowed(url):
                raise FetchError(url, f"redirected to {url}, disallowed by robots.txt")
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")

    def _request_once(self, url: str, checked: Url, headers: dict[str, str]) -> requests.Response:
        """One GET of ``url``, whose answer must come from the host and port ``checked`` names (or a proxy's)."""
        self._wait_turn()
        self.requests += 1
        self.deadline.start(self.timeout * DEADLINE_TIMEOUTS)
        try:
            response = self.session.get(url, headers=headers, timeout=self.timeout, stream=True, allow_redirects=False)
        except requests.exceptions.RequestException as exc:
            if self.deadline.passed:
                raise FetchError(url, f"no complete answer within {self.timeout * DEADLINE_TIMEOUTS:g} s") from None
            cause = exc.args[0].reason if exc.args and isinstance(exc.args[0], MaxRetryError) else exc
            timed_out = isinstance(cause, TIMEOUTS) and not isinstance(cause, NewConnectionError)
            reason = f"no answer within {self.timeout:g} s" if timed_out else f"cannot connect ({type(cause).__name__})"
            raise FetchError(url, f"{reason}, {self.retries} retries included") from None
        except ValueError as exc:  # requests reads a redirect's Location even when it does not follow it
            raise FetchError(url, f"redirected to an address that cannot be read ({exc})") from None
        answered = _answered_from(response)
        if answered != endpoint(checked) and answered != self._proxy_endpoint(url):
            response.close()
            raise FetchError(url, f"answered from {answered[0]}:{answered[1]}, not from the address checked")
        return response

    def _proxy_endpoint(self, url: str) -> tuple[str, int] | None:
        """The host and port of the proxy requests goes through for ``url`` (from the environment), if any."""
        proxies = self.session.merge_environment_settings(url, {}, None, None, None)["proxies"]
        proxy = web_url(select_proxy(url, proxies) or "")
        return endpoint(proxy) if proxy else None

    def _read(self, url: str, response: requests.Response, limit: int, cut: bool = False) -> bytes:
        """The body, read as it arrives up to ``limit`` bytes as sent, then decoded (gzip, the one encoding asked
        for) up to ``limit`` bytes: refused beyond, or ``cut`` there. Only a body that starts as a PDF is read or
        decoded past the page limit. The request's deadline ends a slow download."""
        encoding = response.headers.get("Content-Encoding", "")
        chunks: list[bytes] = []
        size, past_page_limit = 0, False
        try:
            while chunk := response.raw.read1(65536, decode_content=False):
                size += len(chunk)
                if size > self.max_bytes and not past_page_limit and size <= limit:
                    if not _starts_as_pdf(b"".join(chunks) + chunk, encoding):
                        raise FetchError(url, f"larger than {self.max_bytes} bytes and no PDF")
                    past_page_limit = True
                if size > limit:
                    if not cut:
                        raise FetchError(url, f"larger than {limit} bytes")
                    chunks.append(chunk[: limit - size + len(chunk)])
                    break
                chunks.append(chunk)
        except (requests.exceptions.RequestException, HTTPError, OSError) as exc:
            if not self.deadline.passed:
                raise FetchError(url, f"download broke off ({type(exc).__name__})") from None
        finally:
            response.close()
            self.downloaded += size
        if self.deadline.passed:
            raise FetchError(url, f"download took longer than {self.timeout * DEADLINE_TIMEOUTS:g} s")
        body = b"".join(chunks)
        if limit > self.max_bytes and not past_page_limit and not _starts_as_pdf(body, encoding):
            limit = self.max_bytes  # no PDF, so no more than a page once decoded
        return _decoded(url, encoding, body, limit, cut)

    def get(
        self, url: str, etag: str = "", last_modified: str = "", obey_robots: bool = True, pdf: bool = False
    ) -> Answer:
        """GET ``url`` (a ``pdf`` when asked as one), conditionally when validators are given; 304 gives an empty
        body."""
        if obey_robots and not self.allowed(url):
            raise FetchError(url, "disallowed by robots.txt")
        return self._get(url, etag, last_modified, obey_robots, lambda response: (self._limit(response, pdf), False))

    def _limit(self, response: requests.Response, pdf: bool) -> int:
        said = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        return self.max_pdf_bytes if pdf or said == "application/pdf" else self.max_bytes

    def _get(
        self,
        url: str,
        etag: str,
        last_modified: str,
        obey_robots: bool,
        limit: Callable[[requests.Response], tuple[int, bool]],
    ) -> Answer:
        """GET ``url``, its body read up to ``limit(response)``: (bytes, whether to cut the body there)."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            response = self._request(url, headers, obey_robots)
            if response.status_code == 304:
                response.close()
                return Answer(
                    response.url,
                    304,
                    response.headers.get("ETag", etag),
                    response.headers.get("Last-Modified", last_modified),
                    b"",
                )
            if response.status_code != 200:
                response.close()
                retried = f", {self.retries} retries included" if response.status_code in RETRY_STATUSES else ""
                raise FetchError(url, f"HTTP {response.status_code} {response.reason}{retried}", response.status_code)
            body = self._read(url, response, *limit(response))
        finally:
            self.deadline.stop()
        return Answer(
            response.url, 200, response.headers.get("ETag", ""), response.headers.get("Last-Modified", ""), body
        )

    def allowed(self, url: str) -> bool:
        """Whether robots.txt of ``url``'s site lets this tool fetch it (read once per site)."""
        checked = _checked(url)
        origin = f"{checked.scheme}://{checked.netloc}"
        if origin not in self._robots:
            try:
                self._robots[origin] = self._rules(origin)
            except FetchError as error:  # asked once: the site's other URLs fail the same way
                self._robots[origin] = error
        rules = self._robots[origin]
        if isinstance(rules, FetchError):
            raise rules
        return rules.can_fetch(self.agent, checked.url)  # the path asked for, ``..`` resolved

    def fetch_robots(self, origin: str, etag: str = "", last_modified: str = "") -> Answer | None:
        """A site's robots.txt as RFC 9309 reads it: None when missing (4xx), an error when unreachable."""
        try:
            return self._get(f"{origin}/robots.txt", etag, last_modified, False, lambda _: (ROBOTS_BYTES, True))
        except FetchError as error:
            if 400 <= error.status < 500:
                return None
            raise FetchError(error.url, f"{error.reason}; not crawling a site whose rules cannot be read") from None

    def _robots_text(self, origin: str) -> str | None:
        answer = self.fetch_robots(origin)
        return answer.body.decode("utf-8", "replace") if answer else None

    def _rules(self, origin: str) -> urllib.robotparser.RobotFileParser:
        parser = parse_robots(self.robots_source(origin), f"{origin}/robots.txt")
        crawl_delay = parser.crawl_delay(self.agent)
        if crawl_delay:
            self.delay = max(self.delay, min(float(crawl_delay), MAX_CRAWL_DELAY))
        return parser
