"""Domain errors and HTTP errors -> an HTML page or, under /api/, a JSON body."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, SecurityError

from indexer.errors import TipsearchError


def _respond(status: int, message: str, headers: dict | None = None):
    if request.path.startswith("/api/"):
        return jsonify({"error": message, "status": status}), status, headers or {}
    return render_template("error.html", status=status, message=message), status, headers or {}


def register_error_handlers(app: Flask) -> None:
    """Map TipsearchError subclasses and HTTP errors to responses in one place."""

    @app.errorhandler(TipsearchError)
    def domain_error(error: TipsearchError):
        return _respond(error.http_status, str(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if isinstance(error, SecurityError):  # a Host outside TRUSTED_HOSTS: no page, its links would name it
            return "400 Bad Request: host not served here", 400, {"Content-Type": "text/plain; charset=utf-8"}
        retry_after = getattr(error, "retry_after", None)
        return _respond(
            error.code or 500,
            error.description or error.name,
            {"Retry-After": str(retry_after)} if retry_after else None,
        )
