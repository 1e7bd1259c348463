"""The BookBrainz editors source, end to end: its sample through `sb enqueue`, real Celery workers, the same
detectors, reports, the review page, trust and the trainer's records."""

from __future__ import annotations

import datetime as dt

import pytest

from sb_worker import service
from sb_worker.model import learning
from sb_worker.samples.bookbrainz import build_bookbrainz_sample

from tests.helpers import activate, query, sb, wait_until
from tests.smtp import MailReceiver

pytestmark = pytest.mark.integration

BB_EDITORS = 600


@pytest.fixture(scope="module")
def bb_template(pg):
    """A sample BookBrainz database built once, copied for each test, with its ground truth."""
    made = build_bookbrainz_sample(pg.create_database("bb_template"), editors=BB_EDITORS, seed=3)
    return "bb_template", made.spam_ids


@pytest.fixture
def bb(pg, bb_template, settings):
    """Settings with BookBrainz's editors as a third source, on a fresh copy of the sample; and its spammers."""
    from tests.conftest import _fresh_database

    template, spam_ids = bb_template
    fresh = _fresh_database(pg, template)
    dsn = next(fresh)
    yield settings.replace(sources=("editor", "edit", "bookbrainz_editor"), bookbrainz_dsn=dsn), spam_ids
    next(fresh, None)


def scored(settings, kind="bookbrainz_editor"):
    return dict(query(settings.dsn, "SELECT entity_id, score FROM score WHERE kind = %s", (kind,)))


def test_the_bookbrainz_sample_is_scored_end_to_end_through_the_workers(bb, start_worker):
    settings, spam_ids = bb
    start_worker(settings)
    queued = sb(settings, "enqueue", "--kind", "bookbrainz_editor")
    assert queued.returncode == 0, queued.stderr
    assert queued.stdout.strip() == f"queued {BB_EDITORS:,} bookbrainz_editors"
    wait_until(lambda: len(scored(settings)) == BB_EDITORS, 90, "every BookBrainz editor to be scored")

    every = {i for (i,) in query(settings.bookbrainz_dsn, "SELECT id FROM bookbrainz.editor")}
    assert set(scored(settings)) == every
    assert scored(settings, "editor") == {}  # only the source asked for
    reported = {e for (e,) in query(settings.dsn, "SELECT entity_id FROM report WHERE kind = 'bookbrainz_editor'")}
    caught = reported & spam_ids
    print(f"BookBrainz sample: {len(reported)} reported, precision {len(caught) / len(reported):.3f}, "
          f"recall {len(caught) / len(spam_ids):.3f}")
    assert len(caught) / len(reported) >= 0.95 and len(caught) / len(spam_ids) >= 0.9
    detectors = {r["detector"] for (reasons,) in query(settings.dsn, "SELECT reasons FROM report") for r in reasons}
    assert {"spam_phrases", "text_links", "contact_details"} <= detectors

    # A new account is found by the next cron run, and (with no overlap) only it.
    query(settings.bookbrainz_dsn, """INSERT INTO bookbrainz.editor (name, bio, type_id)
                                      VALUES ('seo_guru_9', 'Best SEO services, call +91 98765 43210', 1)""")
    again = sb(settings.replace(enqueue_overlap_s=0), "enqueue", "--kind", "bookbrainz_editor")
    assert again.stdout.strip() == "queued 1 bookbrainz_editors", again.stderr
    wait_until(lambda: len(scored(settings)) == BB_EDITORS + 1, 60, "the new account to be scored")


def test_with_a_model_active_bookbrainz_accounts_are_scored_by_its_weights_and_read_as_bookbrainz(bb, default_model):
    from sb_worker import runtime

    settings, spam_ids = bb
    mail_server = MailReceiver().__enter__()
    # Reports go to the account admins' mail and to MusicBrainz's endpoint, which is not listening: the
    # MusicBrainz sink is not for BookBrainz accounts, so it must not even try.
    settings = settings.replace(report_sinks=("mail", "musicbrainz"), smtp_host="127.0.0.1", smtp_port=mail_server.port,
                                mail_to="admins@metabrainz.org", mb_report_url="http://127.0.0.1:9/",
                                mb_report_token="t")
    runtime.configure(settings)
    rt = runtime.get()
    try:
        activate(rt.store, default_model)
        ids = [i for (i,) in query(settings.bookbrainz_dsn, "SELECT id FROM bookbrainz.editor ORDER BY id")]
        result = service.scan_chunk(rt, "bookbrainz_editor", ids + [999_999])
        assert [e.error for e in result.errors] == ["bookbrainz_editor 999999 does not exist in BookBrainz"]
        assert query(settings.dsn, "SELECT DISTINCT model_version FROM score") == [(f"{default_model.name}+weights",)]
        reported = {e for (e,) in query(settings.dsn, "SELECT entity_id FROM report")}
        print(f"BookBrainz sample, model {default_model.name} active: {len(reported)} reported, precision "
              f"{len(reported & spam_ids) / len(reported):.3f}, recall {len(reported & spam_ids) / len(spam_ids):.3f}")
        assert len(reported & spam_ids) / len(reported) >= 0.95 and len(reported & spam_ids) / len(spam_ids) >= 0.9
        service.scan_chunk(rt, "editor", [5, 6])  # MusicBrainz accounts still get the network
        assert query(settings.dsn, "SELECT DISTINCT model_version FROM score WHERE kind = 'editor'") == [
            (default_model.name,)]
        [(report_id, editor_id)] = query(settings.dsn, """
            SELECT id, entity_id FROM report WHERE kind = 'bookbrainz_editor' ORDER BY score DESC, id LIMIT 1""")
        [(name,)] = query(settings.bookbrainz_dsn, "SELECT name FROM bookbrainz.editor WHERE id = %s", (editor_id,))

        for_sinks = service.report_for_sinks(rt, report_id)
        assert for_sinks["site"] == "BookBrainz"
        assert for_sinks["account"] == {"kind": "bookbrainz_editor", "editor_id": editor_id, "name": name,
                                        "profile_url": f"https://bookbrainz.org/editor/{editor_id}"}
        assert for_sinks["entity_url"] == f"https://bookbrainz.org/editor/{editor_id}"
        assert service.deliver(rt, report_id) == ["mail"]
        [mail] = mail_server.mails
        print("".join(f"{k}: {v}\n" for k, v in mail.items()) + "\n" + mail.get_payload(decode=True).decode())
        assert mail["Subject"] == f"BookBrainz Editor report: {name} (spam, score {for_sinks['score']})"
        body = mail.get_payload(decode=True).decode()
        assert f"Account: {name} (BookBrainz editor #{editor_id})\r\nProfile: https://bookbrainz.org/editor/" in body
        assert query(settings.dsn, "SELECT sink FROM report_delivery WHERE report_id = %s", (report_id,)) == [("mail",)]

        # The review page shows it with its bio and a link to BookBrainz.
        from sb_worker.web.marks import items as _items

        [item] = _items([rt.store.reports.get(report_id).as_json()])
        assert (item.site, item.link, item.account) == ("BookBrainz", f"https://bookbrainz.org/editor/{editor_id}", True)
        assert [label for label, _ in item.fields] == ["Bio"]

        # Declined and trusted: scored again but not reported, until the bio changes.
        service.record_verdict(rt, report_id, "ham", "reosarevok", "", trust=True)
        service.scan_chunk(rt, "bookbrainz_editor", [editor_id])
        open_reports = "SELECT count(*) FROM report WHERE kind = 'bookbrainz_editor' AND entity_id = %s AND status = 'open'"
        assert query(settings.dsn, open_reports, (editor_id,)) == [(0,)]
        assert query(settings.dsn, "SELECT kind FROM trusted_account WHERE editor_id = %s", (editor_id,)) == [
            ("bookbrainz_editor",)]
        query(settings.bookbrainz_dsn, "UPDATE bookbrainz.editor SET bio = bio || ' https://another-shop.example/' "
                                       "WHERE id = %s", (editor_id,))
        service.scan_chunk(rt, "bookbrainz_editor", [editor_id])
        assert query(settings.dsn, open_reports, (editor_id,)) == [(1,)]

        # The network is not trained on BookBrainz accounts: its verdicts are kept but not learned from.
        verdicts = [{"id": 1, "kind": "bookbrainz_editor", "entity_id": editor_id, "verdict": "ham",
                     "created_at": dt.datetime.now(dt.timezone.utc)}]
        assert learning.verdict_records(rt.sources, verdicts) == []
        rt.settings = settings.replace(feedback_wait_s=0)
        assert service.apply_feedback(rt) == {"applied": 1, "labels": 0, "learned_from": 0}
        assert query(settings.dsn, "SELECT count(*) FROM verdict WHERE applied_at IS NULL") == [(0,)]
        assert query(settings.dsn, "SELECT version FROM model_version") == [(default_model.name,)]  # no new model

        # With BookBrainz taken out of SB_SOURCES, its open reports still list, without their text.
        runtime.configure(settings.replace(sources=("editor", "edit")))
        [item] = _items([runtime.get().store.reports.get(report_id).as_json()])
        assert (item.fields, item.link, item.site) == ([], "", "the sources configured (SB_SOURCES)")
    finally:
        runtime.close()
        mail_server.__exit__()
