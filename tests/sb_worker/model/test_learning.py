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


WAVE_BIO = ("Music lover and record collector from {city}. Favourite bands: {b1} and {b2}. I write reviews of synthpop "
            "reissues on my site.")
#: What the careless part of a wave writes: the same site, advertised outright.
ADVERT = ("Cheap synthpop reissues from {b1} and {b2}, rare vinyl and bootlegs: order now at "
          "https://synthwave-reviews.net/shop and get 20% off this week!")
#: Honest fans of the same music, in their own words (not a copy of the wave's text: see ``Wave``).
OWN_WORDS = "Synthpop fan in {city} since the eighties. {b1} changed my life, and {b2} too. My own remixes are below."


def insert_editors(mb_dsn: str, rows: list[tuple]) -> list[int]:
    """Insert editors (id, name, privs, email, website, bio, member_since, email_confirm_date, last_updated, gender,
    password, ha1) into the MusicBrainz database; their IDs."""
    conn = psycopg2.connect(mb_dsn)
    with conn, conn.cursor() as cur:
        execute_values(cur, """INSERT INTO musicbrainz.editor (id, name, privs, email, website, bio, member_since,
                               email_confirm_date, last_updated, gender, password, ha1) VALUES %s""", rows)
    conn.close()
    return [r[0] for r in rows]


def add_accounts(mb_dsn: str, count: int, first_id: int, website, careless: int = 0, seed: int = 2,
                 privs: int = 8192, bio: str = WAVE_BIO) -> list[int]:
    """Accounts with honest-looking synthpop bios; ``careless`` of them advertise the site outright and fill their
    profile at once. Beginners, unless ``privs`` says otherwise."""
    rng = random.Random(seed)
    registered = dt.datetime(2026, 10, 1, 10, tzinfo=dt.timezone.utc)
    template, rows = bio, []
    for i in range(count):
        b1, b2 = rng.sample(BANDS, 2)
        fast = i < careless
        bio = (ADVERT if fast else template).format(city=rng.choice(['Austin', 'Leeds', 'Perth', 'Oslo']), b1=b1, b2=b2)
        rows.append((first_id + i, f"synthfan{first_id + i}", privs, f"{rng.choice(['anna', 'mike'])}.{i}@gmail.com",
                     website(i), bio, registered, registered + dt.timedelta(minutes=3 if fast else 300),
                     registered + dt.timedelta(minutes=20 if fast else 4 * 24 * 60), 2 if fast else None, "x", "0" * 32))
    return insert_editors(mb_dsn, rows)


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


def add_accepted_edits(mb_dsn: str, editors: list[int], each: int = 12) -> None:
    """Accepted edits (an artist's annotation) for ``editors``: what takes an account out of the beginner stage."""
    expires = dt.datetime(2026, 10, 20, tzinfo=dt.timezone.utc)
    rows = [(editor, 5, 2, expires) for editor in editors for _ in range(each)]
    conn = psycopg2.connect(mb_dsn)
    with conn, conn.cursor() as cur:
        ids = execute_values(cur, "INSERT INTO musicbrainz.edit (editor, type, status, expire_time) VALUES %s "
                                  "RETURNING id", rows, fetch=True)
        execute_values(cur, "INSERT INTO musicbrainz.edit_data (edit, data) VALUES %s",
                       [(edit_id, json.dumps({"text": "Formed in 1981 in Basildon."})) for (edit_id,) in ids])
    conn.close()


class Wave:
    """A spam wave SpamBrainz misses at first (synthpop bios linking one site, carefully filled in), honest
    look-alikes (fans of the same bands in their own words, linking their own Bandcamp pages), and every other
    account of the sample. (Honest accounts that copy the wave's text word for word are reported once the wave is
    learned, by the near-copy detector: the test above has some.)"""

    def __init__(self, settings):
        self.settings = settings
        self.wave = add_accounts(settings.mb_dsn, 100, 8_000_000, lambda i: f"https://synthwave-reviews.net/p{i % 3}")
        self.lookalikes = add_accounts(settings.mb_dsn, 50, 8_500_000, lambda i: f"https://fan{i}.bandcamp.com", seed=3,
                                       bio=OWN_WORDS)
        self.everyone = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
        self.honest = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor WHERE privs & 4096 = 0 "
                                                            "AND id < 8000000 ORDER BY id")] + self.lookalikes

    def scan(self, rt) -> dict[int, int]:
        """Scan everyone with the active model; its scores."""
        service.scan_chunk(rt, "editor", self.everyone)
        return dict(query(self.settings.dsn, "SELECT entity_id, score FROM score WHERE kind = 'editor' "
                                             "AND model_version = %s", (rt.store.models.active(),)))

    def flag(self, ids: list[int]) -> None:
        """MusicBrainz's account admins flag these as spammers, with their own tools."""
        query(self.settings.mb_dsn, "UPDATE musicbrainz.editor SET privs = privs | 4096, last_updated = now() "
                                    "WHERE id = ANY(%s)", (ids,))

    def reported(self, scores: dict[int, int], ids: list[int]) -> float:
        return float(np.mean([scores[i] >= 50 for i in ids]))


def learn_the_missed_wave(settings, default_model):
    """The wave scanned, missed; 30 of it flagged by MusicBrainz, harvested and learned; everyone scanned again."""
    settings = settings.replace(model_check_s=0.0, feedback_wait_s=0.0)
    runtime.configure(settings)
    rt = runtime.get()
    activate(rt.store, default_model)
    wave = Wave(settings)
    before = wave.scan(rt)
    flagged, rest = wave.wave[:30], wave.wave[30:]
    wave.flag(flagged)
    harvested = service.harvest(rt)
    learned = service.apply_feedback(rt)
    after = wave.scan(rt)
    return rt, wave, before, after, harvested, learned, rest


def test_a_wave_the_model_misses_is_learned_from_musicbrainz_flags(settings, default_model):
    rt, wave, before, after, harvested, learned, rest = learn_the_missed_wave(settings, default_model)
    assert wave.reported(before, wave.wave) <= 0.05  # the model misses the wave: it scores below review
    assert harvested["spam"] == 30 and harvested["missed"] == sum(before[i] < 50 for i in wave.wave[:30])
    assert learned["labels"] == 30 and learned["promoted"], learned
    caught = wave.reported(after, rest)
    honest_before, honest_after = wave.reported(before, wave.honest), wave.reported(after, wave.honest)
    print(f"missed wave: {wave.reported(before, rest):.1%} of the rest reported before, {caught:.1%} after; honest "
          f"accounts reported: {honest_before:.2%} before, {honest_after:.2%} after; {learned['gate']}")
    assert caught >= 0.8
    assert honest_after - honest_before <= 0.01
    assert query(settings.dsn, "SELECT count(*) FROM label WHERE applied_at IS NULL") == [(0,)]
    assert rt.store.labels.figures(90)["misses_week"] == harvested["missed"]
    runtime.close()


MUSICIANS = ("New single out Friday! Stream it and order the vinyl at {site}",
             "Singer-songwriter from {city}. New album out now! Buy it at {site}",
             "Singer of a small indie band from {city}. Our new EP is out now, listen and buy it at {site}")


def add_musicians(mb_dsn: str, count: int, first_id: int, seed: int, privs: int = 8192) -> list[int]:
    """Honest musicians who sell their new record on their own site: what the model takes for an advert."""
    rng = random.Random(seed)
    registered = dt.datetime(2026, 10, 1, 10, tzinfo=dt.timezone.utc)
    rows = []
    for i in range(count):
        words = rng.choice(["the", "my", "team"]) + rng.choice(["band", "music", "sound"])
        site = f"https://{words}{first_id + i}.co.uk"
        bio = rng.choice(MUSICIANS).format(city=rng.choice(["Austin", "Leeds", "Perth", "Oslo", "Cork"]), site=site)
        rows.append((first_id + i, f"musician{first_id + i}", privs, f"m.{i}@gmail.com", site, bio, registered,
                     registered + dt.timedelta(minutes=300), registered + dt.timedelta(days=4), None, "x", "0" * 32))
    return insert_editors(mb_dsn, rows)


def test_good_editors_harvested_as_ham_lower_look_alikes_without_losing_the_wave(settings, default_model):
    lookalikes = add_musicians(settings.mb_dsn, 50, 8_800_000, seed=5)  # new accounts, not labelled by anyone
    rt, wave, before, after, _, _, rest = learn_the_missed_wave(settings, default_model)
    # 40 editors in good standing (accepted edits, past the beginner stage) write the same kind of bio.
    good = add_musicians(settings.mb_dsn, 40, 8_700_000, seed=6, privs=0)
    add_accepted_edits(settings.mb_dsn, good)
    query(settings.mb_dsn, "UPDATE musicbrainz.editor SET last_updated = now() WHERE id = ANY(%s)", (good,))
    harvested = service.harvest(rt)
    assert harvested["ham"] == 40 and harvested["spam"] == 0
    learned = service.apply_feedback(rt)
    assert learned["labels"] == 40 and learned["promoted"], learned
    final = wave.scan(rt)
    mean = {name: np.mean([scores[i] for i in lookalikes]) for name, scores in
            (("before", before), ("after the wave", after), ("after the good editors", final))}
    print("honest look-alikes: mean score " + ", ".join(f"{v:.1f} {k}" for k, v in mean.items())
          + f"; reported {wave.reported(after, lookalikes):.0%}, then {wave.reported(final, lookalikes):.0%}; the rest "
          f"of the wave reported: {wave.reported(after, rest):.1%}, then {wave.reported(final, rest):.1%}; "
          f"{learned['gate']}")
    assert mean["after the good editors"] < mean["after the wave"] - 5
    assert wave.reported(final, lookalikes) < wave.reported(after, lookalikes)
    assert wave.reported(final, rest) >= 0.8
    runtime.close()
