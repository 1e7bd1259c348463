"""Ninja verdicts close the loop: a new spam wave is caught after its first confirmed reports."""

from __future__ import annotations

import datetime as dt
import json
import random

import numpy as np
import psycopg2
import pytest
from psycopg2.extras import execute_values

from sb_worker import runtime, service
from sb_worker.model import learning
from sb_worker.scoring.pipeline import Thresholds
from sb_worker.settings import Settings
from sb_worker.web.app import create_app

from tests.helpers import activate, add_token, query

pytestmark = pytest.mark.integration
BANDS = ["Depeche Mode", "New Order", "The Cure", "Pet Shop Boys", "Erasure", "Tears for Fears", "OMD", "Yazoo"]


def add_accounts(mb_dsn: str, count: int, first_id: int, website, careless: int = 0, seed: int = 2) -> list[int]:
    """Accounts with honest-looking synthpop bios; ``careless`` of them fill their profile at once, like spam."""
    rng = random.Random(seed)
    registered = dt.datetime(2026, 10, 1, 10, tzinfo=dt.timezone.utc)
    rows = []
    for i in range(count):
        b1, b2 = rng.sample(BANDS, 2)
        bio = (f"Music lover and record collector from {rng.choice(['Austin', 'Leeds', 'Perth', 'Oslo'])}. "
               f"Favourite bands: {b1} and {b2}. I write reviews of synthpop reissues on my site.")
        fast = i < careless
        rows.append((first_id + i, f"synthfan{first_id + i}", 8192, f"{rng.choice(['anna', 'mike'])}.{i}@gmail.com",
                     website(i), bio, registered, registered + dt.timedelta(minutes=3 if fast else 300),
                     registered + dt.timedelta(minutes=20 if fast else 4 * 24 * 60), 2 if fast else None, "x", "0" * 32))
    conn = psycopg2.connect(mb_dsn)
    with conn, conn.cursor() as cur:
        execute_values(cur, """INSERT INTO musicbrainz.editor (id, name, privs, email, website, bio, member_since,
                               email_confirm_date, last_updated, gender, password, ha1) VALUES %s""", rows)
    conn.close()
    return [r[0] for r in rows]


def test_a_new_wave_is_caught_after_ninjas_confirm_its_first_reports(settings, default_model):
    settings = settings.replace(model_check_s=0.0)
    runtime.configure(settings)
    rt = runtime.get()
    activate(rt.store, default_model)
    wave = add_accounts(settings.mb_dsn, 100, 8_000_000, lambda i: f"https://synthwave-reviews.net/p{i % 3}", careless=30)
    honest_lookalikes = add_accounts(settings.mb_dsn, 50, 8_500_000, lambda i: f"https://fan{i}.bandcamp.com", seed=3)
    everyone = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    honest = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor WHERE privs & 4096 = 0 "
                                                   "AND id < 8000000 ORDER BY id")] + honest_lookalikes

    def scores(version: str) -> dict[int, int]:
        return dict(query(settings.dsn, "SELECT entity_id, score FROM score WHERE kind = 'editor' AND model_version = %s",
                          (version,)))

    service.scan_chunk(rt, "editor", everyone)
    before = scores(default_model.name)
    assert sum(before[i] >= 50 for i in wave) < 50  # most of the wave slips through ...
    reported = [r for (r,) in query(settings.dsn, "SELECT id FROM report WHERE entity_id = ANY(%s) ORDER BY id",
                                    (wave,))]
    assert len(reported) >= 20  # ... but the careless part of it is reported

    app = create_app(settings)
    token = add_token(rt.store, "ninja", ["feedback"])
    client = app.test_client()
    for report_id in reported[:20]:
        answer = client.post(f"/v1/reports/{report_id}/verdict", headers={"Authorization": f"Bearer {token}"},
                             json={"verdict": "spam", "ninja": "reosarevok"})
        assert answer.status_code == 201

    result = service.apply_feedback(rt)
    assert result["applied"] == 20 and result["promoted"], result
    confirmed = set(query(settings.dsn, "SELECT entity_id FROM report WHERE id = ANY(%s)", (reported[:20],)))
    rest = [i for i in wave if (i,) not in confirmed]
    service.scan_chunk(rt, "editor", everyone)
    after = scores(result["candidate"])
    caught = np.mean([after[i] >= 50 for i in rest])
    honest_before = np.mean([before[i] >= 50 for i in honest])
    honest_after = np.mean([after[i] >= 50 for i in honest])
    print(f"wave: {np.mean([before[i] >= 50 for i in rest]):.1%} of the rest reported before, {caught:.1%} after; "
          f"honest accounts above the threshold: {honest_before:.2%} before, {honest_after:.2%} after")
    assert caught >= 0.8
    assert honest_after - honest_before <= 0.01
    assert query(settings.dsn, "SELECT count(*) FROM verdict WHERE applied_at IS NULL") == [(0,)]
    runtime.close()


def test_the_gate_refuses_a_candidate_that_loses_precision(default_model):
    from sb_worker.model.neural import NeuralModel

    active = NeuralModel.load(default_model)
    reckless = NeuralModel.load(default_model)
    reckless.version = "nn-reckless"
    reckless.calibration = (reckless.calibration[0], reckless.calibration[1] + 8.0)  # flags far more
    report = learning.gate(active, reckless, [], Thresholds(50), cache_dir=Settings().cache_dir)
    assert not report.promoted and report.candidate_precision < report.active_precision
    assert "kept as a candidate" in report.summary()


def test_a_verdict_is_stored_before_the_trainer_is_woken(settings, rt, redis_server):
    service.scan_chunk(rt, "editor", [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor")])
    [(report_id,)] = query(settings.dsn, "SELECT id FROM report ORDER BY id LIMIT 1")
    token = add_token(rt.store, "ninja", ["feedback"])
    answer = create_app(settings).test_client().post(
        f"/v1/reports/{report_id}/verdict", headers={"Authorization": f"Bearer {token}"},
        json={"verdict": "spam", "ninja": "x"})
    assert answer.status_code == 201
    assert query(settings.dsn, "SELECT verdict, applied_at FROM verdict") == [("spam", None)]
    messages = redis_server.client.lrange("feedback", 0, -1)
    assert [json.loads(m)["headers"]["task"] for m in messages] == ["spambrainz.apply_feedback"]
