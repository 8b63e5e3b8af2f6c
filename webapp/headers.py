"""Security headers added to every response, errors included."""

from flask import Response, request

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000"


def add_security_headers(response: Response) -> Response:
    """Set CSP, nosniff, framing, referrer, permissions and caching headers on ``response`` (HSTS over HTTPS).

    Pages are revalidated on every use (``no-cache``): a new build changes them; static files keep
    the caching Flask gives them.
    """
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    response.headers.setdefault("Cache-Control", "no-cache")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response
