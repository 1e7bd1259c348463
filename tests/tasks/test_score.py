"""Scoring on demand (POST /v1/score and the review page's scorer): a real Celery worker scores, nothing is stored."""

from __future__ import annotations

import re

import pytest

from sb_worker.web.app import create_app

from tests.helpers import add_token, query
from tests.sb_worker.web.test_review import csrf_of, sign_in

pytestmark = pytest.mark.integration

SPAM = {"id": 7, "name": "pillshop", "website": "https://pillshop.example.ru",
        "bio": "Cheap viagra online, discreet delivery. Call +44 7911 123456 or visit pillshop.example.ru"}
HONEST = {"id": 8, "name": "vinylfan", "bio": "I collect old records and add them here."}


@pytest.fixture
def client(settings, rt, start_worker):
    start_worker(settings, queues=("scan",), concurrency=1)
    app = create_app(settings)
    app.testing = True
    client = app.test_client()
    client.token = add_token(rt.store, "ninja", ["feedback"])
    return client


def stored(settings) -> list:
    return query(settings.dsn, "SELECT (SELECT count(*) FROM score), (SELECT count(*) FROM report)")


def test_records_are_scored_by_a_worker_as_a_chunk_would_be_and_nothing_is_stored(client, settings, rt):
    before = stored(settings)
    answer = client.post("/v1/score", json={"records": [SPAM, HONEST, {"id": "x"}]},
                         headers={"Authorization": f"Bearer {client.token}"})
    assert answer.status_code == 200, answer.text
    spam, honest, bad = answer.json["results"]
    assert (spam["index"], spam["id"], spam["action"]) == (0, 7, "review") and spam["score"] >= 50
    phrases = next(r for r in spam["reasons"] if r["detector"] == "spam_phrases")
    [viagra] = [e for e in phrases["evidence"] if e["text"].lower() == "viagra"]
    assert SPAM["bio"][viagra["start"]:viagra["end"]] == "viagra" and viagra["field"] == "text"
    assert honest["score"] < 50 and honest["action"] == "none"
    assert bad["index"] == 2 and "id" in bad["error"]
    assert stored(settings) == before  # scored, not stored, not reported


def test_bad_requests_are_refused_before_any_worker_is_asked(client):
    auth = {"Authorization": f"Bearer {client.token}"}
    for body, message in (({"records": []}, "records must be a list of 1 to 100 records"),
                          ({"records": [SPAM] * 101}, "records must be a list of 1 to 100 records"),
                          ({"records": ["x"]}, "records[0] must be an object"),
                          ({"kind": "artist", "records": [SPAM]}, 'kind must be "editor" or "edit"'),
                          ({"records": [SPAM], "extra": 1}, "extra")):
        answer = client.post("/v1/score", json=body, headers=auth)
        assert answer.status_code == 400 and message in answer.json["error"], (body, answer.json)
    assert client.post("/v1/score", json={"records": [SPAM]}).status_code == 401


def test_no_worker_is_a_503_that_names_the_wait(settings, rt):
    app = create_app(settings.replace(score_wait_s=2))
    token = add_token(rt.store, "ninja", ["feedback"])
    answer = app.test_client().post("/v1/score", json={"records": [SPAM]}, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "30"
    assert "no scoring worker answered within 2 s (SB_SCORE_WAIT_S)" in answer.json["error"]


def test_a_ninja_pastes_a_bio_and_sees_its_score_reasons_and_marks(client, settings):
    sign_in(client, client.token)
    form = client.get("/review/score")
    assert form.status_code == 200 and 'id="score-bio"' in form.text
    before = stored(settings)
    shown = client.post("/review/score", data={"csrf": csrf_of(form.text), "name": SPAM["name"],
                                                "website": SPAM["website"], "bio": SPAM["bio"]})
    assert shown.status_code == 200, shown.text
    result = shown.text.split('id="score-result"')[1]
    score = int(re.search(r'<span class="score">(\d+)</span> <span>review</span>', result).group(1))
    assert score >= 50 and "<strong>spam_phrases</strong> +" in result
    assert re.search(r'<mark title="[^"]*spam_phrases[^"]*">viagra</mark>', result)
    assert "Cheap viagra online" in shown.text.split('id="score-bio"')[1]  # the pasted text stays in the box
    assert stored(settings) == before
    forged = client.post("/review/score", data={"csrf": "forged", "bio": "x"})
    assert forged.status_code == 403
