"""The scan task on real Celery worker processes, Redis and PostgreSQL: the at-least-once guarantees."""

import datetime as dt
import os
import signal
import time

import psycopg2
import pytest

from sb_worker.broker import Publisher
from sb_worker.enqueue import enqueue_changes, enqueue_missing
from sb_worker.scoring.pipeline import Score

from tests.helpers import finished, query, queued_scans, wait_until

pytestmark = pytest.mark.integration


def counts(settings):
    return query(settings.dsn, "SELECT count(*) FILTER (WHERE kind = 'editor'), count(*) FILTER (WHERE kind = 'edit') "
                               "FROM score")[0]


def mb_counts(settings):
    return query(settings.mb_dsn, "SELECT (SELECT count(*) FROM musicbrainz.editor), "
                                  "(SELECT count(*) FROM musicbrainz.edit)")[0]


def no_duplicate_reports(settings):
    [(total, distinct)] = query(settings.dsn, "SELECT count(*), count(DISTINCT (kind, entity_id)) FROM report")
    return total == distinct


def test_enqueue_to_scores_and_reports_through_a_worker(rt, settings, start_worker):
    start_worker(settings)
    with Publisher(settings.broker_url, chunk_size=100) as publisher:
        enqueue_changes(rt.sources, rt.store, publisher, dt.timedelta(0))
    wait_until(lambda: counts(settings) == mb_counts(settings), 60, "every editor and edit to be scored")
    editor_ids = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    records, _ = rt.source("editor").load(editor_ids)
    expected = {s.entity_id: s.score for s in rt.pipeline.score("editor", records) if isinstance(s, Score)}
    assert dict(query(settings.dsn, "SELECT entity_id, score FROM score WHERE kind = 'editor'")) == expected
    reported = {e for (e,) in query(settings.dsn, "SELECT entity_id FROM report WHERE kind = 'editor'")}
    assert reported == {e for e, s in expected.items() if s >= settings.review_threshold} and reported


def block_a_chunk_mid_write(settings):
    """Queue every editor as one chunk, with the score table locked so that the worker blocks while writing it.

    Returns the editor IDs and the locking connection; roll it back to let writes through.
    """
    ids = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    lock = psycopg2.connect(settings.dsn)
    lock.cursor().execute("LOCK TABLE score IN EXCLUSIVE MODE")
    with Publisher(settings.broker_url, chunk_size=1000) as publisher:
        publisher.publish("editor", ids)
    wait_until(lambda: query(settings.dsn, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                           "AND wait_event_type = 'Lock'")[0][0] > 0,
               30, "the worker to block mid-chunk")
    return ids, lock


def test_a_pool_process_killed_mid_chunk_loses_nothing(settings, start_worker):
    worker = start_worker(settings, concurrency=1)
    ids, lock = block_a_chunk_mid_write(settings)
    [child] = worker.children()
    os.kill(child.pid, signal.SIGKILL)
    wait_until(lambda: "SIGKILL" in worker.log(), 30, "the worker to notice its pool process died")
    lock.rollback()
    lock.close()
    wait_until(lambda: counts(settings)[0] == len(ids), 60, "the chunk to be scanned again")
    assert no_duplicate_reports(settings)
    assert finished(worker.log(), "spambrainz.scan_chunk") == 1


def test_a_whole_worker_killed_mid_chunk_loses_nothing(settings, start_worker):
    settings = settings.replace(task_soft_time_limit_s=4, visibility_timeout_s=9)
    first = start_worker(settings, concurrency=1)
    ids, lock = block_a_chunk_mid_write(settings)
    killed_at = time.monotonic()
    first.kill()
    lock.rollback()
    lock.close()
    time.sleep(2)
    assert counts(settings)[0] == 0  # the dead worker's transaction never committed
    second = start_worker(settings, concurrency=1)
    wait_until(lambda: counts(settings)[0] == len(ids), 60, "another worker to scan the chunk again")
    assert time.monotonic() - killed_at >= settings.visibility_timeout_s
    assert no_duplicate_reports(settings) and finished(second.log(), "spambrainz.scan_chunk") == 1


def test_bad_ids_are_named_and_the_rest_of_the_chunk_is_scanned(settings, start_worker):
    worker = start_worker(settings)
    a, b = (i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor WHERE id > 4 ORDER BY id LIMIT 2"))
    with Publisher(settings.broker_url, chunk_size=100) as publisher:
        publisher.publish("editor", [a, -5, "abc", 99999999, 1.5, b])
    wait_until(lambda: "succeeded in" in worker.log(), 30, "the chunk to finish")
    assert query(settings.dsn, "SELECT entity_id FROM score ORDER BY entity_id") == [(a,), (b,)]
    assert sorted(query(settings.dsn, "SELECT entity, error FROM scan_error")) == [
        ("'abc'", "editor ID 'abc' is not an integer"),
        ("-5", "editor ID -5 is out of range (1 to 2147483647)"),
        ("1.5", "editor ID 1.5 is not an integer"),
        ("99999999", "editor 99999999 does not exist in MusicBrainz"),
    ]
    assert "cannot scan editor 99999999: editor 99999999 does not exist in MusicBrainz" in worker.log()


def test_a_chunk_past_its_soft_time_limit_is_split_and_an_entity_too_slow_alone_is_a_scan_error(
        rt, settings, start_worker, redis_server):
    settings = settings.replace(task_soft_time_limit_s=2, visibility_timeout_s=9)
    worker = start_worker(settings, concurrency=1)
    slow, fast = (i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id LIMIT 2"))
    lock = psycopg2.connect(settings.mb_dsn)  # reading editors waits for this lock: a chunk that takes too long
    lock.cursor().execute("LOCK TABLE musicbrainz.editor IN ACCESS EXCLUSIVE MODE")
    with Publisher(settings.broker_url, chunk_size=100) as publisher:
        publisher.publish("editor", [slow, fast])
    wait_until(lambda: query(settings.dsn, "SELECT entity FROM scan_error") == [(str(slow),)], 60,
               "the chunk to be split and its first half, alone, to run out of time")
    lock.rollback()  # the second half now loads at once
    lock.close()
    wait_until(lambda: query(settings.dsn, "SELECT entity_id FROM score") == [(fast,)], 30, "the second half")
    log = worker.log()
    assert "a chunk of 2 editors ran past the soft time limit (2 s): queued again as two halves" in log
    assert f"cannot scan editor {slow}: scanning editor {slow} alone took longer than the soft time limit of 2 s" in log
    assert redis_server.client.llen("scan") == 0 and redis_server.client.hlen("unacked") == 0
    worker.stop()
    with Publisher(settings.broker_url, chunk_size=100_000) as publisher:  # nothing of the chunk is missing
        enqueue_missing(rt.sources, rt.store, publisher)
    [(_, _, again)] = [scan for scan in queued_scans(redis_server.client) if scan[1] == "editor"]
    assert slow not in again and fast not in again and len(again) == mb_counts(settings)[0] - 2
