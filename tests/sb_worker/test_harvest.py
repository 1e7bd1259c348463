"""`sb harvest`: MusicBrainz's own spam flags and editors in good standing become labels once, misses are counted,
and a harvest that dies before it commits loses and duplicates nothing (real PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest

from sb_worker import harvest, service
from sb_worker.storage.mb import Mark

from tests.helpers import query

pytestmark = pytest.mark.integration

GOOD_STANDING = """SELECT id FROM musicbrainz.editor e WHERE privs & (4096 | 8192 | 2) = 0 AND id NOT IN (1, 2, 4)
                   AND EXISTS (SELECT 1 FROM musicbrainz.edit WHERE editor = e.id AND status = 2) ORDER BY id"""


def flag(mb_dsn: str, ids: list[int]) -> None:
    """What MusicBrainz's account admins do: set the SPAMMER flag (which stamps the row's last_updated)."""
    query(mb_dsn, "UPDATE musicbrainz.editor SET privs = privs | 4096, last_updated = now() WHERE id = ANY(%s)",
          (ids,))


def touch(mb_dsn: str, ids: list[int]) -> None:
    """Editors in good standing change something (their profile): they come past the harvest's mark."""
    query(mb_dsn, "UPDATE musicbrainz.editor SET last_updated = now() WHERE id = ANY(%s)", (ids,))


def leave_beginner_stage(mb_dsn: str, stamp: bool) -> None:
    """Honest editors with accepted edits leave the beginner stage: MusicBrainz clears the flag. With ``stamp`` the
    change stamps their row's last_updated, so the next harvest reads them all."""
    query(mb_dsn, f"""UPDATE musicbrainz.editor e SET privs = privs & ~8192{", last_updated = now()" if stamp else ""}
                      WHERE privs & 4096 = 0 AND id NOT IN (1, 2, 4)
                        AND EXISTS (SELECT 1 FROM musicbrainz.edit WHERE editor = e.id AND status = 2)""")


def labels(dsn: str) -> list[tuple]:
    return query(dsn, "SELECT entity_id, label, source, missed FROM label ORDER BY entity_id, label")


def scanned(rt, settings) -> dict[int, int]:
    """Scan every editor of the sample; their scores."""
    everyone = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    service.scan_chunk(rt, "editor", everyone)
    return dict(query(settings.dsn, "SELECT entity_id, score FROM score WHERE kind = 'editor'"))


def test_flags_and_good_editors_become_labels_once_and_misses_are_counted(settings, rt):
    scores = scanned(rt, settings)
    reported = {i for (i,) in query(settings.dsn, "SELECT entity_id FROM report WHERE kind = 'editor'")}
    honest = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor WHERE privs & 4096 = 0 "
                                                   "AND id NOT IN (1, 2, 4) ORDER BY id")]
    missed = [i for i in honest if i not in reported and scores[i] < 50][:5]  # SpamBrainz let these through
    caught = sorted(reported)[:3]  # ... and reported these, spammers MusicBrainz flags too
    leave_beginner_stage(settings.mb_dsn, stamp=False)
    good = [i for (i,) in query(settings.mb_dsn, GOOD_STANDING) if i not in missed + caught][:4]
    assert len(missed) == 5 and len(caught) == 3 and len(good) == 4
    flag(settings.mb_dsn, missed + caught)
    touch(settings.mb_dsn, good)
    assert query(settings.mb_dsn, "SELECT count(*) FROM musicbrainz.editor WHERE privs & 4096 <> 0 AND id = ANY(%s)",
                 (caught,)) == [(3,)]

    done = service.harvest(rt)
    bands = {}
    for i in missed:
        bands[f"band_{scores[i] // 10 * 10}"] = bands.get(f"band_{scores[i] // 10 * 10}", 0) + 1
    assert done == {"read": 12, "spam": 8, "missed": 5, "ham": 4, "skipped": 0, "missed_by_band": bands}
    assert labels(settings.dsn) == sorted([(i, "spam", "musicbrainz", i in missed) for i in missed + caught]
                                          + [(i, "ham", "musicbrainz", False) for i in good])
    rows = query(settings.dsn, "SELECT entity_id, score, reported_at IS NOT NULL, record->>'email', record->>'bio' "
                               "FROM label WHERE label = 'spam' ORDER BY entity_id")
    bios = dict(query(settings.mb_dsn, "SELECT id, bio FROM musicbrainz.editor WHERE id = ANY(%s)",
                      ([r[0] for r in rows],)))
    for entity, score, was_reported, email, bio in rows:
        assert score == scores[entity] and was_reported == (entity in caught)
        assert email is None or (email.startswith("@") and "@" not in email[1:])  # only the domain is kept
        assert bio == bios[entity]  # what scoring reads, kept: MusicBrainz blanks a spammer it deletes
    figures = rt.store.labels.figures(90)
    assert figures["misses_week"] == 5 and sum(figures["miss_scores"].values()) == 5
    registered = dict(query(settings.mb_dsn, "SELECT id, member_since FROM musicbrainz.editor WHERE id = ANY(%s)",
                            (missed,)))
    ages = sorted((dt.datetime.now(dt.timezone.utc) - registered[i]).total_seconds() / 86400 for i in missed)
    assert figures["miss_age_days"] == pytest.approx(ages[2], abs=0.1)  # the median of five
    assert figures["labels"] == {"spam": 8, "ham": 4}

    again = service.harvest(rt)  # within the overlap the same accounts are read again: nothing is added
    assert again["spam"] == again["ham"] == 0 and again["skipped"] == again["read"] == 12
    assert len(labels(settings.dsn)) == 12


def test_a_harvest_that_dies_before_it_commits_is_done_again_in_full_and_once(settings, rt, monkeypatch):
    scanned(rt, settings)
    spam = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor WHERE privs & 4096 = 0 "
                                                 "AND id NOT IN (1, 2, 4) ORDER BY id DESC LIMIT 6")]
    flag(settings.mb_dsn, spam)
    before = rt.store.marks.get(harvest.MARK)

    def die(*args, **kwargs):
        raise KeyboardInterrupt("killed between storing the labels and the mark")

    monkeypatch.setattr(rt.store.marks, "set", die)
    with pytest.raises(KeyboardInterrupt):
        service.harvest(rt)
    monkeypatch.undo()
    assert labels(settings.dsn) == [] and rt.store.marks.get(harvest.MARK) == before  # nothing half-stored

    # Killed midway: labels go a chunk at a time (two here), and the second chunk dies.
    monkeypatch.setattr(harvest, "LOAD_CHUNK", 2)
    add, calls = rt.store.labels.add, []

    def dies_second(labels, cur):
        calls.append(len(labels))
        if len(calls) == 2:
            raise KeyboardInterrupt("killed in the second chunk")
        return add(labels, cur)

    monkeypatch.setattr(rt.store.labels, "add", dies_second)
    with pytest.raises(KeyboardInterrupt):
        service.harvest(rt)
    monkeypatch.undo()
    assert len(labels(settings.dsn)) == 2 and rt.store.marks.get(harvest.MARK) == before  # the mark did not move
    assert service.harvest(rt)["spam"] == 4  # the next run stores the rest, once

    rt.store.marks.set(harvest.MARK, Mark())  # as if the mark were lost: the next run reads everything again
    assert service.harvest(rt)["spam"] == 0
    assert [(i, label) for i, label, _, _ in labels(settings.dsn)] == [(i, "spam") for i in sorted(spam)]
    # `sb harvest --all` reads every labelled account, whenever it changed: the sample's own spammers are new, the
    # six are not stored again.
    flagged = {i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor WHERE privs & 4096 <> 0 "
                                                    "AND NOT deleted")}
    assert service.harvest(rt, everything=True)["spam"] == len(flagged) - 6
    assert sorted(i for i, label, _, _ in labels(settings.dsn) if label == "spam") == sorted(flagged)


def test_ham_is_capped_and_drawn_across_score_bands(settings, rt):
    scores = scanned(rt, settings)
    leave_beginner_stage(settings.mb_dsn, stamp=True)
    good = [i for (i,) in query(settings.mb_dsn, GOOD_STANDING)]
    assert len(good) >= 12
    cap = len(good) // 2
    rt.settings = settings.replace(harvest_ham_max=cap)
    done = service.harvest(rt)
    assert done["ham"] == cap and done["skipped"] == len(good) - cap
    taken = [i for (i,) in query(settings.dsn, "SELECT entity_id FROM label WHERE label = 'ham'")]
    bands = {min(scores[i] // 10, 9) for i in good}
    assert len(bands) > 1 and {min(scores[i] // 10, 9) for i in taken} == bands  # every band is drawn from
    assert harvest.ham_sample([1, 2, 3, 4], {1: 5, 2: 7, 3: 95}, 2) in ([1, 3], [2, 3], [3, 4], [1, 4], [2, 4])
    assert service.harvest(rt)["ham"] == cap  # the next run takes the next ones


def test_harvesting_needs_musicbrainz_editors(settings, rt):
    rt.sources.pop("editor")
    with pytest.raises(Exception, match="SB_SOURCES must include 'editor'"):
        service.harvest(rt)
