"""Metrics: statsd on a real UDP listener, and the README's table of every metric name."""

import re
import socket
import time
from pathlib import Path

import pytest

from sb_worker import runtime, service
from sb_worker.metrics import METRICS, Metrics, make_metrics
from tests.helpers import query


def test_without_a_host_metrics_go_nowhere():
    metrics = make_metrics("", 8125, "spambrainz")
    assert type(metrics) is Metrics
    metrics.incr("x")
    with metrics.timer("y"):
        pass


def test_statsd_metrics_reach_a_real_udp_listener():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.settimeout(5)
        metrics = make_metrics("127.0.0.1", listener.getsockname()[1], "spambrainz")
        metrics.incr("scan.editor.entities", 3)
        with metrics.timer("scan.editor.chunk"):
            pass
        metrics.gauge("queue.scan", 12)
        received = [listener.recv(1000).decode() for _ in range(3)]
    assert received[0] == "spambrainz.scan.editor.entities:3|c"
    assert received[1].startswith("spambrainz.scan.editor.chunk:") and received[1].endswith("|ms")
    assert received[2] == "spambrainz.queue.scan:12|g"


# -- every documented metric, sent by the real code paths ------------------------------------------------------------
def documented_patterns():
    return {name: re.compile(re.sub(r"\\\{\w+\\\}", r"[A-Za-z0-9_.-]+?", re.escape(name)) + "$") for name, _, _ in METRICS}


def test_the_readme_documents_exactly_the_metrics_sent():
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    rows = re.findall(r"^\| `([^`]+)` \| (counter|timer|gauge) \|", readme, re.MULTILINE)
    assert rows == [(name, kind) for name, kind, _ in METRICS]


@pytest.mark.integration
def test_a_scan_delivery_verdict_and_the_gauges_send_the_documented_metrics(settings, mb_dsn):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.settimeout(0.5)
        # Every account below review is drawn for audit here, so that every band has verdicts and recall is sent.
        runtime.configure(settings.replace(statsd_host="127.0.0.1", statsd_port=listener.getsockname()[1],
                                           report_sinks=("log",), audit_rates=(1.0, 1.0, 1.0, 1.0)))
        try:
            rt = runtime.get()
            ids = [i for (i,) in query(mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
            result = service.scan_chunk(rt, "editor", [*ids, "bad"], queued_at=time.time() - 2)
            service.scan_chunk(rt, "edit", [1, 2, 3], queued_at=time.time())
            service.deliver(rt, result.to_deliver[0])
            service.record_verdict(rt, result.to_deliver[0], "spam", "reosarevok", "")
            audited = [i for (i,) in query(settings.dsn, "SELECT id FROM report WHERE action = 'audit' ORDER BY id")]
            for report_id in audited[1:]:
                rt.store.verdicts.add(report_id, "ham", "reosarevok", "")
            [(missed,)] = query(settings.dsn, "SELECT entity_id FROM report WHERE id = %s", (audited[0],))
            query(mb_dsn, "UPDATE musicbrainz.editor SET privs = privs | 4096, last_updated = now() WHERE id = %s",
                  (missed,))
            service.harvest(rt)  # MusicBrainz flagged one SpamBrainz let through
            service.publish_gauges(rt)
        finally:
            runtime.close()
        packets = []
        try:
            while True:
                packets.append(listener.recv(65535).decode())
        except socket.timeout:
            pass
    sent = {}
    for line in "\n".join(packets).splitlines():
        name, value = line.split(":", 1)
        sent[name.removeprefix("spambrainz.")] = value
    patterns = documented_patterns()
    undocumented = sorted(n for n in sent if not any(p.match(n) for p in patterns.values()))
    assert undocumented == []
    expected = {"scan.editor.entities", "scan.editor.errors", "scan.editor.chunk", "scan.editor.delay",
                "scan.edit.entities", "reports.created.editor", "reports.delivered.log", "verdicts.spam",
                "queue.scan.depth", "queue.reports.depth", "queue.feedback.depth", "reports.open",
                "precision.review", "precision.verdicts", "detectors.spam_phrases.hits", "scores.editor.band_0",
                "audit.open", "recall.review", "recall.low", "recall.high", "recall.audit_verdicts", "harvest.spam",
                "harvest.missed", "misses.week"}
    assert expected <= set(sent)
    assert sent["scan.editor.entities"] == f"{len(ids)}|c" and sent["scan.editor.errors"] == "1|c"
    assert float(sent["scan.editor.delay"].split("|")[0]) >= 2000  # queued two seconds before it was stored
    assert sent["precision.review"] == "1.0|g" and sent["precision.verdicts"] == "1|g"
    assert sent["audit.open"] == "1|g" and sent["misses.week"] == "1|g" and sent["harvest.missed"] == "1|c"
    assert sent["recall.audit_verdicts"] == f"{len(audited) - 1}|g" and float(sent["recall.review"][:-2]) == 1.0
    assert [n for n in sent if n.startswith("harvest.missed.band_")]
    assert sum(int(v.split("|")[0]) for n, v in sent.items() if n.startswith("scores.editor.")) == len(ids)
