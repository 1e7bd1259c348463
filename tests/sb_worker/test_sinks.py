import logging
import socket

import pytest

from sb_worker.errors import ConfigError, DeliveryRejected, Unavailable
from sb_worker.settings import Settings
from sb_worker.sinks import LogSink, WebhookSink, build_sinks
from tests.webhook import WebhookReceiver

REPORT = {"id": 7, "kind": "editor", "entity_id": 42, "score": 93, "action": "review", "model_version": "h",
          "created_at": "2026-11-01T00:00:00+00:00",
          "reasons": [{"detector": "text_links", "points": 20.0, "why": "1 link in the bio (x.example)"}]}


def test_webhook_posts_the_report_with_an_idempotency_key():
    with WebhookReceiver() as receiver:
        WebhookSink(receiver.url, timeout_s=5).send(REPORT)
    [(status, headers, body)] = receiver.requests
    assert status == 200 and body == REPORT
    assert headers["Idempotency-Key"] == "spambrainz-report-7"
    assert headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("status, error", [(503, Unavailable), (429, Unavailable), (400, DeliveryRejected)])
def test_webhook_errors_say_retry_or_give_up(status, error):
    with WebhookReceiver([status]) as receiver, pytest.raises(error, match=f"report 7 .*{status}|{status} for report 7"):
        WebhookSink(receiver.url, timeout_s=5).send(REPORT)


def test_unreachable_webhook_is_unavailable():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(Unavailable, match="webhook unreachable for report 7"):
        WebhookSink(f"http://127.0.0.1:{port}/", timeout_s=2).send(REPORT)


def test_log_sink_writes_one_line_with_the_reasons(caplog):
    with caplog.at_level(logging.WARNING, logger="spambrainz.reports"):
        LogSink().send(REPORT)
    assert caplog.messages == ["report 7: editor 42 scored 93 (review): text_links +20: 1 link in the bio (x.example)"]


def test_sinks_are_chosen_by_name():
    assert build_sinks(Settings()) == []
    sinks = build_sinks(Settings(report_sinks=("log", "webhook"), webhook_url="http://127.0.0.1:1/"))
    assert [s.name for s in sinks] == ["log", "webhook"]
    with pytest.raises(ConfigError, match="unknown sink.*mail.*known: log, webhook"):
        build_sinks(Settings(report_sinks=("mail",)))
