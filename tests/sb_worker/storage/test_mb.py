"""Reading MusicBrainz, on a real PostgreSQL."""

import datetime as dt

import psycopg2
import psycopg2.extras
import pytest

from sb_worker.errors import Unavailable
from sb_worker.settings import Settings
from sb_worker.storage.mb import Mark, MBReader, added_urls
from sb_worker.storage.sources.musicbrainz import MusicBrainzEditors

from tests.helpers import query

pytestmark = pytest.mark.integration


@pytest.fixture
def count_queries(monkeypatch):
    counted = []
    execute = psycopg2.extras.RealDictCursor.execute

    def counting(self, sql, params=None):
        counted.append(sql)
        return execute(self, sql, params)

    monkeypatch.setattr(psycopg2.extras.RealDictCursor, "execute", counting)
    return counted


def test_editor_records_carry_mb_columns_history_and_counts(mb_dsn):
    [editor_id] = query(mb_dsn, """SELECT editor FROM musicbrainz.edit_note GROUP BY editor
                                   ORDER BY count(*) DESC, editor LIMIT 1""")[0]
    [record] = MBReader(mb_dsn).load_editors([editor_id])
    assert {"id", "name", "email", "website", "bio", "member_since", "privs", "deleted", "edits", "notes",
            "counts"} <= set(record)
    assert isinstance(record["member_since"], str) and dt.datetime.fromisoformat(record["member_since"])
    [(edits, accepted, notes)] = query(mb_dsn, """
        SELECT (SELECT count(*) FROM musicbrainz.edit WHERE editor = %(e)s),
               (SELECT count(*) FROM musicbrainz.edit WHERE editor = %(e)s AND status = 2),
               (SELECT count(*) FROM musicbrainz.edit_note WHERE editor = %(e)s)""", {"e": editor_id})
    assert record["counts"]["edits"] == edits and record["counts"]["accepted_edits"] == accepted
    assert record["counts"]["notes"] == notes and set(record["counts"]) == {
        "edits", "accepted_edits", "votes", "notes", "annotations", "collections"}
    assert len(record["edits"]) == min(edits, 20) and len(record["notes"]) == min(notes, 20)
    ids = [e["id"] for e in record["edits"]]
    assert ids == sorted(ids, reverse=True) and {"type", "status", "open_time", "data"} <= set(record["edits"][0])


def test_a_fixed_number_of_queries_per_chunk_whatever_its_size(mb_dsn, count_queries):
    reader = MBReader(mb_dsn)
    reader.load_editors([5])
    small = len(count_queries)
    count_queries.clear()
    records = reader.load_editors(list(range(1, 320)))
    assert len(records) > 250 and len(count_queries) == small == 4
    count_queries.clear()
    edits = reader.load_edits(list(range(1, 400)))
    assert len(edits) > 100 and len(count_queries) == 6


def test_records_come_back_in_the_order_asked_and_missing_ids_are_named(mb_dsn):
    records, missing = MusicBrainzEditors(Settings(), MBReader(mb_dsn)).load([9, 3, 5, 99999])
    assert [r["id"] for r in records] == [9, 5] and missing == [3, 99999]


def test_edit_records_carry_notes_urls_and_their_editor(mb_dsn):
    [(edit_id, url)] = query(mb_dsn, """SELECT e.id, d.data->'entity1'->>'name' FROM musicbrainz.edit e
                                         JOIN musicbrainz.edit_data d ON d.edit = e.id WHERE e.type = 90
                                         ORDER BY e.id LIMIT 1""")
    [record] = MBReader(mb_dsn).load_edits([edit_id])
    assert record["urls"] == [url] and record["type"] == 90
    assert record["editor_record"]["id"] == record["editor"] and "counts" in record["editor_record"]
    [(noted,)] = query(mb_dsn, "SELECT edit FROM musicbrainz.edit_note ORDER BY id LIMIT 1")
    [with_note] = MBReader(mb_dsn).load_edits([noted])
    assert with_note["notes"] and with_note["notes"][0]["text"]


def test_the_reader_cannot_write(mb_dsn):
    reader = MBReader(mb_dsn)
    with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
        with reader.db.transaction() as cur:
            cur.execute("UPDATE musicbrainz.editor SET bio = 'x' WHERE id = 5")


def test_changed_finds_new_ids_and_recent_updates(mb_dsn):
    editors = MusicBrainzEditors(Settings(), MBReader(mb_dsn))
    ids, mark = editors.changed(Mark(), dt.timedelta(0))
    [(total, last_id)] = query(mb_dsn, "SELECT count(*), max(id) FROM musicbrainz.editor")
    assert len(ids) == total and mark.last_id == last_id
    assert editors.changed(mark, dt.timedelta(0))[0] == []
    query(mb_dsn, "UPDATE musicbrainz.editor SET bio = 'new', last_updated = now() WHERE id = 9")
    again, newer = editors.changed(mark, dt.timedelta(0))
    assert again == [9] and newer.last_time > mark.last_time and newer.last_id == mark.last_id


def test_a_database_that_is_gone_is_unavailable():
    reader = MBReader("postgresql://postgres@/nope?host=/nonexistent-socket-dir")
    with pytest.raises(Unavailable, match="MusicBrainz database unreachable"):
        reader.load_editors([1])


def test_added_urls_reads_relationships_and_url_edits():
    assert added_urls(90, {"type0": "artist", "type1": "url", "entity1": {"name": "https://a.example"}}) == [
        "https://a.example"]
    assert added_urls(101, {"new": {"url": "https://b.example"}}) == ["https://b.example"]
    assert added_urls(90, {"type0": "artist", "type1": "label", "entity1": {"name": "x"}}) == []
    assert added_urls(1, {"name": "x"}) == [] and added_urls(90, "garbage") == []
