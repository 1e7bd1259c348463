"""Report delivery on a real worker: retried while a webhook or mail server fails, delivered once each."""

import collections
import os
import signal
import socket
import time

import pytest

from sb_worker import service
from sb_worker.broker import Publisher
from sb_worker.celery import DELIVER_REPORT, app

from tests.helpers import finished, query, wait_until
from tests.smtp import MailReceiver
from tests.webhook import WebhookReceiver

pytestmark = pytest.mark.integration


def test_reports_reach_the_webhook_once_each_despite_failures(settings, start_worker):
    ids = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    with WebhookReceiver(script=[503, 503, 500]) as receiver:
        worker = start_worker(settings.replace(report_sinks=("log", "webhook"), webhook_url=receiver.url))
        with Publisher(settings.broker_url, chunk_size=100) as publisher:
            publisher.publish("editor", ids)
        chunks = len(range(0, len(ids), 100))
        wait_until(lambda: finished(worker.log(), "spambrainz.scan_chunk") == chunks, 30, "the scan to finish")
        reports = query(settings.dsn, "SELECT id FROM report ORDER BY id")
        assert reports
        wait_until(lambda: query(settings.dsn, "SELECT count(*) FROM report WHERE delivered_at IS NULL") == [(0,)],
                   60, "every report to be delivered")
        # A rescan of the same editors delivers nothing again.
        with Publisher(settings.broker_url, chunk_size=100) as publisher:
            publisher.publish("editor", ids)
        wait_until(lambda: finished(worker.log(), "spambrainz.scan_chunk") == 2 * chunks, 30, "the rescan to finish")
    delivered = collections.Counter(body["id"] for body in receiver.accepted())
    assert sorted(delivered) == [r for (r,) in reports] and set(delivered.values()) == {1}
    assert [status for status, _, _ in receiver.requests].count(200) == len(reports)
    assert len(receiver.requests) == len(reports) + 3  # the three failures were retried
    assert "Retry in" in worker.log()
    assert query(settings.dsn, "SELECT count(*) FROM report_delivery") == [(2 * len(reports),)]


def test_a_dead_mail_server_leaves_reports_queued_and_scanning_unaffected(settings, start_worker):
    ids = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    with socket.socket() as s:  # the mail server's port, with no server on it yet
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    worker = start_worker(settings.replace(report_sinks=("mail",), smtp_host="127.0.0.1", smtp_port=port,
                                           mail_to="account-admins@musicbrainz.org",
                                           mail_from="spambrainz@musicbrainz.org"))
    with Publisher(settings.broker_url, chunk_size=100) as publisher:
        publisher.publish("editor", ids)
    wait_until(lambda: query(settings.dsn, "SELECT count(*) FROM score") == [(len(ids),)], 60, "every editor scored")
    reports = [r for (r,) in query(settings.dsn, "SELECT id FROM report ORDER BY id")]
    wait_until(lambda: "mail server unreachable" in worker.log(), 30, "a delivery to fail")
    assert reports and query(settings.dsn, "SELECT count(*) FROM report_delivery") == [(0,)]
    with MailReceiver(port=port) as server:
        wait_until(lambda: query(settings.dsn, "SELECT count(*) FROM report WHERE delivered_at IS NULL") == [(0,)],
                   120, "every report to be mailed once the server is up")
        time.sleep(1)
    mailed = collections.Counter(int(m["Message-ID"].split("-")[2].split("@")[0]) for m in server.mails)
    assert sorted(mailed) == reports and set(mailed.values()) == {1}


def test_each_sink_delivers_once_when_the_delivery_task_is_killed_between_sinks(settings, rt, start_worker):
    ids = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    service.scan_chunk(rt, "editor", ids)  # reports written here, delivered by the worker below
    [(report_id,)] = query(settings.dsn, "SELECT id FROM report ORDER BY score DESC, id LIMIT 1")
    with WebhookReceiver() as webhook, MailReceiver(hold_first=True) as mail:
        worker = start_worker(settings.replace(report_sinks=("webhook", "mail"), webhook_url=webhook.url,
                                               smtp_host="127.0.0.1", smtp_port=mail.port, mail_to="admins@x.example"),
                              queues=("reports",), concurrency=1)
        app.send_task(DELIVER_REPORT, args=(report_id,))
        assert mail.holding.wait(60)  # the webhook has it; the mail is on its way
        [child] = worker.children()
        os.kill(child.pid, signal.SIGKILL)  # the task dies between its two sinks
        wait_until(lambda: "SIGKILL" in worker.log(), 30, "the worker to see its pool process die")
        mail.release.set()
        wait_until(lambda: query(settings.dsn, "SELECT delivered_at IS NOT NULL FROM report WHERE id = %s",
                                 (report_id,)) == [(True,)], 60, "the retried task to finish the delivery")
    assert [body["id"] for _, _, body in webhook.requests] == [report_id]  # not sent again on the retry
    assert [m["Message-ID"] for m in mail.mails] == [f"<spambrainz-report-{report_id}@localhost>"]
    assert query(settings.dsn, "SELECT sink FROM report_delivery WHERE report_id = %s ORDER BY sink",
                 (report_id,)) == [("mail",), ("webhook",)]
