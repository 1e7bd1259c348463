"""The sample MusicBrainz database, on a real PostgreSQL."""

import unicodedata

import pytest

from detectors import data
from detectors.musicbrainz import BEGINNER, SPAMMER
from sb_worker.samples.musicbrainz import build_sample
from sb_worker.scoring.urls import domain_of, host_of

from tests.conftest import SAMPLE_EDITORS
from tests.helpers import query

pytestmark = pytest.mark.integration

DIGEST = "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM musicbrainz.{} t"


def test_same_seed_same_database_other_seed_other_database(pg, mb_dsn):
    again = pg.create_database("sample_again")
    other = pg.create_database("sample_other")
    try:
        build_sample(again, editors=SAMPLE_EDITORS, seed=7)
        build_sample(other, editors=SAMPLE_EDITORS, seed=8)
        for table in ("editor", "edit", "edit_note", "vote"):
            assert query(again, DIGEST.format(table)) == query(mb_dsn, DIGEST.format(table)), table
        assert query(other, DIGEST.format("editor")) != query(mb_dsn, DIGEST.format("editor"))
    finally:
        pg.drop_database("sample_again")
        pg.drop_database("sample_other")


def test_shape_follows_musicbrainz(mb_dsn):
    [(editors, spammers)] = query(mb_dsn, "SELECT count(*), count(*) FILTER (WHERE privs & %s <> 0) "
                                          "FROM musicbrainz.editor WHERE id > 4", (SPAMMER,))
    assert editors == SAMPLE_EDITORS and spammers == round(SAMPLE_EDITORS * 0.07)
    assert query(mb_dsn, "SELECT id, name FROM musicbrainz.editor WHERE id <= 4 ORDER BY id") == [
        (1, "Anonymous"), (2, "FreeDB"), (4, "ModBot")]
    # Spammers: all beginners, always an email, nearly all with a bio, gender far more often than honest editors.
    [(spam_beginners, spam_email, spam_bio, spam_gender)] = query(mb_dsn, """
        SELECT avg((privs & %s <> 0)::int), avg((email IS NOT NULL)::int), avg((bio IS NOT NULL)::int),
               avg((gender IS NOT NULL)::int)
        FROM musicbrainz.editor WHERE privs & %s <> 0""", (BEGINNER, SPAMMER))
    [(ham_gender, ham_bio)] = query(mb_dsn, """
        SELECT avg((gender IS NOT NULL)::int), avg((bio IS NOT NULL)::int)
        FROM musicbrainz.editor WHERE privs & %s = 0 AND id > 4""", (SPAMMER,))
    assert spam_beginners == 1 and spam_email == 1 and spam_bio > 0.75 and spam_gender > 0.6
    assert ham_gender < 0.4 and ham_bio < 0.35
    # A minority edits; most spammers never do.
    [(ham_editing, spam_editing)] = query(mb_dsn, """
        SELECT avg((EXISTS (SELECT 1 FROM musicbrainz.edit e WHERE e.editor = ed.id))::int)
                   FILTER (WHERE privs & %(s)s = 0),
               avg((EXISTS (SELECT 1 FROM musicbrainz.edit e WHERE e.editor = ed.id))::int)
                   FILTER (WHERE privs & %(s)s <> 0)
        FROM musicbrainz.editor ed WHERE id > 4""", {"s": SPAMMER})
    assert 0.15 < ham_editing < 0.5 and spam_editing < 0.2
    # Edits of each kind the reader understands, with notes, votes, URLs and annotations behind them.
    types = {t for (t,) in query(mb_dsn, "SELECT DISTINCT type FROM musicbrainz.edit")}
    assert {1, 5, 31, 71, 90} <= types
    for table in ("edit_note", "vote", "url", "l_artist_url", "annotation", "artist_annotation", "editor_collection"):
        assert query(mb_dsn, f"SELECT count(*) FROM musicbrainz.{table}")[0][0] > 0, table


def test_bios_come_in_many_scripts(mb_dsn):
    bios = [b for (b,) in query(mb_dsn, "SELECT bio FROM musicbrainz.editor WHERE bio IS NOT NULL")]
    scripts = {unicodedata.name(c, "?").split()[0] for b in bios for c in b if c.isalpha()}
    assert "LATIN" in scripts and len(scripts - {"LATIN"}) >= 3, scripts


def test_honest_musicians_link_their_own_sites_and_honest_people_confirm_at_once_as_spam_tools_do(mb_dsn):
    """What spam does is not all spam: a model taught that a link to one's own site, or a profile filled and
    confirmed at once, means spam reports every honest musician who registers to add their band."""
    rows = query(mb_dsn, "SELECT bio, website FROM musicbrainz.editor WHERE privs & %s = 0 AND id > 4 "
                         "AND bio IS NOT NULL AND website IS NOT NULL", (SPAMMER,))
    domains = [domain_of(host_of(website))[0] for _, website in rows]
    own = [d for (bio, _), d in zip(rows, domains) if d and d in bio and d not in data.music_sites()]
    assert len(own) >= 3, rows
    [(ham_at_once, spam_at_once)] = query(mb_dsn, """
        SELECT avg((email_confirm_date < member_since + interval '30 minutes')::int) FILTER (WHERE privs & %(s)s = 0),
               avg((email_confirm_date < member_since + interval '30 minutes')::int) FILTER (WHERE privs & %(s)s <> 0)
        FROM musicbrainz.editor WHERE id > 4 AND email_confirm_date IS NOT NULL""", {"s": SPAMMER})
    assert ham_at_once > 0.5 and spam_at_once > 0.9
