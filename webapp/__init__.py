"""The tipsearch web front end: ``create_app()`` builds the Flask application."""

from __future__ import annotations

from flask import Flask

from indexer.search.engine import anchor
from indexer.search.handle import OpenBuilds
from indexer.settings import Settings


def create_app(settings: Settings | None = None, **flask_config: object) -> Flask:
    """Build the app on ``settings`` (default: read from the environment); ``flask_config`` is
    Flask's own (``TESTING``)."""
    settings = settings or Settings.from_environment()
    app = Flask(__name__)
    app.config.update(TRUSTED_HOSTS=settings.hosts() or None, **flask_config)
    app.extensions["tipsearch"] = OpenBuilds(settings)

    from webapp import api, explore, feeds, overview, ratelimit, views
    from webapp.errors import register_error_handlers
    from webapp.headers import add_security_headers
    from webapp.searching import give_back_build

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(explore.bp)
    app.register_blueprint(overview.bp)
    app.register_blueprint(feeds.bp)
    register_error_handlers(app)
    ratelimit.install(app, settings.rate_limit, settings.web_workers)
    app.after_request(add_security_headers)
    app.jinja_env.globals["anchor"] = anchor
    app.teardown_appcontext(give_back_build)
    return app
