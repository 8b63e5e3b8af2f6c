"""Addresses of the app's pages for what is read away from the page that links them: feeds, exported
files, the OpenSearch description.

They are absolute under ``TIPSEARCH_PUBLIC_URL`` when it is set, and from the request's Host header
only when ``TIPSEARCH_TRUSTED_HOSTS`` limits it to names the app answers; otherwise they start at the
site's root (``/doc/...``), which a feed reader resolves against the feed's own address. A Host header
a client chose never names another site in them.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from webapp.searching import open_builds


def external_url(endpoint: str, **values: Any) -> str:
    """The address of ``endpoint`` with ``values``, for a feed, a file or a description read elsewhere."""
    settings = open_builds().settings
    if settings.public_url:
        return settings.public_url.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=bool(settings.hosts()), **values)
