"""`sb demo`, run as a person runs it, at a small size."""

import re
import subprocess
import sys

import psutil
import pytest

pytestmark = pytest.mark.integration
SERVERS = ("postgres", "redis-server", "celery")


def live_servers() -> set[int]:
    """PIDs of running (not zombie) PostgreSQL, Redis and Celery processes."""
    found = set()
    for p in psutil.process_iter(["name", "cmdline", "status"]):
        text = " ".join([p.info["name"] or "", *(p.info["cmdline"] or [])])
        if p.info["status"] != psutil.STATUS_ZOMBIE and any(s in text for s in SERVERS):
            found.add(p.pid)
    return found


def run_demo(data_dir) -> str:
    done = subprocess.run([sys.executable, "-m", "sb_worker.cli", "demo", "--editors", "200", "--seed", "3",
                           "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_demo_runs_to_its_summary_twice_and_leaves_nothing_running(tmp_path):
    before = live_servers()
    first = run_demo(tmp_path / "demo")
    assert live_servers() <= before
    second = run_demo(tmp_path / "demo")
    assert live_servers() <= before

    built = re.search(r"built a sample MusicBrainz: 200 editors \((\d+) flagged SPAMMER\), (\d+) edits", first)
    assert built and int(built.group(1)) == 14
    edits = int(built.group(2))
    scanned = re.search(r"scanned +(\d+) entities \((\d+) editors, (\d+) edits\) in [\d.]+ s with 2 worker "
                        r"processes: ([\d,]+) entities/s", first)
    assert scanned and int(scanned.group(2)) == 203 and int(scanned.group(3)) == edits
    assert int(scanned.group(1)) == 203 + edits and int(scanned.group(4).replace(",", "")) > 0
    # It scores with the trained default model, as production does, and says which.
    model = re.search(r"model +(nn-[0-9a-f]{12}) \(editors; edits with its weights alone\)", first)
    assert model and f"scoring with model {model.group(1)}" in first
    reports = int(re.search(r"reports +(\d+) open at review threshold 50, (\d+) of them", first).group(1))
    editors = re.search(r"editors +precision ([\d.]+), recall ([\d.]+) against MB's SPAMMER flag "
                        r"\((\d+) spam reported, (\d+) honest reported, (\d+) spam missed\)", first)
    edits_q = re.search(r"edits +precision [\d.]+, recall [\d.]+ against MB's SPAMMER flag "
                        r"\((\d+) spam reported, (\d+) honest reported", first)
    true_pos, false_pos, false_neg = (int(editors.group(i)) for i in (3, 4, 5))
    assert true_pos + false_neg == 14
    assert true_pos + false_pos + int(edits_q.group(1)) + int(edits_q.group(2)) == reports
    assert float(editors.group(1)) == pytest.approx(true_pos / max(1, true_pos + false_pos), abs=0.001)
    assert true_pos > 0 and "top reports:" in first and re.search(r"#\d+ editor \d+ '.+': score \d+", first)
    assert re.search(r"audit +\d+ accounts drawn from those not reported \(SB_AUDIT_RATES\)", first)
    # The same seed gives the same figures on a second run in the same folder.
    figures = lambda out: re.findall(r"precision .*", out)  # noqa: E731
    assert figures(second) == figures(first)


def test_demo_serve_keeps_the_pages_up_with_a_token_until_ctrl_c(tmp_path):
    import json
    import signal
    import urllib.request

    before = live_servers()
    demo = subprocess.Popen([sys.executable, "-m", "sb_worker.cli", "demo", "--editors", "200", "--seed", "3",
                             "--data-dir", str(tmp_path / "demo"), "--serve", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        for line in demo.stdout:
            lines.append(line)
            if line.strip().startswith("export SB_DSN="):
                break
        out = "".join(lines)
        assert "serving the demo until Ctrl-C" in out, out[-3000:]
        url = re.search(r"review page +(http://127\.0\.0\.1:\d+)/review", out).group(1)
        token = re.search(r"^  token +(\S+)", out, re.M).group(1)
        reports = int(re.search(r"reports +(\d+) open at review threshold", out).group(1))
        assert "export SB_DSN='postgresql://" in out and "SB_BROKER_URL='redis" in out
        listed = urllib.request.urlopen(urllib.request.Request(
            f"{url}/v1/reports?per_page=1", headers={"Authorization": f"Bearer {token}"}), timeout=30)
        assert json.load(listed)["total"] == reports  # the API reads the demo's own database
        assert urllib.request.urlopen(f"{url}/review/signin", timeout=30).status == 200
        assert b"SpamBrainz" in urllib.request.urlopen(f"{url}/", timeout=30).read()
        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=120)
        assert demo.returncode == 0 and "stopped the servers" in rest
    finally:
        if demo.poll() is None:  # a failed check: stop it as a person would, so its servers stop too
            demo.send_signal(signal.SIGTERM)
            try:
                demo.wait(60)
            except subprocess.TimeoutExpired:
                demo.kill()
    assert live_servers() <= before
