"""`sb`'s commands for running SpamBrainz: the demo, sample databases, migrations, cron's enqueue and backfills,
the harvest of MusicBrainz's own labels, the dataset export, the development API, tokens and thresholds."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import threading
from pathlib import Path

from sb_worker import runtime
from sb_worker.cli.arguments import percent, percent_or_off, positive, reads
from sb_worker.errors import BadInput
from sb_worker.storage.sources import SOURCES


def add_commands(sub) -> None:
    """Add these commands to `sb`'s subcommands."""
    demo = reads(sub.add_parser("demo", help="run the whole pipeline on embedded Redis and PostgreSQL with sample data"),
                 "data_dir", "cache_dir", "model_dir")
    demo.add_argument("--editors", type=positive, default=5000, help="editors in the sample (default 5000)")
    demo.add_argument("--seed", type=int, default=1, help="seed of the sample (default 1)")
    demo.add_argument("--workers", type=positive, default=2, help="worker processes (default 2)")
    demo.add_argument("--data-dir", type=Path, help="where the embedded servers keep their data (default: SB_DATA_DIR)")
    demo.add_argument("--serve", nargs="?", type=int, const=8080, metavar="PORT",
                      help="then keep the review page, the public page and the API up on the demo's databases "
                           "(port 8080, or PORT) until Ctrl-C, and print a token to sign in with")
    demo.set_defaults(run=_demo)

    sample = reads(sub.add_parser("sample-db", help="(re)build a sample MusicBrainz database at SB_MB_DSN"),
                   "mb_dsn", "bookbrainz_dsn")
    sample.add_argument("--editors", type=positive, default=5000, help="editors in the sample (default 5000)")
    sample.add_argument("--seed", type=int, default=1, help="seed of the sample (default 1)")
    sample.add_argument("--dsn", help="database to fill (default: SB_MB_DSN, or SB_BOOKBRAINZ_DSN)")
    sample.add_argument("--bookbrainz", action="store_true",
                        help="a sample BookBrainz (schema bookbrainz) instead, for the bookbrainz_editor source")
    sample.set_defaults(run=_sample_db)

    migrate = reads(sub.add_parser("migrate", help="bring the SpamBrainz database (SB_DSN) to the current schema"), "dsn")
    migrate.set_defaults(run=_migrate)

    enqueue = reads(sub.add_parser("enqueue", help="queue scans: new and changed entities since the last run (for cron)"),
                    "dsn", "mb_dsn", "bookbrainz_dsn", "sources", "broker_url", "chunk_size", "enqueue_overlap_s",
                    "max_queue_depth")
    enqueue.add_argument("--editor", nargs="+", metavar="ID", default=[], help="queue these editors")
    enqueue.add_argument("--edit", nargs="+", metavar="ID", default=[], help="queue these edits")
    enqueue.add_argument("--ids", nargs="+", metavar="ID", default=[], help="with --kind: queue these IDs of it")
    enqueue.add_argument("--all", action="store_true",
                         help="backfill: queue every entity of every source (after a model change); resumes "
                              "where an interrupted one stopped")
    enqueue.add_argument("--missing", action="store_true",
                         help="after Redis lost messages: queue again every entity up to the marks that has no "
                              "score, or changed since its latest one")
    enqueue.add_argument("--kind", choices=tuple(SOURCES),
                         help="only this source (one of SB_SOURCES); with --ids, the IDs' source")
    enqueue.add_argument("--rate", type=positive, metavar="N", help="with --all: queue at most N entities a second")
    enqueue.add_argument("--restart", action="store_true", help="with --all: start over instead of resuming")
    enqueue.set_defaults(run=_enqueue)

    harvest = reads(sub.add_parser("harvest", help="learn what MusicBrainz knows: its SPAMMER flags and editors in "
                                                   "good standing since the last run, as labels for the trainer "
                                                   "(for cron)"),
                    "dsn", "mb_dsn", "sources", "broker_url", "harvest_ham_max", "harvest_first_days",
                    "enqueue_overlap_s")
    harvest.add_argument("--all", action="store_true",
                         help="read every account MusicBrainz labelled, whenever it changed (labels already stored "
                              "are skipped)")
    harvest.set_defaults(run=_harvest)

    dump = reads(sub.add_parser("dump-dataset", help="export labelled editor records from MusicBrainz (SB_MB_DSN) as "
                                                     "JSON lines"), "mb_dsn", "chunk_size")
    dump.add_argument("--out", type=Path, required=True, help="the JSON-lines file to write")
    dump.set_defaults(run=_dump_dataset)

    api = reads(sub.add_parser("api", help="run the HTTP API for development (production: gunicorn "
                                           "'sb_worker.web.app:wsgi()')"),
                "dsn", "mb_dsn", "bookbrainz_dsn", "sources", "broker_url", "max_queue_depth", "public_url",
                "musicbrainz_url", "appeal_contact")
    api.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    api.add_argument("--port", type=int, default=8080, help="the port to listen on (default 8080)")
    api.set_defaults(run=_api)

    token = reads(sub.add_parser("token", help="API bearer tokens"), "dsn")
    token_sub = token.add_subparsers(required=True, metavar="ACTION", help="create, list or revoke")
    create = reads(token_sub.add_parser("create", help="create a token (it is shown once)"), "dsn")
    create.add_argument("--name", required=True, help="who or what uses it")
    create.add_argument("--scope", action="append", required=True, choices=("submit", "feedback", "admin"),
                        help="what it may do (repeat for more than one): submit scans and appeals; feedback: "
                             "verdicts and the review page; admin: thresholds, models and lists")
    create.set_defaults(run=_token_create)
    reads(token_sub.add_parser("list", help="tokens, without their secrets"), "dsn").set_defaults(run=_token_list)
    revoke = reads(token_sub.add_parser("revoke", help="revoke a token"), "dsn")
    revoke.add_argument("id", type=int, help="the token's number, as `sb token list` shows it")
    revoke.set_defaults(run=_token_revoke)

    thresholds = reads(sub.add_parser("thresholds", help="show, set or suggest the review and auto thresholds"), "dsn",
                       "sources", "audit_days")
    thresholds.add_argument("action", nargs="?", choices=("show", "suggest"), default="show",
                            help="show (the default) or set them, or suggest one from the ninjas' verdicts")
    thresholds.add_argument("--precision", type=float, default=0.99, help="for suggest: the precision to reach")
    thresholds.add_argument("--review", type=percent, default=argparse.SUPPRESS, help="new review threshold (0-100)")
    thresholds.add_argument("--auto", type=percent_or_off, default=argparse.SUPPRESS,
                            help="new auto threshold (0-100, or 'off')")
    thresholds.set_defaults(run=_thresholds)


def _demo(args: argparse.Namespace) -> None:
    from sb_worker.demo import run_demo

    data_dir = args.data_dir or Path(runtime.settings().data_dir)
    run_demo(data_dir, editors=args.editors, seed=args.seed, workers=args.workers, serve=args.serve)


def _sample_db(args: argparse.Namespace) -> None:
    if args.bookbrainz:
        from sb_worker.samples.bookbrainz import build_bookbrainz_sample

        made = build_bookbrainz_sample(args.dsn or runtime.settings().bookbrainz_dsn, args.editors, args.seed)
        print(f"sample BookBrainz: {made.editors:,} editors ({len(made.spam_ids):,} spammers)")
        return
    from sb_worker.samples.musicbrainz import build_sample

    summary = build_sample(args.dsn or runtime.settings().mb_dsn, editors=args.editors, seed=args.seed)
    print(f"sample MusicBrainz: {summary.editors:,} editors ({summary.spammers:,} spammers), {summary.edits:,} edits")


def _migrate(args: argparse.Namespace) -> None:
    applied = runtime.get().store.migrate()
    print("applied: " + ", ".join(applied) if applied else "the SpamBrainz database is up to date")


def _enqueue(args: argparse.Namespace) -> int:
    from sb_worker.broker import Publisher
    from sb_worker.enqueue import backfill, enqueue_changes, enqueue_missing, progress_bar
    from sb_worker.scoring.ids import parse_ids

    rt = runtime.get()
    rt.store.check_schema()
    status = 0
    sources = {args.kind: rt.source(args.kind)} if args.kind else rt.sources
    if args.ids and not args.kind:
        raise BadInput("--ids needs --kind: the source the IDs belong to")
    with Publisher(rt.settings.broker_url, rt.settings.chunk_size) as publisher:
        if args.editor or args.edit or args.ids:
            for kind, raw in (("editor", args.editor), ("edit", args.edit), (args.kind, args.ids)):
                if not raw:
                    continue
                rt.source(kind)  # refuses a kind not in SB_SOURCES, naming those that are
                ids, errors = parse_ids(kind, raw)
                for error in errors:
                    print(f"sb: skipped: {error.error}", file=sys.stderr)
                    status = 2
                if ids:
                    print(f"queued {publisher.publish(kind, ids):,} {kind}s")
        elif args.all:
            stop = _stop_on_signals()
            for kind, source in sources.items():
                run = backfill(source, rt.store, publisher, rate=args.rate, restart=args.restart,
                               max_depth=rt.settings.max_queue_depth, stopping=stop.is_set,
                               progress=progress_bar(kind))
                resumed = " (resumed)" if run.resumed else ""
                if not run.finished:
                    print(f"interrupted: queued {run.done:,} of {run.total:,} {kind}s; "
                          "run the same command again to resume", file=sys.stderr)
                    return 130
                print(f"queued {run.queued:,} {kind}s (backfill{resumed}: {run.done:,} in all)")
        elif args.missing:
            queued = enqueue_missing(sources, rt.store, publisher)
            print(f"queued {_counts(queued)} (unscanned up to the marks)")
        else:
            overlap = dt.timedelta(seconds=rt.settings.enqueue_overlap_s)
            print(f"queued {_counts(enqueue_changes(sources, rt.store, publisher, overlap))}")
    return status


def _harvest(args: argparse.Namespace) -> None:
    from sb_worker import service

    rt = runtime.get()
    rt.store.check_schema()
    done = service.harvest(rt, everything=args.all)
    print(f"harvested from MusicBrainz: {done['spam']:,} spam labels ({done['missed']:,} of them misses: scored below "
          f"review and never reported), {done['ham']:,} ham labels; {done['read']:,} labelled accounts read, "
          f"{done['skipped']:,} skipped (labelled already, or ham over SB_HARVEST_HAM_MAX)")


def _counts(queued: dict[str, int]) -> str:
    """``{"editor": 5, "edit": 3}`` as "5 editors and 3 edits"."""
    parts = [f"{n:,} {kind}s" for kind, n in queued.items()]
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] if parts else "nothing"


def _stop_on_signals() -> threading.Event:
    """An event set by Ctrl-C or SIGTERM, so a backfill stops cleanly between two chunks."""
    stop = threading.Event()

    def handle(signum: int, frame: object) -> None:
        if stop.is_set():  # a second Ctrl-C stops at once
            raise KeyboardInterrupt
        print("\nstopping after this chunk (Ctrl-C again to stop now)", file=sys.stderr)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handle)
    return stop


def _dump_dataset(args: argparse.Namespace) -> None:
    from sb_worker.storage.dataset import dump
    from sb_worker.storage.mb import MBReader

    settings = runtime.settings()
    with open(args.out, "w", encoding="utf-8") as out:
        counts = dump(MBReader(settings.mb_dsn), out, settings.chunk_size)
    print(f"wrote {counts['spam']:,} spam and {counts['ham']:,} ham records to {args.out} (emails reduced to their domain)")


def _api(args: argparse.Namespace) -> None:
    from sb_worker.web.app import create_app

    create_app().run(host=args.host, port=args.port)


def _token_create(args: argparse.Namespace) -> None:
    from sb_worker.web.tokens import new_token

    token, token_hash = new_token()
    token_id = runtime.get().store.access.add_token(args.name, token_hash, sorted(set(args.scope)))
    print(f"token {token_id} for {args.name} ({', '.join(sorted(set(args.scope)))}); shown once, keep it secret:")
    print(token)


def _token_list(args: argparse.Namespace) -> None:
    for row in runtime.get().store.access.tokens():
        state = f"revoked {row['revoked_at']:%Y-%m-%d}" if row["revoked_at"] else "live"
        print(f"{row['id']:4d}  {row['name']}  {', '.join(row['scopes'])}  {state}")


def _token_revoke(args: argparse.Namespace) -> int:
    if not runtime.get().store.access.revoke_token(args.id):
        print(f"sb: error: no live token {args.id}", file=sys.stderr)
        return 2
    print(f"token {args.id} revoked")
    return 0


def _thresholds(args: argparse.Namespace) -> None:
    from sb_worker import service
    from sb_worker.model import audit, stats

    store = runtime.get().store
    if args.action == "suggest":
        judged = store.verdicts.judged_reports()
        print(stats.describe_suggestion(stats.suggest(judged, args.precision)))
        print(audit.describe(service.audit_figures(runtime.get(), judged, store.config.thresholds().review)["recall"]))
        return
    current = store.config.thresholds()
    if hasattr(args, "review") or hasattr(args, "auto"):
        current = service.change_thresholds(store, getattr(args, "review", None), getattr(args, "auto", "unchanged"))
    print(f"review {current.review:g}, auto {'off' if current.auto is None else f'{current.auto:g}'}")
