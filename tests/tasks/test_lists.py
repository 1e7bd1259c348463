"""The ninjas' lists on real workers: an entry added through the API changes the next scan, without a restart."""

from __future__ import annotations

import time

import pytest

from sb_worker import broker
from sb_worker.web.app import create_app

from tests.helpers import add_token, query, wait_until

pytestmark = pytest.mark.integration

BIO = "I share my DJ mixes every Friday. Ask me for the tunesharehub invite code"


def scanned_at(settings, editor: int):
    """When the account was last scored (a rescan updates its score row)."""
    return query(settings.dsn, "SELECT max(scanned_at) FROM score WHERE kind = 'editor' AND entity_id = %s",
                 (editor,))[0][0]


def open_report(settings, editor: int) -> list:
    return query(settings.dsn, "SELECT score, reasons FROM report WHERE kind = 'editor' AND entity_id = %s "
                               "AND status = 'open'", (editor,))


def test_a_block_list_entry_reaches_a_running_worker_and_its_removal_too(settings, rt, start_worker):
    settings = settings.replace(model_check_s=1)  # how often a worker looks for a new model and changed lists
    [(editor,)] = query(settings.mb_dsn, """INSERT INTO musicbrainz.editor (name, bio, password, ha1)
                                            VALUES ('djmixes', %s, 'x', repeat('0', 32)) RETURNING id""", (BIO,))
    worker = start_worker(settings, queues=("scan",), concurrency=1)
    pid = worker.process.pid

    def scan(n: int) -> None:
        before = scanned_at(settings, editor)
        broker.publish_scan(settings, [editor], [])
        wait_until(lambda: scanned_at(settings, editor) not in (None, before), 60, f"scan {n} of the account")

    scan(1)
    assert open_report(settings, editor) == []  # nothing says spam
    api = create_app(settings).test_client()
    admin = {"Authorization": f"Bearer {add_token(rt.store, 'reosarevok', ['admin'])}"}
    added = api.post("/v1/lists", json={"list": "block", "what": "phrase", "value": "TuneShareHub  invite code",
                                        "reason": "a wave of fake mix pages"}, headers=admin)
    assert added.status_code == 201 and added.json["value"] == "tunesharehub invite code"
    time.sleep(1.5)  # past SB_MODEL_CHECK_S
    scan(2)
    [(score, reasons)] = open_report(settings, editor)
    listed = next(r for r in reasons if r["detector"] == "ninja_lists")
    assert score >= 50 and listed["why"] == "on the ninjas' block list: phrase 'tunesharehub invite code'"
    assert [e["text"] for e in listed["evidence"]] == ["tunesharehub invite code"]  # as written in the bio
    assert worker.process.pid == pid and worker.process.poll() is None  # the same worker, never restarted
    entry = added.json["id"]
    removed = api.delete(f"/v1/lists/{entry}?reason=checked:%20a%20real%20site", headers=admin)
    assert removed.status_code == 200 and removed.json["removed_by"] == "reosarevok"
    assert api.delete(f"/v1/lists/{entry}", headers=admin).status_code == 404
    audit = api.get("/v1/lists", headers=admin).json
    assert audit["entries"] == [] and audit["audit"][0]["removed_reason"] == "checked: a real site"
    query(settings.dsn, "UPDATE report SET status = 'ham' WHERE kind = 'editor' AND entity_id = %s", (editor,))
    time.sleep(1.5)
    scan(3)
    assert open_report(settings, editor) == []  # the entry is gone from the worker too
