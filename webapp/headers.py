"""Security headers added to every response, errors included."""

from flask import Response, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000"


def security_headers() -> dict[str, str]:
    """The headers every answer carries (HSTS aside), for answers made outside Flask."""
    return {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cache-Control": "no-cache",
    }


def add_security_headers(response: Response) -> Response:
    """Set CSP, nosniff, framing, referrer, permissions and caching headers on ``response`` (HSTS over HTTPS).

    Pages are revalidated on every use (``no-cache``): a new build changes them; static files keep
    the caching Flask gives them.
    """
    for name, value in security_headers().items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response
