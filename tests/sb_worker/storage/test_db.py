"""Database waits on a real PostgreSQL: short for the API and workers, long for reading whole tables."""

import pytest

from sb_worker.errors import Unavailable
from sb_worker.storage import db

pytestmark = pytest.mark.integration


@pytest.fixture
def quick():
    db.set_timeouts(0.5, 3.0)
    yield
    db.set_timeouts(10.0, 600.0)


def test_a_statement_past_the_short_limit_is_unavailable_and_a_long_read_may_take_longer(sb_dsn, quick):
    database = db.Database(sb_dsn, "SpamBrainz database")
    with pytest.raises(Unavailable, match="canceling statement due to statement timeout"):
        with database.transaction() as cur:
            cur.execute("SELECT pg_sleep(1)")
    with database.transaction("long") as cur:  # what `sb enqueue` and backfills read with
        cur.execute("SELECT pg_sleep(1), current_setting('statement_timeout') AS limit")
        assert cur.fetchone()["limit"] == "3s"
    with database.stream("SELECT pg_sleep(1), 7") as rows:
        assert [row[1] for row in rows] == [7]
    with database.transaction("unlimited") as cur:  # migrations
        cur.execute("SELECT current_setting('statement_timeout') AS limit")
        assert cur.fetchone()["limit"] == "0"
    with database.transaction() as cur:  # and the connection is short again
        cur.execute("SELECT current_setting('statement_timeout') AS limit")
        assert cur.fetchone()["limit"] == "500ms"
    database.close()
