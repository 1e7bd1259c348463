"""The `sb` command: demo, sample-db, migrate, enqueue, thresholds."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import logging
import sys
from pathlib import Path

from sb_worker import runtime
from sb_worker.errors import SpamBrainzError, Unavailable
from sb_worker.pipeline import Thresholds, Weights


def main(argv: list[str] | None = None) -> int:
    """Run one `sb` subcommand; errors are printed as one clear line and a non-zero exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.run(args) or 0
    except Unavailable as exc:
        print(f"sb: unavailable: {exc}", file=sys.stderr)
        return 3
    except SpamBrainzError as exc:
        print(f"sb: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sb", description="SpamBrainz: spam detection for MusicBrainz.")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="run the whole pipeline on embedded Redis and PostgreSQL with sample data")
    demo.add_argument("--editors", type=_positive, default=5000, help="editors in the sample (default 5000)")
    demo.add_argument("--seed", type=int, default=1, help="seed of the sample (default 1)")
    demo.add_argument("--workers", type=_positive, default=2, help="worker processes (default 2)")
    demo.add_argument("--data-dir", type=Path, help="where the embedded servers keep their data (default: SB_DATA_DIR)")
    demo.set_defaults(run=_demo)

    sample = sub.add_parser("sample-db", help="(re)build a sample MusicBrainz database at SB_MB_DSN")
    sample.add_argument("--editors", type=_positive, default=5000)
    sample.add_argument("--seed", type=int, default=1)
    sample.add_argument("--dsn", help="database to fill (default: SB_MB_DSN)")
    sample.set_defaults(run=_sample_db)

    migrate = sub.add_parser("migrate", help="bring the SpamBrainz database (SB_DSN) to the current schema")
    migrate.set_defaults(run=_migrate)

    enqueue = sub.add_parser("enqueue", help="queue scans: new and changed entities since the last run (for cron)")
    enqueue.add_argument("--editor", nargs="+", metavar="ID", default=[], help="queue these editors")
    enqueue.add_argument("--edit", nargs="+", metavar="ID", default=[], help="queue these edits")
    enqueue.add_argument("--all", action="store_true", help="backfill: queue every editor and edit")
    enqueue.set_defaults(run=_enqueue)

    score = sub.add_parser("score", help="score JSON-lines records offline, one result line per record")
    score.add_argument("file", help="JSON-lines file of records, or - for standard input")
    score.add_argument("--kind", choices=("editor", "edit"), default="editor", help="what the records are")
    score.add_argument("--explain", action="store_true", help="print for a person instead of JSON")
    score.set_defaults(run=_score_file)

    dump = sub.add_parser("dump-dataset", help="export labelled editor records from MusicBrainz (SB_MB_DSN) as JSON lines")
    dump.add_argument("--out", type=Path, required=True, help="the JSON-lines file to write")
    dump.set_defaults(run=_dump_dataset)

    reputation = sub.add_parser("build-reputation", help="build a reputation table from labelled JSON-lines records")
    reputation.add_argument("file", help="labelled JSON-lines editor records (\"label\": \"spam\" or \"ham\")")
    reputation.add_argument("--out", type=Path, required=True, help="where to write it (then set SB_REPUTATION_FILE)")
    reputation.set_defaults(run=_build_reputation)

    fit = sub.add_parser("fit-weights", help="fit the detector weights on the bundled labelled data")
    fit.add_argument("--out", type=Path, help="where to write them (default: the bundled weights.json)")
    fit.set_defaults(run=_fit_weights)

    thresholds = sub.add_parser("thresholds", help="show or set the review and auto thresholds")
    thresholds.add_argument("--review", type=_percent, default=argparse.SUPPRESS, help="new review threshold (0-100)")
    thresholds.add_argument("--auto", type=_percent_or_off, default=argparse.SUPPRESS,
                            help="new auto threshold (0-100, or 'off')")
    thresholds.set_defaults(run=_thresholds)
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _percent(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be between 0 and 100, got {text}")
    return value


def _percent_or_off(text: str) -> float | None:
    return None if text.lower() == "off" else _percent(text)


def _demo(args: argparse.Namespace) -> None:
    from sb_worker.demo import run_demo

    data_dir = args.data_dir or Path(runtime.settings().data_dir)
    run_demo(data_dir, editors=args.editors, seed=args.seed, workers=args.workers)


def _sample_db(args: argparse.Namespace) -> None:
    from sb_worker.sample import build_sample

    summary = build_sample(args.dsn or runtime.settings().mb_dsn, editors=args.editors, seed=args.seed)
    print(f"sample MusicBrainz: {summary.editors:,} editors ({summary.spammers:,} spammers), {summary.edits:,} edits")


def _migrate(args: argparse.Namespace) -> None:
    applied = runtime.get().store.migrate()
    print("applied: " + ", ".join(applied) if applied else "the SpamBrainz database is up to date")


def _enqueue(args: argparse.Namespace) -> int:
    from sb_worker.enqueue import Publisher, enqueue_all, enqueue_changes, progress_bar
    from sb_worker.ids import parse_ids

    rt = runtime.get()
    rt.store.check_schema()
    status = 0
    with Publisher(rt.settings.broker_url, rt.settings.chunk_size) as publisher:
        if args.editor or args.edit:
            for kind, raw in (("editor", args.editor), ("edit", args.edit)):
                ids, errors = parse_ids(kind, raw)
                for error in errors:
                    print(f"sb: skipped: {error.error}", file=sys.stderr)
                    status = 2
                if ids:
                    print(f"queued {publisher.publish(kind, ids):,} {kind}s")
        elif args.all:
            for kind in ("editor", "edit"):
                queued = enqueue_all(rt.mb, rt.store, publisher, kind, progress_bar(kind))
                print(f"queued {queued:,} {kind}s (backfill)")
        else:
            overlap = dt.timedelta(seconds=rt.settings.enqueue_overlap_s)
            queued = enqueue_changes(rt.mb, rt.store, publisher, overlap)
            print(f"queued {queued['editor']:,} editors and {queued['edit']:,} edits")
    return status


def _score_file(args: argparse.Namespace) -> int:
    from sb_worker.offline import score_lines

    settings = runtime.settings()
    pipeline = runtime.offline_pipeline(settings)
    thresholds = Thresholds(settings.review_threshold, settings.auto_threshold)
    source = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")
    with source:
        bad = score_lines(source, pipeline, thresholds, args.kind, sys.stdout, sys.stderr, explain=args.explain)
    return 1 if bad else 0


def _dump_dataset(args: argparse.Namespace) -> None:
    from sb_worker.dataset import dump
    from sb_worker.mb import MBReader

    settings = runtime.settings()
    with open(args.out, "w", encoding="utf-8") as out:
        counts = dump(MBReader(settings.mb_dsn), out, settings.chunk_size)
    print(f"wrote {counts['spam']:,} spam and {counts['ham']:,} ham records to {args.out} (emails reduced to their domain)")


def _build_reputation(args: argparse.Namespace) -> int:
    from sb_worker.fit import reputation_of
    from sb_worker.offline import read_records

    records, bad = [], 0
    with open(args.file, "rb") as source:
        for number, record, problem in read_records(source):
            if problem or record.get("label") not in ("spam", "ham"):
                bad += 1
                print(f"line {number}: {problem or 'needs a label of spam or ham'}", file=sys.stderr)
            else:
                records.append(record)
    table = reputation_of(records)
    args.out.write_text(table.to_json(), encoding="utf-8")
    print(f"{len(table.domains):,} domains, {len(table.email_domains):,} email domains and "
          f"{len(table.spam_simhashes):,} spam texts from {len(records):,} records; wrote {args.out}")
    return 1 if bad else 0


def _fit_weights(args: argparse.Namespace) -> None:
    from importlib import resources

    from sb_worker.corpus import labelled
    from sb_worker.fit import cross_fitted_points, fit_weights
    from sb_worker.pipeline import build_pipeline

    cache_dir = runtime.settings().cache_dir or None
    names, x, y = cross_fitted_points(labelled("train"), lambda reputation: build_pipeline(
        weights=Weights(), reputation=reputation, cache_dir=cache_dir))
    weights = fit_weights(names, x, y)
    out = args.out or Path(str(resources.files("sb_worker.data").joinpath("weights.json")))
    out.write_text(weights.to_json(), encoding="utf-8")
    print(f"fitted on {len(y):,} records ({int(y.sum()):,} spam); wrote {out}")


def _thresholds(args: argparse.Namespace) -> None:
    store = runtime.get().store
    current = store.thresholds()
    changes = {name: getattr(args, name) for name in ("review", "auto") if hasattr(args, name)}
    if changes:
        current = dataclasses.replace(current, **changes)
        store.set_thresholds(current)
    print(f"review {current.review:g}, auto {'off' if current.auto is None else f'{current.auto:g}'}")


if __name__ == "__main__":
    sys.exit(main())
