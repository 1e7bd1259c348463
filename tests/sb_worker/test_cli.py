"""The `sb` command as cron and operators run it: a process configured by SB_* variables."""

import argparse
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from sb_worker.storage.store import migrations

from tests.helpers import query, queued_scans, sb, wait_until

pytestmark = pytest.mark.integration


def test_enqueue_named_ids_skips_the_bad_ones_with_a_clear_message(settings, redis_server):
    done = sb(settings, "enqueue", "--editor", "5", "abc", "-2", "--edit", "1")
    assert done.returncode == 2
    assert "sb: skipped: editor ID 'abc' is not an integer" in done.stderr
    assert "sb: skipped: editor ID -2 is out of range" in done.stderr
    assert "queued 1 editors" in done.stdout and "queued 1 edits" in done.stdout
    assert queued_scans(redis_server.client) == [(0, "editor", [5]), (0, "edit", [1])]


def test_enqueue_ids_of_a_source_named_by_kind(settings, redis_server):
    done = sb(settings, "enqueue", "--kind", "edit", "--ids", "3", "x")
    assert done.returncode == 2 and "sb: skipped: edit ID 'x' is not an integer" in done.stderr
    assert done.stdout.strip() == "queued 1 edits"
    assert queued_scans(redis_server.client) == [(0, "edit", [3])]
    without = sb(settings, "enqueue", "--ids", "3")
    assert without.returncode == 2 and "--ids needs --kind" in without.stderr
    unconfigured = sb(settings, "enqueue", "--kind", "bookbrainz_editor", "--ids", "3")
    assert unconfigured.returncode == 2 and "configured sources (SB_SOURCES): editor, edit" in unconfigured.stderr
    assert queued_scans(redis_server.client) == [(0, "edit", [3])]


def test_cron_enqueue_then_nothing_new(settings, redis_server):
    settings = settings.replace(enqueue_overlap_s=0)  # the overlap's repeats are tested in test_enqueue
    first = sb(settings, "enqueue")
    editors, edits = query(settings.mb_dsn, "SELECT (SELECT count(*) FROM musicbrainz.editor), "
                                            "(SELECT count(*) FROM musicbrainz.edit)")[0]
    assert first.returncode == 0 and first.stdout.strip() == f"queued {editors:,} editors and {edits:,} edits"
    assert sb(settings, "enqueue").stdout.strip() == "queued 0 editors and 0 edits"


def test_enqueue_refuses_an_unmigrated_database_and_migrate_fixes_it(pg, settings):
    settings = settings.replace(dsn=pg.create_database("cli_empty"))
    try:
        refused = sb(settings, "enqueue")
        assert refused.returncode == 2 and "run `sb migrate`" in refused.stderr
        assert sb(settings, "migrate").stdout.strip() == "applied: " + ", ".join(name for _, name, _ in migrations())
        assert sb(settings, "migrate").stdout.strip() == "the SpamBrainz database is up to date"
    finally:
        pg.drop_database("cli_empty")


def test_thresholds_are_shown_and_changed(settings):
    assert sb(settings, "thresholds").stdout.strip() == "review 50, auto off"
    assert sb(settings, "thresholds", "--review", "60").stdout.strip() == "review 60, auto off"
    refused = sb(settings, "thresholds", "--auto", "95")
    assert refused.returncode == 2 and "automatic action at 95 refused: only 0 verdicts" in refused.stderr
    refused = sb(settings, "thresholds", "--auto", "40")
    assert refused.returncode == 2 and "the auto threshold must be above the review threshold (60)" in refused.stderr
    assert sb(settings, "thresholds", "--auto", "off").stdout.strip() == "review 60, auto off"
    assert sb(settings, "thresholds", "suggest").stdout.strip() == (
        "precision 0.99: too few verdicts to suggest a threshold (0 judged reports). Showing precision 0.99 takes at "
        "least 381 verdicts at or above the threshold, nearly all of them spam. From verdicts on reports only (no "
        "audit verdicts yet): recall is of the spam reported.\n"
        "recall: not estimated yet (every score band below review needs at least one audit verdict)")


def test_harvest_labels_what_musicbrainz_flagged_and_says_what_it_found(settings):
    query(settings.mb_dsn, "UPDATE musicbrainz.editor SET privs = privs | 4096, last_updated = now() "
                           "WHERE id IN (SELECT id FROM musicbrainz.editor WHERE id > 4 ORDER BY id LIMIT 2)")
    done = sb(settings, "harvest")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "harvested from MusicBrainz: 2 spam labels (0 of them misses: scored below review and never reported), 0 ham "
        "labels; 2 labelled accounts read, 0 skipped (labelled already, or ham over SB_HARVEST_HAM_MAX)")
    assert "0 spam labels" in sb(settings, "harvest").stdout
    refused = sb(settings.replace(sources=("bookbrainz_editor",)), "harvest")
    assert refused.returncode == 2 and "SB_SOURCES must include 'editor'" in refused.stderr


def test_a_misconfigured_environment_is_named(settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SB_")} | {"SB_CHUNK_SIZ": "5"}
    done = subprocess.run([sys.executable, "-m", "sb_worker.cli", "thresholds"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "unknown setting(s) SB_CHUNK_SIZ" in done.stderr


def bare_sb(*args: str, **env: str) -> subprocess.CompletedProcess:
    """`sb` in an environment with no SB_* settings but ``env``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SB_")} | env
    return subprocess.run([sys.executable, "-m", "sb_worker.cli", *args], env=environ, capture_output=True, text=True,
                          timeout=60)


def test_a_dsn_that_is_not_one_is_named_in_one_line():
    done = bare_sb("thresholds", SB_DSN="notadsn")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("sb: error: SB_DSN is not a PostgreSQL connection string") and \
        done.stderr.count("\n") == 1


def test_an_unset_dsn_says_that_it_is_unset_and_what_was_tried():
    done = bare_sb("thresholds", SB_DB_TIMEOUT_S="2", SB_DB_LONG_TIMEOUT_S="2", PGHOST="/nonexistent")
    assert done.returncode == 3 and done.stderr.count("\n") == 1
    assert "SpamBrainz database unreachable (SB_DSN)" in done.stderr
    assert "(SB_DSN is unset, so its default postgresql:///spambrainz was tried)" in done.stderr
    named = bare_sb("thresholds", SB_DSN="postgresql:///spambrainz", PGHOST="/nonexistent")
    assert named.returncode == 3 and "is unset" not in named.stderr


def test_a_missing_input_is_refused_before_anything_slow_starts():
    started = time.monotonic()
    for args in (["score", "/nonexistent.jsonl"], ["eval", "/nonexistent.jsonl"], ["learn", "/nonexistent.jsonl"],
                 ["train", "/nonexistent.jsonl"], ["build-reputation", "/nonexistent.jsonl", "--out", "x"]):
        done = bare_sb(*args)
        assert done.returncode == 2 and "Traceback" not in done.stderr, args
        assert done.stderr.strip().endswith("error: argument file: no such file: /nonexistent.jsonl"), done.stderr
    folder = bare_sb("score", "-", "--model", "/nonexistent")
    assert folder.returncode == 2 and "argument --model: no such folder: /nonexistent" in folder.stderr
    assert time.monotonic() - started < 60  # not a speed check: none of them loaded a model (that takes ~10 s each)


def test_the_version_and_a_help_line_for_every_option_and_the_settings_each_command_reads():
    from sb_worker.cli import _parser
    from sb_worker.settings import Settings

    done = bare_sb("--version")
    assert done.returncode == 0 and re.fullmatch(r"sb \d+\.\d+\.\d+\n", done.stdout)
    known = {"SB_" + name.upper() for name in Settings.__dataclass_fields__}

    def commands(parser, path=()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    if name == sub.prog.split()[-1]:  # an alias names the same parser again
                        yield from commands(sub, (*path, name))
        yield path, parser

    checked = 0
    for path, parser in commands(_parser()):
        for action in parser._actions:
            assert action.help, f"sb {' '.join(path)}: {action.dest} has no help line"
        if path:
            assert parser.epilog, f"sb {' '.join(path)} does not name the settings it reads"
            named = set(re.findall(r"SB_[A-Z_]+", parser.epilog))
            assert named <= known and (named or parser.epilog == "reads no settings"), (path, parser.epilog)
            checked += 1
    assert checked >= 20
    assert "settings read: SB_DSN" in bare_sb("token", "create", "--help").stdout


def test_an_unreachable_database_is_reported_as_unavailable(settings):
    done = sb(settings.replace(mb_dsn="postgresql://x@/db?host=/nonexistent"), "enqueue")
    assert done.returncode == 3 and "sb: unavailable: MusicBrainz database unreachable" in done.stderr


def test_an_interrupted_backfill_resumes_and_queues_every_editor_exactly_once(settings, redis_server):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SB_")} | settings.replace(chunk_size=10).to_env()
    command = [sys.executable, "-m", "sb_worker.cli", "enqueue", "--all", "--kind", "editor", "--rate", "100"]
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until(lambda: queued_scans(redis_server.client), 60, "the first chunks of the backfill")
    first.send_signal(signal.SIGINT)
    out, err = first.communicate(timeout=60)
    assert first.returncode == 130 and "run the same command again to resume" in err
    stopped_at = len(queued_scans(redis_server.client))
    every = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    assert 0 < stopped_at * 10 < len(every)
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0 and "(backfill (resumed)" in second.stdout
    queued = [i for _, kind, ids in queued_scans(redis_server.client) for i in ids]
    assert queued == every  # each editor once, in order, across the two runs
