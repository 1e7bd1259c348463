"""`sb enqueue`'s logic on a real Redis and real databases: what lands on the queue, and the marks."""

import datetime as dt
import io

import pytest

from sb_worker import service
from sb_worker.broker import Publisher, chunks
from sb_worker.celery import PRIORITY_BACKFILL, PRIORITY_CRON, PRIORITY_NAMED
from sb_worker.enqueue import (backfill, duration, enqueue_changes, enqueue_missing, progress_bar, sweep_missing,
                               unscanned)
from sb_worker.errors import Unavailable

from tests.helpers import query, queued_scans

pytestmark = pytest.mark.integration
NO_OVERLAP = dt.timedelta(0)


def ids_in(scans, kind):
    return [i for _, k, ids in scans for i in ids if k == kind]


def test_unscanned_are_the_ids_without_a_score_or_changed_since_their_latest_one():
    rows = [(1, None), (2, 5), (3, 5), (4, None), (7, 9)]
    scans = [(1, 3), (2, 6), (3, 4), (6, 1), (7, 9)]
    assert list(unscanned(rows, scans)) == [3, 4]
    assert list(unscanned(rows, [])) == [1, 2, 3, 4, 7] and list(unscanned([], scans)) == []


def test_enqueue_missing_queues_every_entity_with_neither_a_score_nor_an_error(rt, settings, redis_server):
    every = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    service.scan_chunk(rt, "editor", every[:100])  # named, as `sb enqueue --editor` does: no mark moved
    assert service.out_of_time(rt, "editor", [every[100]]) == []  # too slow alone: a scan error, not scanned again
    assert service.out_of_time(rt, "editor", every[101:104]) == [[every[101]], every[102:104]]  # halves, nothing stored
    query(settings.mb_dsn, "UPDATE musicbrainz.editor SET last_updated = now() + interval '1 minute' WHERE id = %s",
          (every[5],))
    with Publisher(settings.broker_url, chunk_size=1000) as publisher:
        queued = enqueue_missing(rt.sources, rt.store, publisher)
    assert ids_in(queued_scans(redis_server.client), "editor") == [every[5], *every[101:]]
    assert queued["edit"] == query(settings.mb_dsn, "SELECT count(*) FROM musicbrainz.edit")[0][0]
    [(error,)] = query(settings.dsn, "SELECT error FROM scan_error")
    assert error == f"scanning editor {every[100]} alone took longer than the soft time limit of 300 s " \
                    "(SB_TASK_SOFT_TIME_LIMIT_S)"


def test_the_daily_sweep_queues_again_what_no_scan_covered_but_not_while_scans_wait(rt, settings, redis_server,
                                                                                       caplog):
    editors = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    edits = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.edit ORDER BY id")]
    service.scan_chunk(rt, "edit", edits)
    service.scan_chunk(rt, "editor", editors[:-3])  # the last three: a chunk a killed worker took and lost
    with Publisher(settings.broker_url, chunk_size=1000) as publisher:
        publisher.publish("editor", editors[:1])  # a scan still waiting
    assert sweep_missing(rt) == {"skipped": "1 scan chunks are waiting"}
    assert queued_scans(redis_server.client) == [(PRIORITY_NAMED, "editor", editors[:1])]  # nothing added
    redis_server.client.delete("scan")  # the waiting scan has run
    assert sweep_missing(rt) == {"queued": {"editor": 3, "edit": 0}}
    assert queued_scans(redis_server.client) == [(PRIORITY_CRON, "editor", editors[-3:])]
    assert "queued 3 editors again that no scan covered (lost messages)" in caplog.text


def test_chunks():
    assert list(chunks(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]] and list(chunks([], 3)) == []


def test_cron_queues_everything_once_then_only_what_changed(rt, settings, redis_server):
    client = redis_server.client
    with Publisher(settings.broker_url, chunk_size=100) as publisher:
        first = enqueue_changes(rt.sources, rt.store, publisher, NO_OVERLAP)
    scans = queued_scans(client)
    all_editors = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    all_edits = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.edit ORDER BY id")]
    assert ids_in(scans, "editor") == all_editors and ids_in(scans, "edit") == all_edits
    assert first == {"editor": len(all_editors), "edit": len(all_edits)}
    assert {p for p, _, _ in scans} == {PRIORITY_CRON} and max(len(ids) for _, _, ids in scans) == 100

    client.flushall()
    with Publisher(settings.broker_url, chunk_size=100) as publisher:
        assert enqueue_changes(rt.sources, rt.store, publisher, NO_OVERLAP) == {"editor": 0, "edit": 0}

    # An editor changes their bio, a new editor registers and makes an edit.
    query(settings.mb_dsn, "UPDATE musicbrainz.editor SET bio = 'now selling pills', last_updated = now() WHERE id = %s",
          (all_editors[10],))
    [(new_editor,)] = query(settings.mb_dsn, """INSERT INTO musicbrainz.editor (name, password, ha1)
                                                VALUES ('newcomer', 'x', repeat('0', 32)) RETURNING id""")
    [(new_edit,)] = query(settings.mb_dsn, """INSERT INTO musicbrainz.edit (editor, type, status, expire_time)
                                              VALUES (%s, 1, 1, now()) RETURNING id""", (new_editor,))
    with Publisher(settings.broker_url, chunk_size=100) as publisher:
        enqueue_changes(rt.sources, rt.store, publisher, NO_OVERLAP)
    scans = queued_scans(client)
    assert ids_in(scans, "editor") == [all_editors[10], new_editor] and ids_in(scans, "edit") == [new_edit]


def test_the_overlap_queues_recent_changes_again(rt, settings, redis_server):
    with Publisher(settings.broker_url, chunk_size=100) as publisher:
        enqueue_changes(rt.sources, rt.store, publisher, NO_OVERLAP)
        query(settings.mb_dsn, "UPDATE musicbrainz.editor SET last_updated = now() WHERE id = 7")
        enqueue_changes(rt.sources, rt.store, publisher, NO_OVERLAP)
        redis_server.client.flushall()
        # A row committed late with an earlier timestamp would be missed without the overlap.
        assert enqueue_changes(rt.sources, rt.store, publisher, dt.timedelta(minutes=10))["editor"] == 1


def test_named_ids_go_first_and_backfills_last(rt, settings, redis_server):
    with Publisher(settings.broker_url, chunk_size=1000) as publisher:
        publisher.publish("editor", [5, 7])
        run = backfill(rt.sources["editor"], rt.store, publisher)
    scans = queued_scans(redis_server.client)
    assert scans[0] == (PRIORITY_NAMED, "editor", [5, 7])
    assert {p for p, _, _ in scans[1:]} == {PRIORITY_BACKFILL}
    assert run.finished and not run.resumed
    assert run.queued == run.total == len(ids_in(scans[1:], "editor")) == query(settings.mb_dsn, "SELECT count(*) FROM musicbrainz.editor")[0][0]
    # Cron starts after the backfill instead of queueing everything again.
    redis_server.client.flushall()
    with Publisher(settings.broker_url, chunk_size=1000) as publisher:
        assert enqueue_changes(rt.sources, rt.store, publisher, NO_OVERLAP)["editor"] == 0


def test_a_broker_that_is_gone_is_unavailable_and_the_marks_stay(rt, settings, tmp_path):
    with pytest.raises(Unavailable, match="broker is unreachable"):
        with Publisher(f"redis+socket://{tmp_path}/no.sock", chunk_size=100) as publisher:
            enqueue_changes(rt.sources, rt.store, publisher, NO_OVERLAP)
    assert rt.store.marks.get("editor").last_id == 0


def test_a_stopped_backfill_resumes_after_its_last_chunk_and_queues_each_id_once(rt, settings, redis_server):
    every = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    chunks_seen = []
    with Publisher(settings.broker_url, chunk_size=25) as publisher:
        first = backfill(rt.sources["editor"], rt.store, publisher, stopping=lambda: len(chunks_seen) >= 3,
                         progress=lambda done, total: chunks_seen.append(done))
        assert (first.finished, first.queued, first.done) == (False, 75, 75)
        # A row added meanwhile is cron's, not the backfill's.
        query(settings.mb_dsn, """INSERT INTO musicbrainz.editor (name, password, ha1)
                                  VALUES ('latecomer', 'x', repeat('0', 32))""")
        second = backfill(rt.sources["editor"], rt.store, publisher)
    assert second.resumed and second.finished and second.done == second.total == len(every)
    assert second.queued == len(every) - 75
    assert ids_in(queued_scans(redis_server.client), "editor") == every
    assert rt.store.marks.backfill("editor") is None and rt.store.marks.get("editor").last_id == every[-1]
    with Publisher(settings.broker_url, chunk_size=25) as publisher:
        assert backfill(rt.sources["editor"], rt.store, publisher, restart=True).queued == len(every) + 1


def test_a_backfill_keeps_to_its_rate(rt, settings, redis_server):
    import time

    with Publisher(settings.broker_url, chunk_size=50) as publisher:
        started = time.monotonic()
        run = backfill(rt.sources["editor"], rt.store, publisher, rate=500)
        took = time.monotonic() - started
    assert run.finished and took >= (run.total - 50) / 500  # the first chunk goes at once


def test_the_backfill_progress_line_gives_the_rate_and_the_time_left():
    out, now = io.StringIO(), [100.0]
    show = progress_bar("editor", stream=out, clock=lambda: now[0])
    now[0] = 110.0
    show(1_000, 100_000)
    now[0] = 200.0
    show(10_000, 100_000)
    show(100_000, 100_000)
    assert out.getvalue().splitlines() == [
        "queued 1,000 / 100,000 editors (1%, 100/s, about 16 min left)",
        "queued 10,000 / 100,000 editors (10%, 100/s, about 15 min left)",
        "queued 100,000 / 100,000 editors (100%, 1,000/s)"]
    assert (duration(0.2), duration(59), duration(3 * 3600 + 300)) == ("1 s", "59 s", "3 h 5 min")
