"""`sb demo`: the whole pipeline on embedded Redis and PostgreSQL with a sample MusicBrainz, and a summary."""

from __future__ import annotations

import datetime as dt
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import psycopg2

from detectors.musicbrainz import SPAMMER
from sb_worker import runtime
from sb_worker.broker import Publisher
from sb_worker.embedded import EmbeddedPostgres, EmbeddedRedis, WorkerProcess
from sb_worker.enqueue import enqueue_changes
from sb_worker.model.registry import Folder, offline_model, promote
from sb_worker.samples.musicbrainz import SampleSummary, build_sample
from sb_worker.settings import Settings

STALL_TIMEOUT_S = 120  # give up when nothing was scanned for this long


@dataclass
class Quality:
    """How the reports of one kind compare with MusicBrainz's SPAMMER flag."""

    true_pos: int
    false_pos: int
    false_neg: int

    @property
    def precision(self) -> float:
        return self.true_pos / max(1, self.true_pos + self.false_pos)

    @property
    def recall(self) -> float:
        return self.true_pos / max(1, self.true_pos + self.false_neg)


@dataclass
class DemoSummary:
    """The figures the demo measured."""

    editors: int
    edits: int
    spammers: int
    scanned: dict[str, int]
    errors: dict[str, int]
    reports: int
    review_threshold: float
    seconds: float
    workers: int
    quality: dict[str, Quality]
    model: str
    at_100: int
    audit: int = 0     # accounts drawn from those not reported, for the ninjas to judge
    top: list[dict[str, Any]] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return sum(self.scanned.values()) / max(self.seconds, 1e-9)


def run_demo(data_dir: Path, editors: int = 5000, seed: int = 1, workers: int = 2, out: TextIO = sys.stdout,
             serve: int | None = None, stop: threading.Event | None = None) -> DemoSummary:
    """Start everything, scan a fresh sample end to end, print and return the summary, stop everything. With
    ``serve`` (a port, 0 for any), the web pages and the API stay up on the demo's databases until ``stop`` is set
    (by default: Ctrl-C or SIGTERM)."""
    data_dir = Path(data_dir).resolve()
    say = _Printer(out)
    say(f"SpamBrainz demo: embedded PostgreSQL and Redis under {data_dir}")
    with EmbeddedPostgres(data_dir / "postgres") as pg, EmbeddedRedis(data_dir / "redis.db") as redis:
        redis.client.flushall()  # messages left by an interrupted earlier run
        mb_dsn = pg.create_database("musicbrainz_sample")
        here = Settings.from_env()  # where models and pattern sets are cached, as for `sb score`
        settings = Settings(mb_dsn=mb_dsn, dsn=pg.create_database("spambrainz"), broker_url=redis.url,
                            data_dir=str(data_dir), model_dir=here.model_dir, cache_dir=here.cache_dir)
        runtime.configure(settings)
        start = time.perf_counter()
        sample = build_sample(mb_dsn, editors=editors, seed=seed)
        say(f"built a sample MusicBrainz: {sample.editors:,} editors ({sample.spammers:,} flagged SPAMMER), "
            f"{sample.edits:,} edits, in {time.perf_counter() - start:.1f} s")
        rt = runtime.get()
        rt.store.migrate()
        # The model production scores with: the default one, trained on first use and cached (as `sb score` does).
        model = offline_model(settings, say=say)
        promote(rt.store.models, model.version, Folder(settings.model_dir))
        versions = (model.version, f"{model.version}+weights")
        say(f"scoring with model {model.version} (edits with its weights alone: {versions[1]})")
        # Compile the detectors' pattern sets here, once, into the cache the worker processes load from: on a
        # first run they would otherwise each compile them while the clock runs.
        rt.pipeline.score("editor", [])
        with WorkerProcess(settings, data_dir / "worker.log", concurrency=workers):
            say(f"started a Celery worker with {workers} processes (log: {data_dir / 'worker.log'})")
            start = time.perf_counter()
            with Publisher(settings.broker_url, settings.chunk_size) as publisher:
                queued = enqueue_changes(rt.sources, rt.store, publisher, dt.timedelta(seconds=settings.enqueue_overlap_s))
            say(f"queued {queued['editor']:,} editors and {queued['edit']:,} edits in chunks of {settings.chunk_size}")
            _wait_for_scans(rt, versions, sum(queued.values()), say)
            seconds = time.perf_counter() - start
            summary = _summarise(rt, mb_dsn, sample, seconds, workers, versions)
            say.summary(summary)
            if serve is None:
                say("\nto look at these reports on the review page: sb demo --serve (the same run, then its pages "
                    "stay up until Ctrl-C)")
            else:
                _serve(rt, serve, say, stop or _stop_on_signals())
        runtime.close()
    return summary


def _serve(rt: runtime.Runtime, port: int, say: _Printer, stop: threading.Event) -> None:
    """Keep the demo's databases, broker and worker up behind the API, the review page and the public page until
    ``stop`` is set (Ctrl-C), with a token to sign in with and the settings that reach the same databases."""
    from werkzeug.serving import make_server

    from sb_worker.web.app import create_app
    from sb_worker.web.tokens import new_token

    token, token_hash = new_token()
    rt.store.access.add_token("demo ninja", token_hash, ["submit", "feedback", "admin"])
    server = make_server("127.0.0.1", port, create_app(rt.settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="demo-web", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    say(f"""
serving the demo until Ctrl-C:
  review page   {url}/review   (sign in with the token below)
  public page   {url}/
  API           {url}/v1/docs   (send the token as "Authorization: Bearer TOKEN")
  token         {token}   (scopes submit, feedback and admin; it lives as long as this demo's database)
  sb commands on these databases:
    export SB_DSN='{rt.settings.dsn}' SB_MB_DSN='{rt.settings.mb_dsn}' SB_BROKER_URL='{rt.settings.broker_url}'""")
    try:
        stop.wait()
    finally:
        server.shutdown()
        thread.join(10)
        say("stopped the servers")


def _stop_on_signals() -> threading.Event:
    """An event that Ctrl-C or SIGTERM sets."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def _wait_for_scans(rt: runtime.Runtime, versions: tuple[str, ...], expected: int, say: _Printer) -> None:
    done, last_change, last_done = 0, time.monotonic(), -1
    while done < expected:
        time.sleep(0.05)  # the poll interval bounds how exactly the throughput is measured
        done = sum(rt.store.reports.count_scanned(versions).values()) + sum(rt.store.reports.count_errors().values())
        say.progress(done, expected)
        if done != last_done:
            last_change, last_done = time.monotonic(), done
        elif time.monotonic() - last_change > STALL_TIMEOUT_S:
            raise RuntimeError(f"no progress for {STALL_TIMEOUT_S} s at {done:,} of {expected:,}; see the worker log")


def _summarise(rt: runtime.Runtime, mb_dsn: str, sample: SampleSummary, seconds: float,
               workers: int, versions: tuple[str, ...]) -> DemoSummary:
    conn = psycopg2.connect(mb_dsn)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT id, name FROM musicbrainz.editor WHERE privs & %s <> 0", (SPAMMER,))
            spammers = dict(cur.fetchall())
            cur.execute("SELECT e.id FROM musicbrainz.edit e JOIN musicbrainz.editor ed ON ed.id = e.editor "
                        "WHERE ed.privs & %s <> 0", (SPAMMER,))
            spam_edits = {row[0] for row in cur.fetchall()}
            reports = rt.store.reports.open()
            editor_ids = [r["entity_id"] for r in reports if r["kind"] == "editor"][:5]
            cur.execute("SELECT id, name FROM musicbrainz.editor WHERE id = ANY(%s)", (editor_ids,))
            names = dict(cur.fetchall())
    finally:
        conn.close()
    quality = {}
    for kind, truth in (("editor", set(spammers)), ("edit", spam_edits)):
        reported = {r["entity_id"] for r in reports if r["kind"] == kind}
        quality[kind] = Quality(len(reported & truth), len(reported - truth), len(truth - reported))
    top = [{**r, "name": names.get(r["entity_id"], "")} for r in reports if r["kind"] == "editor"][:5]
    return DemoSummary(editors=sample.editors, edits=sample.edits, spammers=sample.spammers,
                       scanned=rt.store.reports.count_scanned(versions), errors=rt.store.reports.count_errors(),
                       reports=len(reports), review_threshold=rt.store.config.thresholds().review, seconds=seconds,
                       workers=workers, quality=quality, model=versions[0], top=top,
                       at_100=sum(r["score"] == 100 for r in reports), audit=rt.store.reports.count_open()["audit"])


class _Printer:
    """Progress for a person: one updating line on a terminal, a few plain lines otherwise."""

    def __init__(self, out: TextIO):
        self.out = out
        self.tty = out.isatty()
        self.last_tenth = -1

    def __call__(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def progress(self, done: int, total: int) -> None:
        tenth = 10 * done // max(total, 1)
        if self.tty:
            self.out.write(f"\rscanned {done:,} / {total:,} entities")
            self.out.write("\n" if done >= total else "")
            self.out.flush()
        elif tenth != self.last_tenth:
            self(f"scanned {done:,} / {total:,} entities")
        self.last_tenth = tenth

    def summary(self, s: DemoSummary) -> None:
        scanned = sum(s.scanned.values())
        lines = [
            "",
            "SpamBrainz demo summary",
            f"  scanned     {scanned:,} entities ({s.scanned.get('editor', 0):,} editors, {s.scanned.get('edit', 0):,} edits) "
            f"in {s.seconds:.1f} s with {s.workers} worker processes: {s.throughput:,.0f} entities/s",
            f"  errors      {sum(s.errors.values()):,}",
            f"  model       {s.model} (editors; edits with its weights alone)",
            f"  reports     {s.reports:,} open at review threshold {s.review_threshold:g}, "
            f"{s.at_100:,} of them ({s.at_100 / max(1, s.reports):.0%}) at exactly 100",
        ]
        for kind, label in (("editor", "editors"), ("edit", "edits  ")):
            q = s.quality[kind]
            lines.append(f"  {label}     precision {q.precision:.3f}, recall {q.recall:.3f} against MB's SPAMMER flag "
                         f"({q.true_pos:,} spam reported, {q.false_pos:,} honest reported, {q.false_neg:,} spam missed)")
        lines.append(f"  audit       {s.audit:,} accounts drawn from those not reported (SB_AUDIT_RATES), for the "
                     "ninjas to judge: their verdicts estimate recall")
        lines.append("  top reports:")
        for r in s.top:
            lines.append(f"    #{r['id']} editor {r['entity_id']} {r['name']!r}: score {r['score']}")
            lines += [f"        {reason['detector']} {reason['points']:+g}: {reason['why'][:110]}" for reason in r["reasons"]]
        self("\n".join(lines))
