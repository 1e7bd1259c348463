import socket

from sb_worker.metrics import Metrics, make_metrics


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
