"""Addresses of the app's pages for what is read away from the page that links them: feeds, exported
files, the OpenSearch description.

They are absolute under ``TIPSEARCH_PUBLIC_URL`` when it is set, and from the request's Host header
only when it is exactly a name (and port) ``TIPSEARCH_TRUSTED_HOSTS`` lists; otherwise they start at
the site's root (``/doc/...``), which a feed reader resolves against the feed's own address. A Host
header a client chose never names another site, or another port, in them.
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from webapp.searching import open_builds


def _host_is_listed() -> bool:
    """Whether the request's Host, its port included, is one the trusted hosts list: Flask's check of
    TRUSTED_HOSTS passes any port."""
    host = request.host
    return any(
        host == name or (name.startswith(".") and host.endswith(name)) for name in open_builds().settings.hosts()
    )


def external_url(endpoint: str, **values: Any) -> str:
    """The address of ``endpoint`` with ``values``, for a feed, a file or a description read elsewhere."""
    settings = open_builds().settings
    if settings.public_url:  # the address the app is served at, the path it is mounted under included
        return settings.public_url.rstrip("/") + url_for(endpoint, **values).removeprefix(request.script_root)
    return url_for(endpoint, _external=_host_is_listed(), **values)
