"""Trusted accounts: declined and trusted, still scored, not reported again until the bio or website changes."""

from __future__ import annotations

import re

import pytest

from sb_worker import service
from sb_worker.web.app import create_app

from tests.helpers import add_token, query

pytestmark = pytest.mark.integration


@pytest.fixture
def client(settings, rt):
    app = create_app(settings)
    app.testing = True
    token = add_token(rt.store, "reosarevok", ["feedback"])
    c = app.test_client()
    c.auth = {"Authorization": f"Bearer {token}"}
    c.token = token
    return c


def open_reports_of(settings, editor_id):
    return query(settings.dsn, "SELECT count(*) FROM report WHERE kind = 'editor' AND entity_id = %s AND status = 'open'",
                 (editor_id,))[0][0]


def top_editor_report(settings, rt):
    ids = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    service.scan_chunk(rt, "editor", ids)
    return query(settings.dsn, """SELECT id, entity_id FROM report WHERE kind = 'editor' AND status = 'open'
                                  ORDER BY score DESC, id LIMIT 1""")[0]


def test_a_trusted_account_is_scored_but_not_reported_until_its_website_changes(settings, rt, client):
    report_id, editor = top_editor_report(settings, rt)
    refused = client.post(f"/v1/reports/{report_id}/verdict", headers=client.auth,
                          json={"verdict": "spam", "ninja": "reosarevok", "trust": True})
    assert refused.status_code == 400 and "only an account declined as not spam" in refused.json["error"]
    trusted = client.post(f"/v1/reports/{report_id}/verdict", headers=client.auth,
                          json={"verdict": "ham", "ninja": "reosarevok", "trust": True})
    assert trusted.status_code == 201
    assert [t["editor_id"] for t in client.get("/v1/trusted", headers=client.auth).json["trusted"]] == [editor]
    before = query(settings.dsn, "SELECT scanned_at FROM score WHERE kind = 'editor' AND entity_id = %s", (editor,))

    service.scan_chunk(rt, "editor", [editor])  # same profile: scored again, not reported
    assert query(settings.dsn, "SELECT scanned_at FROM score WHERE kind = 'editor' AND entity_id = %s", (editor,)) != before
    assert open_reports_of(settings, editor) == 0
    assert client.get(f"/v1/editors/{editor}", headers=client.auth).json["trusted"] is True

    query(settings.mb_dsn, "UPDATE musicbrainz.editor SET website = 'https://another-shop.example/' WHERE id = %s",
          (editor,))
    service.scan_chunk(rt, "editor", [editor])  # the website changed: reported again
    assert open_reports_of(settings, editor) == 1

    assert client.delete(f"/v1/trusted/{editor}", headers=client.auth).json == {"kind": "editor", "editor_id": editor, "trusted": False}
    assert client.get("/v1/trusted", headers=client.auth).json == {"trusted": []}
    assert client.get(f"/v1/editors/{editor}", headers=client.auth).json["trusted"] is False
    assert client.delete(f"/v1/trusted/{editor}", headers=client.auth).status_code == 404


def test_without_trust_a_declined_account_is_reported_again_on_rescan(settings, rt, client):
    report_id, editor = top_editor_report(settings, rt)
    client.post(f"/v1/reports/{report_id}/verdict", headers=client.auth, json={"verdict": "ham", "ninja": "reosarevok"})
    service.scan_chunk(rt, "editor", [editor])
    assert open_reports_of(settings, editor) == 1  # what trust is for


def test_the_review_page_trusts_shows_and_revokes(settings, rt, client):
    report_id, editor = top_editor_report(settings, rt)
    form = client.get("/review/signin").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    client.post("/review/signin", data={"token": client.token, "csrf": csrf})
    html = client.get("/review").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    assert f'id="report-{report_id}"' in html and 'value="ham-trust"' in html
    done = client.post(f"/review/reports/{report_id}/verdict", data={"verdict": "ham-trust", "csrf": csrf})
    assert done.status_code == 303
    page = client.get(f"/review?report={report_id}").text
    assert "Trusted account: not reported again until its bio or website changes." in page
    assert client.post(f"/review/trusted/{editor}/revoke", data={"csrf": "forged"}).status_code == 403
    revoked = client.post(f"/review/trusted/{editor}/revoke", data={"csrf": csrf, "report": str(report_id)})
    assert revoked.status_code == 303 and f"report={report_id}" in revoked.headers["Location"]
    assert "Trusted account" not in client.get(f"/review?report={report_id}").text
    assert query(settings.dsn, "SELECT revoked_by FROM trusted_account WHERE editor_id = %s", (editor,)) == [("reosarevok",)]
