"""The SpamBrainz database, on a real PostgreSQL."""

import json
import random
from dataclasses import replace

import pytest

from sb_worker.errors import BadInput, ConfigError
from sb_worker.scoring.pipeline import Reason, RecordError, Score, Thresholds
from sb_worker.storage.store import Store, latest_version, migrations
from sb_worker.storage.store.reports import ReportQuery, near_copy_groups

from tests.helpers import query

pytestmark = pytest.mark.integration


def score(entity_id: int, value: int, why: str = "x") -> Score:
    return Score("editor", entity_id, value, (Reason("text_links", 20.0, why),), "heuristic-1")


@pytest.fixture
def store(sb_dsn):
    s = Store(sb_dsn, Thresholds(50))
    yield s
    s.close()


def test_migrating_twice_applies_nothing_the_second_time(pg, store):
    dsn = pg.create_database("fresh_sb")
    try:
        fresh = Store(dsn, Thresholds(50))
        with pytest.raises(ConfigError, match=f"schema version 0, this code needs {latest_version()}: run `sb migrate`"):
            fresh.check_schema()
        assert fresh.migrate() == [name for _, name, _ in migrations()] and len(migrations()) == latest_version()
        assert fresh.migrate() == []
        fresh.check_schema()
        assert fresh.schema_version() == latest_version()
        fresh.close()
    finally:
        pg.drop_database("fresh_sb")


def test_saving_the_same_scan_twice_changes_nothing(store, sb_dsn):
    scores = [score(1, 90), score(2, 10), score(3, 50)]
    first = store.reports.save_scan(scores, [])
    snapshot = query(sb_dsn, "SELECT id, kind, entity_id, score, reasons, updated_at FROM report ORDER BY id")
    second = store.reports.save_scan(scores, [])
    assert first.created == 2 and second.created == 0  # 90 and 50 are at or above the review threshold
    assert first.undelivered == second.undelivered and len(first.undelivered) == 2
    assert query(sb_dsn, "SELECT id, kind, entity_id, score, reasons, updated_at FROM report ORDER BY id") == snapshot
    assert query(sb_dsn, "SELECT count(*) FROM score") == [(3,)]


def test_a_rescan_updates_the_open_report_instead_of_opening_another(store, sb_dsn):
    store.reports.save_scan([score(1, 80, "old")], [])
    store.reports.save_scan([score(1, 95, "new")], [])
    assert query(sb_dsn, "SELECT score, reasons->0->>'why', status FROM report") == [(95, "new", "open")]


def test_reports_of_the_same_score_are_listed_by_their_log_odds(store):
    # Entity IDs run against the log-odds, so an order by ID (or by scan order) would fail this.
    scores = [replace(score(i, 100), log_odds=z) for i, z in [(1, 9.5), (2, 30.0), (3, 14.2)]] + [score(4, 100)]
    store.reports.save_scan(scores + [replace(score(5, 99), log_odds=4.6)], [])
    listed = json.loads(store.reports.page_json(ReportQuery(), 1, 10))["reports"]
    assert [(r["entity_id"], r["log_odds"]) for r in listed] == [(2, 30.0), (3, 14.2), (1, 9.5), (4, None), (5, 4.6)]
    assert [r["entity_id"] for r in store.reports.open()] == [2, 3, 1, 4, 5]


def test_a_closed_report_lets_a_new_one_open(store, sb_dsn):
    store.reports.save_scan([score(1, 80)], [])
    query(sb_dsn, "UPDATE report SET status = 'spam'")
    store.reports.save_scan([score(1, 80)], [])
    assert query(sb_dsn, "SELECT status FROM report ORDER BY id") == [("spam",), ("open",)]


def test_delivered_reports_are_not_handed_out_again(store):
    [report_id] = store.reports.save_scan([score(1, 80)], []).undelivered
    store.reports.mark_delivered(report_id, "log")
    assert store.reports.delivered_sinks(report_id) == {"log"}
    assert store.reports.save_scan([score(1, 80)], []).undelivered == [report_id]
    store.reports.mark_delivered(report_id, None)
    assert store.reports.save_scan([score(1, 80)], []).undelivered == []


def test_thresholds_come_from_the_database_once_set(store):
    assert store.config.thresholds() == Thresholds(50)
    store.config.set_thresholds(Thresholds(70, 95))
    assert store.config.thresholds() == Thresholds(70, 95)
    assert store.reports.save_scan([score(1, 60), score(2, 96)], []).undelivered != []
    assert [(r["entity_id"], r["action"]) for r in store.reports.open()] == [(2, "auto")]


def test_errors_are_recorded_then_cleared_by_a_clean_scan(store, sb_dsn):
    store.reports.save_scan([], [RecordError("editor", "5", "editor 5 does not exist in MusicBrainz")])
    assert store.reports.count_errors() == {"editor": 1}
    store.reports.save_scan([score(5, 3)], [])
    assert store.reports.count_errors() == {}




def test_reading_an_unknown_report_is_bad_input(store):
    with pytest.raises(BadInput, match="report 12345 does not exist"):
        store.reports.get(12345)


def test_near_copies_chain_into_groups_and_unrelated_hashes_stay_apart():
    rng = random.Random(5)
    base = rng.getrandbits(64)
    flip = lambda h, *bits: h ^ sum(1 << b for b in bits)  # noqa: E731
    hashes = [(1, base), (2, flip(base, 0, 9)), (3, flip(base, 0, 9, 20, 33, 47)),  # 3 is 3 bits from 2, 5 from 1
              (4, rng.getrandbits(64)), (5, rng.getrandbits(64)), (6, flip(base, 1, 2, 3, 4, 5))]
    assert near_copy_groups(hashes, 4) == [[1, 2, 3]]  # 6 is 5 bits from all of them
    assert near_copy_groups([(i, rng.getrandbits(64)) for i in range(2000)], 4) == []
