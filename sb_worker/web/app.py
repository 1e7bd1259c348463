"""The web application: the API, the review page and the public page (`sb api` for development; gunicorn
"sb_worker.web.app:wsgi()" in production), with what every route shares: IDs PostgreSQL can hold, a body limit,
text that can be stored, and errors as one clear line."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, jsonify, request
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter

from sb_worker import runtime, untrusted
from sb_worker.errors import BadInput, SpamBrainzError, Unavailable
from sb_worker.settings import Settings
from sb_worker.web import api, marks, public, review, workbench  # noqa: F401 -- workbench adds routes to review's blueprint
from sb_worker.web.actions import WebError
from sb_worker.web.checks import MAX_BODY

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def create_app(settings: Settings | None = None) -> Flask:
    """The Flask application; reads the settings (and opens nothing) until the first request."""
    app = Flask("spambrainz")
    app.url_map.converters["int"] = _DatabaseId  # before any route: an ID PostgreSQL cannot hold is a 404
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.register_blueprint(api.blueprint)
    app.register_blueprint(review.blueprint)
    app.register_blueprint(public.blueprint)
    if settings is not None:
        runtime.configure(settings)
    # Every text a template prints (names, websites, notes, appeals: what accounts wrote) shows invisible and
    # direction-changing characters as code points; marked-up text (marks.highlight) has done so already.
    app.jinja_env.finalize = lambda value: marks.visible(value) if type(value) is str else value
    app.jinja_env.filters["points"] = marks.points
    app.before_request(_storable_text)
    for error, handler in _HANDLERS.items():
        app.register_error_handler(error, handler)
    return app


def wsgi() -> Flask:
    """The application for gunicorn: `gunicorn 'sb_worker.web.app:wsgi()'`."""
    return create_app()


def _storable_text() -> None:
    """Query parameters, form fields and path parts that cannot be stored as text are a 400, on every route."""
    form = request.form if request.mimetype in _FORM_TYPES else MultiDict()
    values = [(f"the query parameter {k[:40]!r}", v) for k, v in request.args.items(multi=True)]
    values += [(f"the form field {k[:40]!r}", v) for k, v in form.items(multi=True)]
    values += [("a query parameter or form field name", k) for k in [*request.args, *form]]
    values += [(f"the path's {k}", v) for k, v in (request.view_args or {}).items() if isinstance(v, str)]
    try:
        for name, value in values:
            untrusted.text(name, value)
    except BadInput as exc:
        abort(400, str(exc))


_HANDLERS: dict[Any, Any] = {
    WebError: lambda exc: (jsonify(error=exc.message), exc.status, exc.headers),
    BadInput: lambda exc: (jsonify(error=str(exc)), 400),
    Unavailable: lambda exc: (jsonify(error=str(exc)), 503, {"Retry-After": "30"}),
    SpamBrainzError: lambda exc: (jsonify(error=str(exc)), 500),
    400: lambda exc: (jsonify(error=getattr(exc, "description", "bad request")), 400),
    404: lambda exc: (jsonify(error=f"no such resource: {request.path}"), 404),
    405: lambda exc: (jsonify(error=f"{request.method} is not allowed on {request.path}"), 405),
    413: lambda exc: (jsonify(error=f"the request body is larger than {MAX_BODY:,} bytes"), 413),
}


class _DatabaseId(IntegerConverter):
    """``<int:…>`` in routes: IDs from 0 to the largest BIGINT; anything larger matches no route (404)."""

    def __init__(self, url_map, *args: Any, **kwargs: Any):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)
