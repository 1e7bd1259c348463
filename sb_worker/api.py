"""The HTTP API (`sb api` for development; gunicorn "sb_worker.api:wsgi()" in production). JSON under /v1."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from flask import Flask, Response, abort, g, jsonify, request
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter

from detectors.registry import NAMES as DETECTORS
from sb_worker import public, review, runtime, service, stats, untrusted
from sb_worker.db import jsonable
from sb_worker.errors import BadInput, SpamBrainzError, Unavailable
from sb_worker.ids import parse_ids
from sb_worker.settings import Settings
from sb_worker.tokens import hash_token

SCOPES = ("submit", "feedback", "admin")
MAX_BODY = 1_000_000  # bytes; bigger requests get 413
MAX_IDS = 10_000      # IDs in one scan request
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
TOKEN_TTL_S = 5.0     # a verified token is trusted this long without asking the database; revocation waits as long


class ApiError(Exception):
    """An answer other than success: a status and a message naming what is wrong."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def create_app(settings: Settings | None = None) -> Flask:
    """The Flask application; reads the settings (and opens nothing) until the first request."""
    app = Flask("spambrainz")
    app.url_map.converters["int"] = _DatabaseId  # before any route: an ID PostgreSQL cannot hold is a 404
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.register_blueprint(review.blueprint)
    app.register_blueprint(public.blueprint)
    verified: dict[bytes, tuple[float, dict[str, Any]]] = {}  # token hash -> (when checked, token row)
    if settings is not None:
        runtime.configure(settings)
    # Every text a template prints (names, websites, notes, appeals: what accounts wrote) shows invisible and
    # direction-changing characters as code points; marked-up text (review.highlight) has done so already.
    app.jinja_env.finalize = lambda value: review.visible(value) if type(value) is str else value

    @app.before_request
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

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> tuple[Response, int, dict[str, str]]:
        return jsonify(error=exc.message), exc.status, exc.headers

    @app.errorhandler(BadInput)
    def _bad_input(exc: BadInput) -> tuple[Response, int]:
        return jsonify(error=str(exc)), 400

    @app.errorhandler(Unavailable)
    def _unavailable(exc: Unavailable) -> tuple[Response, int, dict[str, str]]:
        return jsonify(error=str(exc)), 503, {"Retry-After": "30"}

    @app.errorhandler(SpamBrainzError)
    def _config(exc: SpamBrainzError) -> tuple[Response, int]:
        return jsonify(error=str(exc)), 500

    @app.errorhandler(400)
    def _bad_request(exc: Exception) -> tuple[Response, int]:
        return jsonify(error=getattr(exc, "description", "bad request")), 400

    @app.errorhandler(404)
    def _not_found(exc: Exception) -> tuple[Response, int]:
        return jsonify(error=f"no such resource: {request.path}"), 404

    @app.errorhandler(405)
    def _not_allowed(exc: Exception) -> tuple[Response, int]:
        return jsonify(error=f"{request.method} is not allowed on {request.path}"), 405

    @app.errorhandler(413)
    def _too_big(exc: Exception) -> tuple[Response, int]:
        return jsonify(error=f"the request body is larger than {MAX_BODY:,} bytes"), 413

    def requires(scope: str | None) -> Callable:
        """Check the bearer token (and its scope, when one is named) before the view runs."""
        def decorate(view: Callable) -> Callable:
            @wraps(view)
            def checked(*args: Any, **kwargs: Any) -> Any:
                header = request.headers.get("Authorization", "")
                if not header.startswith("Bearer ") or not header[7:].strip():
                    raise ApiError(401, "a bearer token is required (Authorization: Bearer …)",
                                   {"WWW-Authenticate": "Bearer"})
                presented = hash_token(header[7:].strip())
                checked, found = verified.get(presented, (0.0, None))
                if time.monotonic() - checked > TOKEN_TTL_S:
                    found = runtime.get().store.token(presented)
                    if found is not None:
                        verified[presented] = (time.monotonic(), found)
                if found is None or not hmac.compare_digest(found["token_hash"], presented):
                    raise ApiError(401, "unknown or revoked token", {"WWW-Authenticate": "Bearer"})
                if scope and scope not in found["scopes"] and "admin" not in found["scopes"]:
                    raise ApiError(403, f"this token lacks the {scope!r} scope")
                g.token_name = found["name"]
                return view(*args, **kwargs)
            return checked
        return decorate

    def body(*known: str) -> dict[str, Any]:
        """The request's JSON object, checked by ``untrusted.loads``; a field not in ``known`` is a 400."""
        if not request.is_json:
            raise ApiError(400, "the body must be a JSON object (Content-Type: application/json)")
        raw = request.get_data()  # a Content-Length past MAX_BODY is a 413 (RequestEntityTooLarge) here
        if len(raw) >= MAX_BODY:  # a chunked body is cut at the limit: reading on is a 413 when there was more
            request.stream.read(1)
        try:
            data = untrusted.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ApiError(400, f"the body is not UTF-8 (byte {exc.start + 1})") from None
        if not isinstance(data, dict):
            raise ApiError(400, "the body must be a JSON object (Content-Type: application/json)")
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ApiError(400, f"unknown field(s): {', '.join(unknown)}; known: {', '.join(known)}")
        return data

    @app.get("/healthz")
    def healthz() -> tuple[Response, int]:
        """Redis, our database and each source's database reachable."""
        rt = runtime.get()
        checks = {"spambrainz_db": lambda: rt.store.schema_version(),
                  **{f"{s.site.lower()}_db": (lambda s=s: s.count(0)) for s in rt.sources.values()},
                  "redis": lambda: service.queue_depth(rt.settings.broker_url)}
        results = {}
        for name, check in checks.items():
            try:
                check()
                results[name] = "ok"
            except Exception as exc:  # noqa: BLE001 -- whatever breaks is what a health check reports
                results[name] = f"unreachable: {type(exc).__name__}"
        ok = all(v == "ok" for v in results.values())
        return jsonify(status="ok" if ok else "degraded", checks=results), 200 if ok else 503

    @app.post("/v1/scans")
    @requires("submit")
    def submit_scan() -> tuple[Response, int, dict[str, str]]:
        data = body("editors", "edits")
        raw = {kind: data.get(f"{kind}s", []) for kind in ("editor", "edit")}
        if not all(isinstance(v, list) for v in raw.values()):
            raise ApiError(400, "'editors' and 'edits' must be lists of IDs")
        if sum(len(v) for v in raw.values()) > MAX_IDS:
            raise ApiError(413, f"at most {MAX_IDS:,} IDs in one scan")
        rt = runtime.get()
        depth = service.queue_depth(rt.settings.broker_url)
        if depth > rt.settings.max_queue_depth:
            raise ApiError(503, f"the scan queue holds {depth:,} chunks; try again later", {"Retry-After": "60"})
        parsed = {kind: parse_ids(kind, values) for kind, values in raw.items()}
        errors = [{"kind": e.kind, "id": e.entity, "error": e.error} for _, errs in parsed.values() for e in errs]
        if not any(ids for ids, _ in parsed.values()):
            raise ApiError(400, "no valid IDs to scan" + (f": {errors[0]['error']}" if errors else ""))
        scan_id = rt.store.add_scan_request(parsed["editor"][0], parsed["edit"][0], errors)
        service.publish_scan(rt.settings, parsed["editor"][0], parsed["edit"][0])
        return jsonify(id=scan_id, rejected=errors), 202, {"Location": f"/v1/scans/{scan_id}"}

    @app.get("/v1/scans/<int:scan_id>")
    @requires(None)
    def scan(scan_id: int) -> Response:
        found = runtime.get().store.scan_progress(scan_id)
        if found is None:
            raise ApiError(404, f"scan {scan_id} does not exist")
        return jsonify(jsonable(found))

    def entity(kind: str, entity_id: int) -> Response:
        found = runtime.get().store.latest_score_json(kind, entity_id)
        if found is None:
            raise ApiError(404, f"{kind} {entity_id} has not been scanned")
        return _json(found)

    @app.get("/v1/editors/<int:entity_id>")
    @requires(None)
    def editor(entity_id: int) -> Response:
        return entity("editor", entity_id)

    @app.get("/v1/edits/<int:entity_id>")
    @requires(None)
    def edit(entity_id: int) -> Response:
        return entity("edit", entity_id)

    @app.get("/v1/scores/<kind>/<int:entity_id>")
    @requires(None)
    def score(kind: str, entity_id: int) -> Response:
        try:
            runtime.get().source(kind)
        except BadInput as exc:
            raise ApiError(404, str(exc)) from None
        return entity(kind, entity_id)

    @app.get("/v1/reports")
    @requires(None)
    def reports() -> Response:
        status = request.args.get("status")
        if status not in (None, "open", "spam", "ham"):
            raise ApiError(400, "status must be one of open, spam, ham")
        return _json(runtime.get().store.reports_json(status, *report_filters(request.args)))

    @app.get("/v1/reports/<int:report_id>")
    @requires(None)
    def report(report_id: int) -> Response:
        found = runtime.get().store.report_json(report_id)
        if found is None:
            raise ApiError(404, f"report {report_id} does not exist")
        return _json(found)

    @app.post("/v1/reports/<int:report_id>/verdict")
    @requires("feedback")
    def verdict(report_id: int) -> tuple[Response, int]:
        data = body("verdict", "ninja", "note", "trust")
        if data.get("verdict") not in ("spam", "ham"):
            raise ApiError(400, "verdict must be \"spam\" or \"ham\"")
        ninja, note = _ninja_and_note(data)
        if not isinstance(data.get("trust", False), bool):
            raise ApiError(400, "trust must be true or false")
        rt = runtime.get()
        if rt.store.report_json(report_id) is None:
            raise ApiError(404, f"report {report_id} does not exist")
        saved = service.record_verdict(rt, report_id, data["verdict"], ninja, note, data.get("trust", False))
        return jsonify(jsonable(saved)), 201

    @app.post("/v1/appeals")
    @requires("submit")
    def appeal() -> tuple[Response, int]:
        data = body("editor_id", "message")
        editor, message = data.get("editor_id"), data.get("message")
        if isinstance(editor, bool) or not isinstance(editor, int) or not 1 <= editor < 2**63:
            raise ApiError(400, "editor_id must be the appealing account's editor ID")
        if not isinstance(message, str) or not message.strip() or len(message) > 10_000:
            raise ApiError(400, "message must be the appeal in words (1 to 10,000 characters)")
        return jsonify(jsonable(runtime.get().store.add_appeal(editor, message.strip(), g.token_name))), 201

    @app.get("/v1/appeals")
    @requires("feedback")
    def appeals() -> Response:
        status = request.args.get("status")
        if status not in (None, "open", "upheld", "rejected"):
            raise ApiError(400, "status must be one of open, upheld, rejected")
        return _json(f'{{"appeals": {runtime.get().store.appeals_json(status)}}}')

    @app.post("/v1/appeals/<int:appeal_id>/decision")
    @requires("feedback")
    def decide(appeal_id: int) -> Response:
        data = body("decision", "ninja", "note")
        if data.get("decision") not in ("upheld", "rejected"):
            raise ApiError(400, "decision must be \"upheld\" or \"rejected\"")
        ninja, note = _ninja_and_note(data)
        try:
            decided = service.decide_appeal(runtime.get(), appeal_id, data["decision"] == "upheld", ninja, note)
        except BadInput as exc:
            raise ApiError(404, str(exc)) from None
        return jsonify(jsonable(decided))

    @app.get("/v1/trusted")
    @requires(None)
    def trusted() -> Response:
        return _json(f'{{"trusted": {runtime.get().store.trusted_json()}}}')

    @app.delete("/v1/trusted/<int:editor_id>")
    @requires("feedback")
    def revoke_trust(editor_id: int) -> Response:
        kind = request.args.get("kind", "editor")
        if not runtime.get().store.revoke_trust(kind, editor_id, g.token_name):
            raise ApiError(404, f"{kind[:40]} {editor_id} is not trusted")
        return jsonify(kind=kind, editor_id=editor_id, trusted=False)

    @app.get("/v1/thresholds")
    @requires(None)
    def get_thresholds() -> Response:
        current, automatic_action = runtime.get().store.threshold_settings()
        return jsonify(review=current.review, auto=current.auto, automatic_action=automatic_action)

    @app.put("/v1/thresholds")
    @requires("admin")
    def put_thresholds() -> Response:
        data = body("review", "auto", "automatic_action")
        for key in ("review", "auto"):
            if key in data and data[key] is not None and (isinstance(data[key], bool)
                                                          or not isinstance(data[key], (int, float))):
                raise ApiError(400, f"{key} must be a number from 0 to 100" + (" or null" if key == "auto" else ""))
        if "review" in data and data["review"] is None:
            raise ApiError(400, "review must be a number from 0 to 100")
        if "automatic_action" in data and not isinstance(data["automatic_action"], bool):
            raise ApiError(400, "automatic_action must be true or false")
        store = runtime.get().store
        if "automatic_action" in data:
            store.set_automatic_action(data["automatic_action"])
        if "review" in data or "auto" in data:
            service.change_thresholds(store, data.get("review"), data.get("auto", "unchanged"))
        return get_thresholds()

    @app.get("/v1/models")
    @requires(None)
    def models() -> Response:
        return jsonify(models=[jsonable(m) for m in runtime.get().store.models()])

    @app.post("/v1/models/<version>/promote")
    @requires("admin")
    def promote(version: str) -> Response:
        runtime.get().store.activate_model(version)
        return jsonify(active=version)

    @app.post("/v1/models/rollback")
    @requires("admin")
    def rollback() -> Response:
        return jsonify(active=runtime.get().store.rollback_model())

    @app.get("/v1/stats")
    @requires(None)
    def get_stats() -> Response:
        judged = runtime.get().store.judged_reports()
        return jsonify(verdicts=len(judged), detectors=stats.by_detector(judged), score_bands=stats.by_band(judged),
                       suggested={str(p): stats.suggest(judged, p) for p in (0.99, 0.9975)})

    return app


def _ninja_and_note(data: Mapping[str, Any]) -> tuple[str, str]:
    """The ninja's name (stripped) and note of a verdict or an appeal decision, checked."""
    ninja, note = data.get("ninja"), data.get("note", "")
    if not isinstance(ninja, str) or not ninja.strip() or len(ninja) > 200:
        raise ApiError(400, "ninja must be the ninja's name (1 to 200 characters)")
    if not isinstance(note, str) or len(note) > 10_000:
        raise ApiError(400, "note must be text of at most 10,000 characters")
    return ninja.strip(), note


def report_filters(args: Mapping[str, str]) -> tuple[float, float, int, int, str | None]:
    """The report list's query parameters, checked: min_score, max_score, page, per_page and detector."""
    low, high = _number(args, "min_score", 0), _number(args, "max_score", 100)
    page = int(_number(args, "page", 1, minimum=1, maximum=1_000_000))
    per_page = int(_number(args, "per_page", 50, minimum=1, maximum=200))
    detector = args.get("detector") or None
    if detector is not None and detector not in DETECTORS:
        raise ApiError(400, f"unknown detector {detector[:100]!r}; known: {', '.join(DETECTORS)}")
    return low, high, page, per_page, detector


def _number(args: Mapping[str, str], name: str, default: float, minimum: float = 0, maximum: float = 100) -> float:
    raw = args.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be a number") from None
    if not minimum <= value <= maximum:
        raise ApiError(400, f"{name} must be between {minimum:g} and {maximum:g}")
    return value


class _DatabaseId(IntegerConverter):
    """``<int:…>`` in routes: IDs from 0 to the largest BIGINT; anything larger matches no route (404)."""

    def __init__(self, url_map, *args: Any, **kwargs: Any):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def _json(text: str) -> Response:
    """A response from JSON text that PostgreSQL rendered."""
    return Response(text, mimetype="application/json")


def wsgi() -> Flask:
    """The application for gunicorn: `gunicorn 'sb_worker.api:wsgi()'`."""
    return create_app()
