"""Inputs built to break or stall scoring: each still gets a score or a named error, and the rest of the batch
is scored. (How long they take is measured in benchmarks/detector_speed.py, not asserted here.)"""

import pytest

from sb_worker.scoring.pipeline import RecordError, Score, build_pipeline
from sb_worker.settings import Settings

MB = 1_000_000
HOSTILE = {
    "1 MB bio": "buy cheap essays online " * (MB // 24),
    "regex trap: nested quantifiers": "south" + "-_" * 50_000 + "beach" + "!" * 1000,
    "regex trap: look-behind": "x" * 200_000 + "juriyam",
    "regex trap: one letter": "a" * MB,
    "spaced digits": "9 8 7 6 5 4 3 2 1 0 " * 50_000,
    "lone surrogates": "\ud800\udfff" * 10_000 + " viagra",
    "control characters": "\x00\x07\x1b[31m" * 10_000 + "call girls",
    "bidi overrides": "\u202eesrever\u202c \u2066isolate\u2069 " * 5_000,
    "combining marks": "e" + "\u0301" * 100_000,
    "emoji and joiners": "👨\u200d👩\u200d👧 " * 20_000,
}


@pytest.fixture(scope="module")
def pipeline():
    return build_pipeline(cache_dir=Settings().cache_dir)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_text_is_scored_and_stored_safely(pipeline, name):
    [result] = pipeline.score("editor", [{"id": 1, "bio": HOSTILE[name], "name": HOSTILE[name][:5000],
                                         "website": "https://" + "a" * 5000 + ".com"}])
    assert isinstance(result, Score) and 0 <= result.score <= 100
    for reason in result.reasons:
        reason.why.encode("utf-8")  # storable: no lone surrogate survives into a reason


def test_wrong_types_are_named_and_the_rest_of_the_batch_is_scored(pipeline):
    records = [{"id": 1, "bio": ["a list"]}, {"id": 2, "counts": {"edits": "many"}}, {"id": 3, "privs": 1.5},
               {"id": 4, "member_since": "not a date"}, {"id": 5, "bio": "Cheap essays, plagiarism free!"}]
    results = pipeline.score("editor", records)
    assert [type(r) for r in results] == [RecordError] * 4 + [Score]
    assert [r.error for r in results[:4]] == [
        "field 'bio' must be a string, got list", "field 'edits' must be an integer, got str",
        "field 'privs' must be an integer, got float", "field 'member_since' is not an ISO 8601 timestamp: 'not a date'"]
