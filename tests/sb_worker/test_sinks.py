import logging
import socket

import pytest

from sb_worker.errors import ConfigError, DeliveryRejected, Unavailable
from sb_worker.settings import Settings
from sb_worker.sinks import LogSink, MailSink, MusicBrainzSink, WebhookSink, build_sinks
from tests.smtp import MailReceiver
from tests.webhook import WebhookReceiver

REPORT = {"id": 7, "kind": "editor", "site": "MusicBrainz", "entity_id": 42, "score": 93, "action": "review", "model_version": "h",
          "created_at": "2026-11-01T00:00:00+00:00",
          "reasons": [{"detector": "text_links", "points": 20.0, "why": "1 link in the bio (x.example)"}],
          "account": {"editor_id": 42, "name": "cheap_pills_42", "profile_url": "https://musicbrainz.org/user/cheap_pills_42"},
          "entity_url": "https://musicbrainz.org/user/cheap_pills_42", "reporter": {"id": 4, "name": "ModBot"},
          "review_url": "https://spambrainz.example.org/review?report=7"}


def test_webhook_posts_the_report_with_an_idempotency_key():
    with WebhookReceiver() as receiver:
        WebhookSink(receiver.url, timeout_s=5).send(REPORT)
    [(status, headers, body)] = receiver.requests
    assert status == 200 and body == REPORT  # every field, the account, links and reporter included
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
    with pytest.raises(ConfigError, match="unknown sink.*fax.*known: log, webhook, mail, musicbrainz"):
        build_sinks(Settings(report_sinks=("fax",)))
    with pytest.raises(ConfigError, match="names 'mail' but SB_MAIL_TO is empty"):
        Settings(report_sinks=("mail",))
    with pytest.raises(ConfigError, match="names 'musicbrainz' but SB_MB_REPORT_TOKEN is empty"):
        Settings(report_sinks=("musicbrainz",), mb_report_url="https://musicbrainz.org/ws/js/report")


def test_the_mail_sink_sends_what_the_report_user_form_sends_to_a_real_smtp_server():
    with MailReceiver() as server:
        MailSink("127.0.0.1", server.port, "spambrainz@musicbrainz.org", "account-admins@musicbrainz.org", 5).send(REPORT)
    [mail] = server.mails
    assert mail["Subject"] == "Editor report: cheap_pills_42 (spam, score 93)"
    assert mail["From"] == "ModBot via SpamBrainz <spambrainz@musicbrainz.org>"
    assert mail["To"] == "account-admins@musicbrainz.org"
    assert mail["Message-ID"] == "<spambrainz-report-7@musicbrainz.org>"
    assert mail.get_payload(decode=True).decode().replace("\r\n", "\n") == (
        "Reason: spam\n"
        "Reported by: ModBot (editor #4), automatically by SpamBrainz\n"
        "Account: cheap_pills_42 (editor #42)\n"
        "Profile: https://musicbrainz.org/user/cheap_pills_42\n"
        "Score: 93 of 100 (for review), model h\n"
        "\n"
        "Why:\n"
        "- text_links +20: 1 link in the bio (x.example)\n"
        "\n"
        "Review it (Spam / Not spam): https://spambrainz.example.org/review?report=7\n"
        "SpamBrainz report #7\n")


@pytest.mark.parametrize("reply, error", [("451 4.3.0 try later", Unavailable), ("550 5.7.1 refused", DeliveryRejected)])
def test_mail_server_answers_say_retry_or_give_up(reply, error):
    with MailReceiver([reply]) as server, pytest.raises(error, match="report 7"):
        MailSink("127.0.0.1", server.port, "sb@x.example", "admins@x.example", 5).send(REPORT)
    assert server.mails == []


def test_a_dead_mail_server_is_unavailable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(Unavailable, match="mail server unreachable for report 7"):
        MailSink("127.0.0.1", port, "sb@x.example", "admins@x.example", 2).send(REPORT)


def test_the_musicbrainz_sink_posts_the_documented_shape_as_the_reporting_editor():
    with WebhookReceiver() as receiver:
        MusicBrainzSink(receiver.url, "mb-secret", timeout_s=5).send(REPORT)
    [(status, headers, body)] = receiver.requests
    assert headers["Authorization"] == "Bearer mb-secret" and headers["Idempotency-Key"] == "spambrainz-report-7"
    assert body == {"reason": "spam", "reporter": {"id": 4, "name": "ModBot"},
                    "editor": {"id": 42, "name": "cheap_pills_42"}, "entity": {"kind": "editor", "id": 42},
                    "message": body["message"], "score": 93, "action": "review", "reasons": REPORT["reasons"],
                    "review_url": "https://spambrainz.example.org/review?report=7", "report_id": 7}
    assert body["message"].startswith("Reason: spam\nReported by: ModBot (editor #4)")
