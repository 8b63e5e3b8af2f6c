"""The tipsearch web front end: ``create_app()`` builds the Flask application."""

from __future__ import annotations

from flask import Flask

from indexer import settings


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then ``instance/config.py``, then ``TIPSEARCH_*`` env, then ``test_config``."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(INDEX=str(settings.get("index")), PAGE_SIZE=int(settings.get("page_size")),
                            RATE_LIMIT=int(settings.get("rate_limit")), WORKERS=1)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("TIPSEARCH")
    if test_config:
        app.config.update(test_config)

    from webapp import api, explore, ratelimit, views
    from webapp.errors import register_error_handlers
    from webapp.headers import add_security_headers

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(explore.bp)
    register_error_handlers(app)
    ratelimit.install(app, int(app.config["RATE_LIMIT"]), int(app.config["WORKERS"]))
    app.after_request(add_security_headers)
    return app
