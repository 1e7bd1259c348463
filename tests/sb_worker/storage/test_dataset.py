"""`sb dump-dataset` on a real sample MusicBrainz database."""

import json

import pytest

from detectors.musicbrainz import SPAMMER
from sb_worker.scoring.pipeline import Score, build_pipeline
from sb_worker.storage.dataset import private
from sb_worker.storage.mb import MBReader

from tests.helpers import query
from tests.sb_worker.test_cli import sb

pytestmark = pytest.mark.integration


def test_the_export_is_labelled_by_mbs_own_flags_and_keeps_no_email_address(settings, tmp_path):
    out = tmp_path / "dataset.jsonl"
    done = sb(settings, "dump-dataset", "--out", str(out))
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    labels = {r["id"]: r["label"] for r in records}
    spammers = {i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor WHERE privs & %s <> 0", (SPAMMER,))}
    assert {i for i, label in labels.items() if label == "spam"} == spammers
    [(good_standing,)] = query(settings.mb_dsn, """
        SELECT count(*) FROM musicbrainz.editor e WHERE privs & %s = 0 AND id > 4
          AND (privs & 8192 = 0 OR EXISTS (SELECT 1 FROM musicbrainz.edit WHERE editor = e.id AND status = 2))""",
        (SPAMMER,))
    assert sum(label == "ham" for label in labels.values()) == good_standing > 0
    assert {1, 2, 4}.isdisjoint(labels)  # MB's special accounts are no examples of anything
    emails = [e for (e,) in query(settings.mb_dsn, "SELECT email FROM musicbrainz.editor WHERE email IS NOT NULL")]
    text = out.read_text()
    assert not any(e in text for e in emails)
    assert all(r["email"] is None or (r["email"].startswith("@") and "." in r["email"]) for r in records)
    assert all("last_login_date" not in r and r.get("birth_date") in (None, True) for r in records)
    assert f"wrote {len(spammers):,} spam" in done.stdout
    # The export scores like the database record it came from: what scoring reads survives, except the email
    # address's local part (the export keeps its domain only), which the email detector reads.
    exported = [r for r in records if r["label"] == "spam"]
    reader = MBReader(settings.mb_dsn)
    try:
        loaded = reader.load_editors([r["id"] for r in exported])
    finally:
        reader.close()
    pipeline = build_pipeline({"email_provider": {"enabled": False}})
    from_file, from_db = pipeline.score("editor", exported), pipeline.score("editor", loaded)
    assert all(isinstance(s, Score) for s in from_file + from_db)
    assert [(s.entity_id, s.score) for s in from_file] == [(s.entity_id, s.score) for s in from_db]
    assert sum(s.score >= 50 for s in from_file) > len(from_file) / 2


def test_private_keeps_the_domain_only():
    assert private({"email": "Some.One@GMX.de", "birth_date": "1990-01-01", "last_login_date": "x", "bio": "b"}) == {
        "email": "@gmx.de", "birth_date": True, "bio": "b"}
    assert private({"email": None})["email"] is None and private({"email": "broken"})["email"] is None
