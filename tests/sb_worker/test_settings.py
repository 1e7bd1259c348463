import pytest

from sb_worker.errors import ConfigError
from sb_worker.settings import Settings


def test_defaults_without_environment():
    s = Settings.from_env({})
    assert s.chunk_size == 500 and s.report_sinks == () and s.auto_threshold is None and s.statsd_host == ""


def test_values_are_parsed_by_type():
    s = Settings.from_env({"SB_CHUNK_SIZE": "200", "SB_REVIEW_THRESHOLD": "62.5", "SB_AUTO_THRESHOLD": "97",
                           "SB_REPORT_SINKS": "log, webhook", "SB_WEBHOOK_URL": "http://127.0.0.1:9/x",
                           "SB_DETECTORS": '{"text_links": {"website": 3}}', "PATH": "/bin"})
    assert (s.chunk_size, s.review_threshold, s.auto_threshold) == (200, 62.5, 97.0)
    assert s.report_sinks == ("log", "webhook") and s.detectors == {"text_links": {"website": 3}}


def test_round_trip_through_the_environment():
    s = Settings(chunk_size=7, report_sinks=("log",), detectors={"a": {}}, auto_threshold=99)
    assert Settings.from_env(s.to_env()) == s
    assert Settings.from_env(Settings().to_env()) == Settings()
    assert Settings.from_env({"SB_AUDIT_RATES": ""}).audit_rates == ()  # no audit sample
    assert Settings.from_env({"SB_AUDIT_RATES": "0.5, 1"}).audit_rates == (0.5, 1.0)


@pytest.mark.parametrize("env, message", [
    ({"SB_CHUNKSIZE": "5"}, "unknown setting.*SB_CHUNKSIZE.*known: .*SB_CHUNK_SIZE"),
    ({"SB_CHUNK_SIZE": "many"}, "SB_CHUNK_SIZE: cannot read 'many'"),
    ({"SB_CHUNK_SIZE": "0"}, "SB_CHUNK_SIZE must be at least 1"),
    ({"SB_REVIEW_THRESHOLD": "150"}, "SB_REVIEW_THRESHOLD must be between 0 and 100"),
    ({"SB_REVIEW_THRESHOLD": "20"}, "SB_REVIEW_THRESHOLD must be above 25"),
    ({"SB_DETECTORS": "[1]"}, "SB_DETECTORS: cannot read.*JSON object"),
    ({"SB_DETECTORS": "{"}, "SB_DETECTORS: cannot read"),
    ({"SB_REPORT_SINKS": "webhook"}, "SB_WEBHOOK_URL is empty"),
    ({"SB_VISIBILITY_TIMEOUT_S": "100"}, "SB_VISIBILITY_TIMEOUT_S .* more than twice"),
    ({"SB_AUDIT_RATES": "0.1,2"}, "SB_AUDIT_RATES must be at most 4 shares from 0 to 1"),
    ({"SB_AUDIT_RATES": "0.1,0.1,0.1,0.1,0.1"}, "SB_AUDIT_RATES must be at most 4 shares"),
    ({"SB_AUDIT_RATES": "some"}, "SB_AUDIT_RATES: cannot read 'some'"),
    ({"SB_HARVEST_EVERY_S": "-1"}, "SB_HARVEST_EVERY_S must be zero \\(off\\) or positive, got -1"),
    ({"SB_MISSING_EVERY_S": "-1"}, "SB_MISSING_EVERY_S must be zero \\(off\\) or positive, got -1"),
    ({"SB_GAUGES_EVERY_S": "0"}, "SB_GAUGES_EVERY_S must be positive, got 0"),
])
def test_bad_values_are_named(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)
