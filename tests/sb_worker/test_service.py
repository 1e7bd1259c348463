"""The scan and delivery steps in-process, without Celery, on real databases."""

import pytest

from sb_worker import runtime, service
from sb_worker.errors import BadInput, Unavailable
from sb_worker.scoring.pipeline import Score
from sb_worker.storage.store import latest_version

from tests.helpers import query
from tests.webhook import WebhookReceiver

pytestmark = pytest.mark.integration


def test_a_chunk_is_scored_like_the_pipeline_scores_its_records(rt, settings):
    ids = list(range(5, 200))
    result = service.scan_chunk(rt, "editor", ids)
    records, _ = rt.source("editor").load(ids)
    expected = {s.entity_id: s.score for s in rt.pipeline.score("editor", records) if isinstance(s, Score)}
    stored = dict(query(settings.dsn, "SELECT entity_id, score FROM score WHERE kind = 'editor'"))
    assert stored == expected and result.scanned == len(expected)
    reported = {e for (e,) in query(settings.dsn, "SELECT entity_id FROM report")}
    assert reported == {e for e, s in expected.items() if s >= settings.review_threshold}
    assert sorted(result.to_deliver) == sorted(i for (i,) in query(settings.dsn, "SELECT id FROM report"))


def test_bad_and_missing_ids_are_errors_and_the_rest_is_scanned(rt, settings, caplog):
    a, b = (i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor WHERE id > 4 ORDER BY id LIMIT 2"))
    result = service.scan_chunk(rt, "editor", [a, -1, "abc", 999999, 2.5, None, 3, b])
    assert result.scanned == 2
    assert sorted((e.entity, e.error) for e in result.errors) == sorted([
        ("-1", "editor ID -1 is out of range (1 to 2147483647)"),
        ("'abc'", "editor ID 'abc' is not an integer"),
        ("999999", "editor 999999 does not exist in MusicBrainz"),
        ("2.5", "editor ID 2.5 is not an integer"),
        ("None", "editor ID None is not an integer"),
        ("3", "editor 3 does not exist in MusicBrainz"),
    ])
    assert query(settings.dsn, "SELECT entity_id FROM score ORDER BY entity_id") == [(a,), (b,)]
    assert query(settings.dsn, "SELECT count(*) FROM scan_error") == [(6,)]
    assert "cannot scan editor 999999: editor 999999 does not exist in MusicBrainz" in caplog.messages


def test_emails_never_reach_the_log(rt, settings, caplog):
    emails = [e for (e,) in query(settings.mb_dsn, "SELECT email FROM musicbrainz.editor WHERE email IS NOT NULL")]
    service.scan_chunk(rt, "editor", list(range(1, 400)) + ["x"])
    logged = "\n".join(caplog.messages)
    assert logged and not any(e in logged for e in emails)


@pytest.mark.parametrize("kind, ids, message", [("user", [1], "unknown kind 'user'"), ("editor", "1,2", "IDs must be a list")])
def test_a_chunk_that_cannot_be_read_fails_for_good(rt, kind, ids, message):
    with pytest.raises(BadInput, match=message):
        service.scan_chunk(rt, kind, ids)


def test_an_unmigrated_database_makes_scans_wait_not_fail(pg, settings):
    dsn = pg.create_database("not_migrated")
    try:
        runtime.configure(settings.replace(dsn=dsn))
        with pytest.raises(Unavailable, match=f"schema version 0, this code needs {latest_version()}: run `sb migrate`"):
            service.scan_chunk(runtime.get(), "editor", [5])
        runtime.get().store.migrate()
        assert service.scan_chunk(runtime.get(), "editor", [5]).scanned == 1
    finally:
        runtime.close()
        pg.drop_database("not_migrated")


def test_edits_are_scanned_too(rt, settings):
    result = service.scan_chunk(rt, "edit", list(range(1, 100)))
    assert result.scanned == query(settings.mb_dsn, "SELECT count(*) FROM musicbrainz.edit WHERE id < 100")[0][0]
    assert query(settings.dsn, "SELECT count(*) FROM score WHERE kind = 'edit'") == [(result.scanned,)]


def test_delivery_reaches_each_sink_once(settings):
    with WebhookReceiver() as receiver:
        runtime.configure(settings.replace(report_sinks=("log", "webhook"), webhook_url=receiver.url))
        rt = runtime.get()
        [report_id, *_] = service.scan_chunk(rt, "editor", list(range(1, 400))).to_deliver
        assert service.deliver(rt, report_id) == ["log", "webhook"]
        assert service.deliver(rt, report_id) == []
        runtime.close()
    [body] = receiver.accepted()
    assert body["id"] == report_id and body["score"] >= 50 and body["reasons"]
    assert query(settings.dsn, "SELECT delivered_at IS NOT NULL FROM report WHERE id = %s", (report_id,)) == [(True,)]
