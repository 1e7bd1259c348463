"""Appeals against automatic action: a high-priority review item whose decision is a verdict like any other."""

from __future__ import annotations

import re

import pytest

from sb_worker import service
from sb_worker.model import stats
from sb_worker.scoring.pipeline import Thresholds
from sb_worker.web.app import create_app

from tests.helpers import add_token, query

pytestmark = pytest.mark.integration


@pytest.fixture
def api(settings, rt):
    app = create_app(settings)
    app.testing = True
    tokens = {}
    for scope in ("submit", "feedback"):
        token = add_token(rt.store, f"{scope} robot" if scope == "submit" else "reosarevok", [scope])
        tokens[scope] = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    client.tokens = tokens
    client.raw = {scope: t["Authorization"][7:] for scope, t in tokens.items()}
    return client


def actioned_editor(settings, rt):
    """Scan with automatic action on at 90 (set directly: the verdict rule is tested elsewhere); an actioned editor."""
    rt.store.config.set_thresholds(Thresholds(50, 90))
    ids = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    service.scan_chunk(rt, "editor", ids)
    return query(settings.dsn, """SELECT id, entity_id, reasons FROM report WHERE kind = 'editor' AND action = 'auto'
                                  ORDER BY score DESC, id LIMIT 1""")[0]


def test_an_upheld_appeal_is_a_ham_verdict_counted_against_the_detectors_that_fired(settings, rt, api):
    report_id, editor, reasons = actioned_editor(settings, rt)
    refused = api.post("/v1/appeals", headers=api.tokens["submit"], json={"editor_id": 1, "message": "why?"})
    assert refused.status_code == 400 and "no automatic action was taken on editor 1" in refused.json["error"]
    sent = api.post("/v1/appeals", headers=api.tokens["submit"],
                    json={"editor_id": editor, "message": "I run a real record shop, <b>please</b> look again"})
    assert sent.status_code == 201 and sent.json["report_id"] == report_id and sent.json["status"] == "open"
    again = api.post("/v1/appeals", headers=api.tokens["submit"], json={"editor_id": editor, "message": "hello?"})
    assert again.json["id"] == sent.json["id"]  # one open appeal per report
    assert api.get("/v1/appeals", headers=api.tokens["submit"]).status_code == 403
    [listed] = api.get("/v1/appeals?status=open", headers=api.tokens["feedback"]).json["appeals"]
    assert listed["id"] == sent.json["id"] and listed["reasons"] == reasons

    decided = api.post(f"/v1/appeals/{sent.json['id']}/decision", headers=api.tokens["feedback"],
                       json={"decision": "upheld", "ninja": "reosarevok"})
    assert decided.status_code == 200 and decided.json["status"] == "upheld" and decided.json["decided_by"] == "reosarevok"
    assert query(settings.dsn, "SELECT verdict, ninja, applied_at IS NULL FROM verdict WHERE report_id = %s",
                 (report_id,)) == [("ham", "reosarevok", True)]  # feedback for the trainer, like any verdict
    judged = rt.store.verdicts.judged_reports()
    by_detector = stats.by_detector(judged)
    assert all(by_detector[r["detector"]]["verdicts"] == 1 and by_detector[r["detector"]]["precision"] == 0
               for r in reasons)  # a false positive against every detector that fired
    assert api.post(f"/v1/appeals/{sent.json['id']}/decision", headers=api.tokens["feedback"],
                    json={"decision": "rejected", "ninja": "x"}).status_code == 404  # decided already


def test_the_review_page_lists_appeals_first_and_decides_them(settings, rt, api):
    report_id, editor, _ = actioned_editor(settings, rt)
    api.post("/v1/appeals", headers=api.tokens["submit"],
             json={"editor_id": editor, "message": "not spam \u202eevil\u202c <script>x</script>"})
    form = api.get("/review/signin").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    api.post("/review/signin", data={"token": api.raw["feedback"], "csrf": csrf})
    html = api.get("/review").text
    assert html.index('id="appeals"') < html.index('class="filters"')  # above every report
    assert "not spam ⟨U+202E⟩evil⟨U+202C⟩ &lt;script&gt;x&lt;/script&gt;" in html
    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    [appeal_id] = re.findall(r'id="appeal-(\d+)"', html)
    done = api.post(f"/review/appeals/{appeal_id}/decision", data={"decision": "rejected", "csrf": csrf})
    assert done.status_code == 303 and 'id="appeals"' not in api.get("/review").text
    assert query(settings.dsn, "SELECT verdict FROM verdict WHERE report_id = %s", (report_id,)) == [("spam",)]
