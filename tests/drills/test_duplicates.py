"""Drills for the feedback loop and duplicates: a trainer killed mid-update, verdicts sent twice, a scan queued twice."""

from __future__ import annotations

import threading

import pytest

from sb_worker import broker, runtime, service
from sb_worker.broker import Publisher
from sb_worker.web.app import create_app

from tests.helpers import activate, add_token, finished, query, wait_until

pytestmark = pytest.mark.integration


def no_duplicate_reports(settings):
    [(total, distinct)] = query(settings.dsn, "SELECT count(*), count(DISTINCT (kind, entity_id)) FROM report")
    return total == distinct


def counts(settings):
    return query(settings.dsn, "SELECT count(*) FILTER (WHERE kind = 'editor'), count(*) FILTER (WHERE kind = 'edit') "
                               "FROM score")[0]


def test_a_trainer_killed_mid_update_loses_no_verdict_and_applies_them_once(settings, start_worker, default_model):
    settings = settings.replace(feedback_batch=5, task_soft_time_limit_s=120, visibility_timeout_s=250)
    runtime.configure(settings)
    rt = runtime.get()
    activate(rt.store, default_model)
    service.scan_chunk(rt, "editor", [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor")])
    for (report_id,) in query(settings.dsn, "SELECT id FROM report ORDER BY id LIMIT 8"):
        rt.store.verdicts.add(report_id, "spam", "ninja", "")
    runtime.close()
    first = start_worker(settings, queues=("feedback",), concurrency=1)
    broker.queue_feedback(settings)
    wait_until(lambda: "applying 8 verdicts" in first.log(), 120, "the trainer to start its update")
    first.kill()
    assert query(settings.dsn, "SELECT count(*) FROM verdict WHERE applied_at IS NULL") == [(8,)]
    assert query(settings.dsn, "SELECT count(*) FROM model_version") == [(1,)]  # nothing half-written

    second = start_worker(settings, queues=("feedback",), concurrency=1)
    broker.queue_feedback(settings)  # cron or the next verdict would wake it; the verdicts wait in the table
    wait_until(lambda: finished(second.log(), "spambrainz.apply_feedback") >= 1, 300, "the restarted trainer")
    assert query(settings.dsn, "SELECT count(*) FROM verdict WHERE applied_at IS NULL") == [(0,)]
    assert query(settings.dsn, "SELECT count(*) FROM model_version") == [(2,)]  # applied once
    broker.queue_feedback(settings)
    wait_until(lambda: finished(second.log(), "spambrainz.apply_feedback") >= 2, 120, "a second wake-up")
    assert query(settings.dsn, "SELECT count(*) FROM model_version") == [(2,)]


def test_a_verdict_sent_twice_at_once_is_one_event_and_is_learned_once(settings, rt, default_model):
    settings = settings.replace(feedback_batch=1)
    runtime.configure(settings)
    rt = runtime.get()
    activate(rt.store, default_model)
    service.scan_chunk(rt, "editor", [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor")])
    [(report_id,)] = query(settings.dsn, "SELECT id FROM report ORDER BY score DESC, id LIMIT 1")
    app = create_app(settings)
    token = add_token(rt.store, "ninja", ["feedback"])
    answers, start = [], threading.Barrier(4)

    def send() -> None:  # a double click, or a client retrying after a timeout
        client = app.test_client()
        start.wait()
        answers.append(client.post(f"/v1/reports/{report_id}/verdict", headers={"Authorization": f"Bearer {token}"},
                                   json={"verdict": "spam", "ninja": "reosarevok"}))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [201] * 4 and len({a.json["id"] for a in answers}) == 1
    assert query(settings.dsn, "SELECT verdict, ninja FROM verdict") == [("spam", "reosarevok")]
    assert service.apply_feedback(rt)["applied"] == 1
    assert service.apply_feedback(rt) == {"applied": 0}
    # A changed mind is still a new event.
    changed = app.test_client().post(f"/v1/reports/{report_id}/verdict", headers={"Authorization": f"Bearer {token}"},
                                     json={"verdict": "ham", "ninja": "reosarevok"})
    assert changed.status_code == 201 and query(settings.dsn, "SELECT count(*) FROM verdict") == [(2,)]


def test_the_same_chunk_twice_at_once_creates_no_duplicate(settings, start_worker):
    worker = start_worker(settings, concurrency=2)
    ids = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    with Publisher(settings.broker_url, chunk_size=1000) as publisher:
        publisher.publish("editor", ids)
        publisher.publish("editor", ids)
    wait_until(lambda: finished(worker.log(), "spambrainz.scan_chunk") == 2, 60, "both copies of the chunk to finish")
    reports = query(settings.dsn, "SELECT id, entity_id, score, updated_at FROM report ORDER BY id")
    assert reports and no_duplicate_reports(settings)
    with Publisher(settings.broker_url, chunk_size=1000) as publisher:
        publisher.publish("editor", ids)
    wait_until(lambda: finished(worker.log(), "spambrainz.scan_chunk") == 3, 60, "the third copy to finish")
    assert query(settings.dsn, "SELECT id, entity_id, score, updated_at FROM report ORDER BY id") == reports
    assert counts(settings)[0] == len(ids)
