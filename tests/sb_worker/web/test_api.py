"""The HTTP API on real databases and a real Redis, through Flask's test client."""

from __future__ import annotations

import datetime as dt
import json
import logging
from importlib import resources

import pytest

from sb_worker import service
from sb_worker.web.app import create_app

from tests.helpers import add_token, query, queued_scans

pytestmark = pytest.mark.integration


@pytest.fixture
def api(settings, rt):
    app = create_app(settings)
    app.testing = True
    tokens = {}
    for scope in ("submit", "feedback", "admin"):
        token = add_token(rt.store, f"{scope} robot", [scope])
        tokens[scope] = token
    client = app.test_client()

    def call(method: str, path: str, scope: str | None = "admin", **kwargs):
        headers = {"Authorization": f"Bearer {tokens[scope]}"} if scope else {}
        return client.open(path, method=method, headers=headers, **kwargs)

    call.tokens = tokens
    call.app = app
    return call


def scanned(rt, ids):
    service.scan_chunk(rt, "editor", ids)


def spec():
    return json.loads(resources.files("sb_worker.web").joinpath("openapi.json").read_text())


def test_the_openapi_description_matches_the_routes(api):
    routes = {}
    for rule in api.app.url_map.iter_rules():
        if rule.endpoint != "static" and not rule.endpoint.startswith(("review.", "public.")):  # HTML, not the API
            path = rule.rule.replace("<int:", "<").replace("<", "{").replace(">", "}")
            routes.setdefault(path, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    described = {path: set(ops) for path, ops in spec()["paths"].items()}
    assert routes == described


def test_the_description_is_served_as_json_and_as_a_page_to_read(api):
    served = api.app.test_client().get("/v1/openapi.json")  # no token: it describes the code, nothing more
    assert served.status_code == 200 and served.mimetype == "application/json" and served.json == spec()
    page = api.app.test_client().get("/v1/docs")
    assert page.status_code == 200 and page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    for path, methods in spec()["paths"].items():
        for method in methods:
            assert f"<code>{method.upper()} {path}</code>" in page.text
    assert "<code>records</code>: array of object, required" in page.text
    assert "<strong>503</strong> no scoring worker answered in time" in page.text


SCOPED = [("post", "/v1/scans", "submit", {"editors": [5]}), ("post", "/v1/reports/1/verdict", "feedback",
          {"verdict": "spam", "ninja": "x"}), ("put", "/v1/thresholds", "admin", {"review": 60}),
          ("post", "/v1/models/x/promote", "admin", None), ("post", "/v1/models/rollback", "admin", None),
          ("delete", "/v1/trusted/5", "feedback", None), ("post", "/v1/appeals", "submit", {"editor_id": 5, "message": "x"}),
          ("get", "/v1/appeals", "feedback", None),
          ("post", "/v1/lists", "admin", {"list": "block", "what": "domain", "value": "example.ru"}),
          ("delete", "/v1/lists/1", "admin", None),
          ("post", "/v1/reports/1/undo", "feedback", {"ninja": "x"}),
          ("post", "/v1/appeals/1/decision", "feedback", {"decision": "upheld", "ninja": "x"})]
ANY_TOKEN_POSTS = ["/v1/score"]
READS = ["/v1/scans/1", "/v1/editors/5", "/v1/edits/1", "/v1/reports", "/v1/reports/1", "/v1/thresholds",
         "/v1/models", "/v1/stats", "/v1/trusted", "/v1/lists"]


@pytest.mark.parametrize("path", READS + ANY_TOKEN_POSTS + [p for _, p, _, _ in SCOPED])
def test_every_v1_endpoint_wants_a_known_token(api, path):
    method = next((m for m, p, _, _ in SCOPED if p == path), "post" if path in ANY_TOKEN_POSTS else "get")
    missing = api(method, path, scope=None)
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == "Bearer"
    assert "bearer token is required" in missing.json["error"]
    unknown = api.app.test_client().open(path, method=method, headers={"Authorization": "Bearer sb_not-a-token"})
    assert unknown.status_code == 401 and unknown.json["error"] == "unknown or revoked token"


@pytest.mark.parametrize("method, path, scope, payload", SCOPED)
def test_scoped_endpoints_refuse_other_scopes(api, method, path, scope, payload):
    other = "submit" if scope != "submit" else "feedback"
    answer = api(method, path, scope=other, json=payload)
    assert answer.status_code == 403 and answer.json["error"] == f"this token lacks the {scope!r} scope"


def test_a_revoked_token_stops_working_within_the_cache_time(api, rt, monkeypatch):
    import sb_worker.web.checks

    assert api("get", "/v1/thresholds", scope="submit").status_code == 200
    [token_id] = [t["id"] for t in rt.store.access.tokens() if t["name"] == "submit robot"]
    assert rt.store.access.revoke_token(token_id)
    monkeypatch.setattr(sb_worker.web.checks, "TOKEN_TTL_S", 0.0)  # instead of waiting out the 5 s
    assert api("get", "/v1/thresholds", scope="submit").status_code == 401


def test_tokens_are_stored_hashed_and_never_logged(api, settings, caplog):
    with caplog.at_level(logging.DEBUG):
        api("get", "/v1/reports", scope="feedback")
    stored = query(settings.dsn, "SELECT token_hash::text FROM api_token")
    assert all(t not in str(stored) and t not in caplog.text for t in api.tokens.values())


def test_a_scan_is_queued_and_its_progress_read(api, rt, redis_server):
    answer = api("post", "/v1/scans", scope="submit", json={"editors": [5, 7, "x"], "edits": [1]})
    assert answer.status_code == 202 and answer.headers["Location"] == f"/v1/scans/{answer.json['id']}"
    assert answer.json["rejected"] == [{"kind": "editor", "id": "'x'", "error": "editor ID 'x' is not an integer"}]
    assert queued_scans(redis_server.client) == [(0, "editor", [5, 7]), (0, "edit", [1])]
    progress = api("get", f"/v1/scans/{answer.json['id']}").json
    assert (progress["total"], progress["scored"], progress["done"]) == (3, 0, False)
    scanned(rt, [5, 7])
    service.scan_chunk(rt, "edit", [1])
    progress = api("get", f"/v1/scans/{answer.json['id']}").json
    assert progress["done"] is True and progress["scored"] + progress["failed"] == 3


@pytest.mark.parametrize("payload, status, message", [
    ("not json", 400, "the body is not JSON: Expecting value at line 1 column 1"),
    ({"editors": "5"}, 400, "'editors' and 'edits' must be lists of IDs"),
    ({"editors": [5], "user": 1}, 400, "unknown field(s): user"),
    ({"editors": [-1, "x"]}, 400, "no valid IDs to scan: editor ID -1 is out of range"),
    ({"editors": list(range(1, 10_002))}, 413, "at most 10,000 IDs"),
])
def test_bad_scan_requests_say_what_is_wrong(api, payload, status, message):
    kwargs = {"data": payload, "content_type": "application/json"} if isinstance(payload, str) else {"json": payload}
    answer = api("post", "/v1/scans", scope="submit", **kwargs)
    assert answer.status_code == status and message in answer.json["error"]


NESTED = "[" * 1000 + "]" * 1000
NUL, SURROGATE = '"a\\u0000b"', '"a\\ud800b"'  # as JSON escapes: the parsed strings hold U+0000 and U+D800


@pytest.mark.parametrize("method, path, scope, body, message", [
    ("post", "/v1/scans", "submit", NESTED, "the body is nested more than 32 levels deep"),
    ("post", "/v1/scans", "submit", '{"editors": ' + NESTED + "}", "the body is nested more than 32 levels deep"),
    ("put", "/v1/thresholds", "admin", NESTED, "the body is nested more than 32 levels deep"),
    ("put", "/v1/thresholds", "admin", '{"review": ' + "9" * 401 + "}", "a number has 401 digits (at most 30)"),
    ("put", "/v1/thresholds", "admin", '{"review": 1e999}', "review is a number too large to hold"),
    ("put", "/v1/thresholds", "admin", '{"review": NaN}', "NaN is not a number JSON allows"),
    ("post", "/v1/reports/1/verdict", "feedback", '{"verdict": "spam", "ninja": ' + NUL + "}",
     "ninja contains a NUL character at position 2"),
    ("post", "/v1/reports/1/verdict", "feedback", '{"verdict": "spam", "ninja": "x", "note": ' + SURROGATE + "}",
     "note contains a lone surrogate (U+D800) at position 2"),
    ("post", "/v1/reports/1/verdict", "feedback", '{"verdict": "spam", "ninja": "x", "verdikt": "ham"}',
     "unknown field(s): verdikt; known: verdict, ninja, note, trust"),
    ("post", "/v1/appeals", "submit", '{"editor_id": 5, "message": ' + NUL + "}", "message contains a NUL character"),
    ("post", "/v1/appeals", "submit", '{"editor_id": 5, "message": "x", ' + SURROGATE + ': 1}',
     "a field name in the body contains a lone surrogate"),
    ("post", "/v1/appeals/1/decision", "feedback", '{"decision": "upheld", "ninja": ' + SURROGATE + "}",
     "ninja contains a lone surrogate"),
    ("delete", "/v1/trusted/1?kind=a%00b", "feedback", None, "the query parameter 'kind' contains a NUL character"),
    ("post", "/v1/models/a%00b/promote", "admin", None, "the path's version contains a NUL character"),
    ("post", "/v1/scans", "submit", b'{"editors": [5], "x": "\xff"}', "the body is not UTF-8 (byte 24)"),
])
def test_hostile_but_well_formed_requests_get_a_400_naming_the_field(api, rt, method, path, scope, body, message):
    before = query(rt.settings.dsn, "SELECT (SELECT count(*) FROM verdict), (SELECT count(*) FROM appeal)")
    answer = api(method, path, scope=scope, data=body, content_type="application/json")
    assert answer.status_code == 400 and message in answer.json["error"], answer.get_data(as_text=True)[:300]
    assert query(rt.settings.dsn, "SELECT (SELECT count(*) FROM verdict), (SELECT count(*) FROM appeal)") == before


def test_a_full_queue_pushes_back(api, settings, redis_server):
    redis_server.client.lpush("scan", *["x"] * (settings.max_queue_depth + 1))
    answer = api("post", "/v1/scans", scope="submit", json={"editors": [5]})
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "60" and "the scan queue holds" in answer.json["error"]


def test_an_oversized_body_is_413(api):
    answer = api("post", "/v1/reports/1/verdict", scope="feedback", data="x" * 1_100_000, content_type="application/json")
    assert answer.status_code == 413 and "larger than" in answer.json["error"]


def test_scores_reports_and_verdicts(api, rt, settings):
    assert api("get", "/v1/editors/5").status_code == 404
    ids = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    scanned(rt, ids)
    editor = api("get", f"/v1/editors/{ids[3]}").json
    assert editor["entity_id"] == ids[3] and 0 <= editor["score"] <= 100 and "model_version" in editor
    assert api("get", "/v1/edits/1").status_code == 404
    page = api("get", "/v1/reports?status=open&min_score=50&per_page=5", scope="feedback").json
    assert page["total"] >= 5 and len(page["reports"]) == 5 and page["per_page"] == 5
    scores = [r["score"] for r in page["reports"]]
    assert scores == sorted(scores, reverse=True) and min(scores) >= 50
    second = api("get", "/v1/reports?status=open&min_score=50&per_page=5&page=2").json
    assert second["page"] == 2 and not {r["id"] for r in second["reports"]} & {r["id"] for r in page["reports"]}
    assert second["reports"] == [] or second["reports"][0]["score"] <= scores[-1]
    assert dt.datetime.fromisoformat(page["reports"][0]["created_at"]).tzinfo is not None
    first = page["reports"][0]["id"]
    assert api("get", "/v1/reports?status=closed").status_code == 400
    assert api("get", "/v1/reports?min_score=abc").status_code == 400
    assert api("get", "/v1/reports/999999").status_code == 404

    said = api("post", f"/v1/reports/{first}/verdict", scope="feedback", json={"verdict": "spam", "ninja": "reosarevok"})
    assert said.status_code == 201 and said.json["verdict"] == "spam"
    changed = api("post", f"/v1/reports/{first}/verdict", scope="feedback",
                  json={"verdict": "ham", "ninja": "reosarevok", "note": "a real band after all"})
    assert changed.status_code == 201
    report = api("get", f"/v1/reports/{first}").json
    assert report["status"] == "ham" and [v["verdict"] for v in report["verdicts"]] == ["spam", "ham"]
    assert query(settings.dsn, "SELECT count(*) FROM verdict WHERE applied_at IS NULL") == [(2,)]
    for payload, message in [({"verdict": "maybe", "ninja": "x"}, "verdict must be"),
                              ({"verdict": "spam"}, "ninja must be"), ({"verdict": "spam", "ninja": "x", "note": 5}, "note must be")]:
        bad = api("post", f"/v1/reports/{first}/verdict", scope="feedback", json=payload)
        assert bad.status_code == 400 and message in bad.json["error"]
    missing = api("post", "/v1/reports/999999/verdict", scope="feedback", json={"verdict": "spam", "ninja": "x"})
    assert missing.status_code == 404

    stats = api("get", "/v1/stats").json
    assert stats["verdicts"] == 1 and all(d["verdicts"] == 1 and d["precision"] == 0 for d in stats["detectors"].values())


def test_thresholds_and_the_automatic_action_rule(api):
    assert api("get", "/v1/thresholds", scope="submit").json == {"review": 50.0, "auto": None, "automatic_action": True}
    assert api("put", "/v1/thresholds", json={"review": 60}).json["review"] == 60
    refused = api("put", "/v1/thresholds", json={"auto": 95})
    assert refused.status_code == 400 and "automatic action at 95 refused: only 0 verdicts" in refused.json["error"]
    for payload, message in [({"review": "high"}, "review must be a number"), ({"review": None}, "review must be"),
                             ({"review": 150}, "between 0 and 100"), ({"speed": 1}, "unknown field(s): speed"),
                             ({"automatic_action": "no"}, "automatic_action must be true or false")]:
        bad = api("put", "/v1/thresholds", json=payload)
        assert bad.status_code == 400 and message in bad.json["error"], payload
    assert api("put", "/v1/thresholds", json={"automatic_action": False}).json["automatic_action"] is False


def test_models_promote_and_roll_back(api, rt):
    assert api("get", "/v1/models").json == {"models": []}
    assert api("post", "/v1/models/rollback").status_code == 400
    for version in ("nn-a", "nn-b"):
        rt.store.models.store(version, b"artifact", {"metrics": {"roc_auc": 0.99}})
    assert api("post", "/v1/models/nn-a/promote").json == {"active": "nn-a"}
    assert api("post", "/v1/models/nn-b/promote").json == {"active": "nn-b"}
    assert api("post", "/v1/models/rollback").json == {"active": "nn-a"}
    assert rt.store.models.active() == "nn-a"
    assert api("post", "/v1/models/nn-zzz/promote").status_code == 400
    listed = api("get", "/v1/models").json["models"]
    assert {(m["version"], m["status"]) for m in listed} == {("nn-a", "active"), ("nn-b", "retired")}


def test_health(api, settings, tmp_path):
    healthy = api.app.test_client().get("/healthz")
    assert healthy.status_code == 200 and healthy.json["checks"] == {
        "spambrainz_db": "ok", "musicbrainz_db": "ok", "redis": "ok"}
    sick = create_app(settings.replace(broker_url=f"redis+socket://{tmp_path}/none.sock")).test_client().get("/healthz")
    assert sick.status_code == 503 and sick.json["checks"]["redis"].startswith("unreachable")


def test_unknown_routes_and_methods(api):
    assert api("get", "/v1/nothing").status_code == 404
    assert api("delete", "/v1/reports").status_code == 405
