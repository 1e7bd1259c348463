"""The HTTP API: JSON under /v1 (and /healthz), every route behind a bearer token, described in openapi.json.
The application that serves it, with the review and public pages, is :func:`sb_worker.web.app.create_app`."""

from __future__ import annotations

from dataclasses import asdict
from importlib import resources

from flask import Blueprint, Response, g, jsonify, request

from sb_worker import broker, runtime, service
from sb_worker.errors import BadInput
from sb_worker.model import stats
from sb_worker.scoring.ids import parse_ids
from sb_worker.storage.db import jsonable
from sb_worker.web import actions
from sb_worker.web.actions import WebError
from sb_worker.web.checks import body, report_query, requires

MAX_IDS = 10_000      # IDs in one scan request

blueprint = Blueprint("api", __name__)


@blueprint.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Redis, our database and each source's database reachable."""
    rt = runtime.get()
    checks = {"spambrainz_db": lambda: rt.store.schema_version(),
              **{f"{s.site.lower()}_db": (lambda s=s: s.count(0)) for s in rt.sources.values()},
              "redis": lambda: broker.queue_depth(rt.settings.broker_url)}
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 -- whatever breaks is what a health check reports
            results[name] = f"unreachable: {type(exc).__name__}"
    ok = all(v == "ok" for v in results.values())
    return jsonify(status="ok" if ok else "degraded", checks=results), 200 if ok else 503


@blueprint.get("/v1/openapi.json")
def openapi() -> Response:
    """This API's description: public, like the code it describes (a readable page of it is /v1/docs)."""
    return _json(description_text())


def description_text() -> str:
    return resources.files("sb_worker.web").joinpath("openapi.json").read_text(encoding="utf-8")


@blueprint.post("/v1/scans")
@requires("submit")
def submit_scan() -> tuple[Response, int, dict[str, str]]:
    data = body("editors", "edits")
    raw = {kind: data.get(f"{kind}s", []) for kind in ("editor", "edit")}
    if not all(isinstance(v, list) for v in raw.values()):
        raise WebError(400, "'editors' and 'edits' must be lists of IDs")
    if sum(len(v) for v in raw.values()) > MAX_IDS:
        raise WebError(413, f"at most {MAX_IDS:,} IDs in one scan")
    rt = runtime.get()
    depth = broker.queue_depth(rt.settings.broker_url)
    if depth > rt.settings.max_queue_depth:
        raise WebError(503, f"the scan queue holds {depth:,} chunks; try again later", {"Retry-After": "60"})
    parsed = {kind: parse_ids(kind, values) for kind, values in raw.items()}
    errors = [{"kind": e.kind, "id": e.entity, "error": e.error} for _, errs in parsed.values() for e in errs]
    if not any(ids for ids, _ in parsed.values()):
        raise WebError(400, "no valid IDs to scan" + (f": {errors[0]['error']}" if errors else ""))
    scan_id = rt.store.reports.add_scan_request(parsed["editor"][0], parsed["edit"][0], errors)
    broker.publish_scan(rt.settings, parsed["editor"][0], parsed["edit"][0])
    return jsonify(id=scan_id, rejected=errors), 202, {"Location": f"/v1/scans/{scan_id}"}


@blueprint.post("/v1/score")
@requires(None)
def score_now() -> Response:
    data = body("kind", "records")
    return jsonify(actions.score_records(runtime.get(), data.get("kind", "editor"), data.get("records")))


@blueprint.get("/v1/scans/<int:scan_id>")
@requires(None)
def scan(scan_id: int) -> Response:
    found = runtime.get().store.reports.scan_progress(scan_id)
    if found is None:
        raise WebError(404, f"scan {scan_id} does not exist")
    return jsonify(jsonable(found))

def entity(kind: str, entity_id: int) -> Response:
    found = runtime.get().store.reports.latest_score_json(kind, entity_id)
    if found is None:
        raise WebError(404, f"{kind} {entity_id} has not been scanned")
    return _json(found)


@blueprint.get("/v1/editors/<int:entity_id>")
@requires(None)
def editor(entity_id: int) -> Response:
    return entity("editor", entity_id)


@blueprint.get("/v1/edits/<int:entity_id>")
@requires(None)
def edit(entity_id: int) -> Response:
    return entity("edit", entity_id)


@blueprint.get("/v1/scores/<kind>/<int:entity_id>")
@requires(None)
def score(kind: str, entity_id: int) -> Response:
    try:
        runtime.get().source(kind)
    except BadInput as exc:
        raise WebError(404, str(exc)) from None
    return entity(kind, entity_id)


@blueprint.get("/v1/reports")
@requires(None)
def reports() -> Response:
    status = request.args.get("status")
    if status not in (None, "open", "spam", "ham"):
        raise WebError(400, "status must be one of open, spam, ham")
    query, page, per_page = report_query(request.args, status)
    return _json(runtime.get().store.reports.page_json(query, page, per_page))


@blueprint.get("/v1/reports/<int:report_id>")
@requires(None)
def report(report_id: int) -> Response:
    found = runtime.get().store.reports.report_json(report_id)
    if found is None:
        raise WebError(404, f"report {report_id} does not exist")
    return _json(found)


@blueprint.post("/v1/reports/<int:report_id>/verdict")
@requires("feedback")
def verdict(report_id: int) -> tuple[Response, int]:
    data = body("verdict", "ninja", "note", "trust")
    saved = actions.verdict(runtime.get(), report_id, data.get("verdict"), data.get("ninja"), data.get("note", ""),
                            data.get("trust", False))
    return jsonify(jsonable(saved)), 201


@blueprint.post("/v1/reports/<int:report_id>/undo")
@requires("feedback")
def undo(report_id: int) -> tuple[Response, int]:
    data = body("ninja")
    return jsonify(jsonable(actions.undo(runtime.get(), report_id, data.get("ninja")))), 201


@blueprint.post("/v1/appeals")
@requires("submit")
def appeal() -> tuple[Response, int]:
    data = body("editor_id", "message")
    editor, message = data.get("editor_id"), data.get("message")
    if isinstance(editor, bool) or not isinstance(editor, int) or not 1 <= editor < 2**63:
        raise WebError(400, "editor_id must be the appealing account's editor ID")
    if not isinstance(message, str) or not message.strip() or len(message) > 10_000:
        raise WebError(400, "message must be the appeal in words (1 to 10,000 characters)")
    return jsonify(jsonable(runtime.get().store.verdicts.add_appeal(editor, message.strip(), g.token_name))), 201


@blueprint.get("/v1/appeals")
@requires("feedback")
def appeals() -> Response:
    status = request.args.get("status")
    if status not in (None, "open", "upheld", "rejected"):
        raise WebError(400, "status must be one of open, upheld, rejected")
    return _json(f'{{"appeals": {runtime.get().store.verdicts.appeals_json(status)}}}')


@blueprint.post("/v1/appeals/<int:appeal_id>/decision")
@requires("feedback")
def decide(appeal_id: int) -> Response:
    data = body("decision", "ninja", "note")
    decided = actions.decide_appeal(runtime.get(), appeal_id, data.get("decision"), data.get("ninja"),
                                    data.get("note", ""))
    return jsonify(jsonable(decided))


@blueprint.get("/v1/trusted")
@requires(None)
def trusted() -> Response:
    return _json(f'{{"trusted": {runtime.get().store.verdicts.trusted_json()}}}')


@blueprint.delete("/v1/trusted/<int:editor_id>")
@requires("feedback")
def revoke_trust(editor_id: int) -> Response:
    kind = request.args.get("kind", "editor")
    actions.revoke_trust(runtime.get(), kind, editor_id, g.token_name)
    return jsonify(kind=kind, editor_id=editor_id, trusted=False)


@blueprint.get("/v1/thresholds")
@requires(None)
def get_thresholds() -> Response:
    current, automatic_action = runtime.get().store.config.threshold_settings()
    return jsonify(review=current.review, auto=current.auto, automatic_action=automatic_action)


@blueprint.put("/v1/thresholds")
@requires("admin")
def put_thresholds() -> Response:
    data = body("review", "auto", "automatic_action")
    for key in ("review", "auto"):
        if key in data and data[key] is not None and (isinstance(data[key], bool)
                                                      or not isinstance(data[key], (int, float))):
            raise WebError(400, f"{key} must be a number from 0 to 100" + (" or null" if key == "auto" else ""))
    if "review" in data and data["review"] is None:
        raise WebError(400, "review must be a number from 0 to 100")
    if "automatic_action" in data and not isinstance(data["automatic_action"], bool):
        raise WebError(400, "automatic_action must be true or false")
    store = runtime.get().store
    if "automatic_action" in data:
        store.config.set_automatic_action(data["automatic_action"])
    if "review" in data or "auto" in data:
        service.change_thresholds(store, data.get("review"), data.get("auto", "unchanged"))
    return get_thresholds()


@blueprint.get("/v1/lists")
@requires(None)
def lists() -> Response:
    audit = [jsonable(e) for e in runtime.get().store.lists.audit()]
    return jsonify(entries=[e for e in audit if e["removed_at"] is None], audit=audit)


@blueprint.post("/v1/lists")
@requires("admin")
def add_list_entry() -> tuple[Response, int]:
    data = body("list", "what", "value", "reason")
    added = actions.add_list_entry(runtime.get(), data.get("list"), data.get("what"), data.get("value"),
                                   g.token_name, data.get("reason", ""))
    return jsonify(jsonable(added)), 201


@blueprint.delete("/v1/lists/<int:entry_id>")
@requires("admin")
def remove_list_entry(entry_id: int) -> Response:
    removed = actions.remove_list_entry(runtime.get(), entry_id, g.token_name, request.args.get("reason", ""))
    return jsonify(jsonable(removed))


@blueprint.get("/v1/models")
@requires(None)
def models() -> Response:
    return jsonify(models=[jsonable(asdict(m)) for m in runtime.get().store.models.list()])


@blueprint.post("/v1/models/<version>/promote")
@requires("admin")
def promote(version: str) -> Response:
    runtime.get().store.models.promote(version)
    return jsonify(active=version)


@blueprint.post("/v1/models/rollback")
@requires("admin")
def rollback() -> Response:
    return jsonify(active=runtime.get().store.models.rollback())


@blueprint.get("/v1/stats")
@requires(None)
def get_stats() -> Response:
    store = runtime.get().store
    judged = store.verdicts.judged_reports()
    figures = service.audit_figures(runtime.get(), judged, store.config.thresholds().review)
    return jsonify(verdicts=len(judged), detectors=stats.by_detector(judged), score_bands=stats.by_band(judged),
                   suggested={str(p): stats.suggest(judged, p) for p in (0.99, 0.9975)}, recall=figures["recall"],
                   audit_bands=figures["strata"], labels=figures["labels"])


def _json(text: str) -> Response:
    """A response from JSON text that PostgreSQL rendered."""
    return Response(text, mimetype="application/json")
