"""The `sb` command: demo, sample-db, migrate, enqueue, thresholds."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import signal
import sys
import threading
from pathlib import Path

from sb_worker import runtime
from sb_worker.errors import BadInput, SpamBrainzError, Unavailable
from sb_worker.pipeline import Thresholds
from sb_worker.sources import SOURCES


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
    sample.add_argument("--dsn", help="database to fill (default: SB_MB_DSN, or SB_BOOKBRAINZ_DSN)")
    sample.add_argument("--bookbrainz", action="store_true",
                        help="a sample BookBrainz (schema bookbrainz) instead, for the bookbrainz_editor source")
    sample.set_defaults(run=_sample_db)

    migrate = sub.add_parser("migrate", help="bring the SpamBrainz database (SB_DSN) to the current schema")
    migrate.set_defaults(run=_migrate)

    enqueue = sub.add_parser("enqueue", help="queue scans: new and changed entities since the last run (for cron)")
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
    enqueue.add_argument("--rate", type=_positive, metavar="N", help="with --all: queue at most N entities a second")
    enqueue.add_argument("--restart", action="store_true", help="with --all: start over instead of resuming")
    enqueue.set_defaults(run=_enqueue)

    score = sub.add_parser("score", help="score JSON-lines records offline, one result line per record")
    score.add_argument("file", help="JSON-lines file of records, or - for standard input")
    score.add_argument("--kind", choices=("editor", "edit"), default="editor", help="what the records are")
    score.add_argument("--explain", action="store_true", help="print for a person instead of JSON")
    score.add_argument("--model", help="a model artifact folder (default: the active model in SB_MODEL_DIR)")
    score.add_argument("--heuristic", action="store_true", help="score with the fitted weights, without a model")
    score.set_defaults(run=_score_file)

    train = sub.add_parser("train", help="train a model on labelled JSON lines (default: the bundled corpus)")
    train.add_argument("file", nargs="?", help="labelled JSON-lines editor records")
    train.add_argument("--out", type=Path, help="write the artifact here (default: SB_MODEL_DIR, made active)")
    train.add_argument("--seed", type=int, default=7)
    train.set_defaults(run=_train)

    learn = sub.add_parser("learn", help="update the active model in SB_MODEL_DIR from labelled JSON lines, through the gate")
    learn.add_argument("file", help="labelled JSON-lines editor records (e.g. confirmed spam of a new wave)")
    learn.add_argument("--seed", type=int, default=11)
    learn.set_defaults(run=_learn)

    evaluate = sub.add_parser("eval", help="measure the model and the heuristic score on labelled JSON lines")
    evaluate.add_argument("file", help="labelled JSON-lines editor records (e.g. from `sb corpus test`)")
    evaluate.add_argument("--model", help="a model artifact folder (default: the active model in SB_MODEL_DIR)")
    evaluate.add_argument("--json", action="store_true", help="print JSON for machines")
    evaluate.add_argument("--plot", type=Path, help="draw both precision-recall curves into this PNG")
    evaluate.set_defaults(run=_eval)

    corpus = sub.add_parser("corpus", help="write a split of the bundled labelled corpus as JSON lines")
    corpus.add_argument("split", choices=("train", "test"))
    corpus.add_argument("--out", type=Path, required=True)
    corpus.set_defaults(run=_corpus)

    api = sub.add_parser("api", help="run the HTTP API for development (production: gunicorn 'sb_worker.api:wsgi()')")
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=8080)
    api.set_defaults(run=_api)

    token = sub.add_parser("token", help="API bearer tokens")
    token_sub = token.add_subparsers(required=True, metavar="ACTION")
    create = token_sub.add_parser("create", help="create a token (it is shown once)")
    create.add_argument("--name", required=True, help="who or what uses it")
    create.add_argument("--scope", action="append", required=True, choices=("submit", "feedback", "admin"))
    create.set_defaults(run=_token_create)
    token_sub.add_parser("list", help="tokens, without their secrets").set_defaults(run=_token_list)
    revoke = token_sub.add_parser("revoke", help="revoke a token")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(run=_token_revoke)

    model = sub.add_parser("model", help="model versions in the SpamBrainz database (what workers use)")
    model_sub = model.add_subparsers(required=True, metavar="ACTION")
    model_sub.add_parser("list", help="stored versions").set_defaults(run=_model_list)
    add = model_sub.add_parser("add", help="store a model artifact folder as a version")
    add.add_argument("directory", type=Path)
    add.add_argument("--activate", action="store_true", help="and make it the active version")
    add.set_defaults(run=_model_add)
    activate = model_sub.add_parser("activate", help="make a stored version the active one")
    activate.add_argument("version")
    activate.set_defaults(run=_model_activate)

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

    thresholds = sub.add_parser("thresholds", help="show, set or suggest the review and auto thresholds")
    thresholds.add_argument("action", nargs="?", choices=("show", "suggest"), default="show")
    thresholds.add_argument("--precision", type=float, default=0.99, help="for suggest: the precision to reach")
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
    if args.bookbrainz:
        from sb_worker.sources.bookbrainz_sample import build_bookbrainz_sample

        made = build_bookbrainz_sample(args.dsn or runtime.settings().bookbrainz_dsn, args.editors, args.seed)
        print(f"sample BookBrainz: {made.editors:,} editors ({len(made.spam_ids):,} spammers)")
        return
    from sb_worker.sample import build_sample

    summary = build_sample(args.dsn or runtime.settings().mb_dsn, editors=args.editors, seed=args.seed)
    print(f"sample MusicBrainz: {summary.editors:,} editors ({summary.spammers:,} spammers), {summary.edits:,} edits")


def _migrate(args: argparse.Namespace) -> None:
    applied = runtime.get().store.migrate()
    print("applied: " + ", ".join(applied) if applied else "the SpamBrainz database is up to date")


def _enqueue(args: argparse.Namespace) -> int:
    from sb_worker.enqueue import Publisher, backfill, enqueue_changes, enqueue_missing, progress_bar
    from sb_worker.ids import parse_ids

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


def _score_file(args: argparse.Namespace) -> int:
    from sb_worker.offline import score_lines

    settings = runtime.settings()
    pipeline = runtime.offline_pipeline(settings, model=None if args.heuristic else _model(settings, args.model))
    thresholds = Thresholds(settings.review_threshold, settings.auto_threshold)
    source = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")
    with source:
        bad = score_lines(source, pipeline, thresholds, args.kind, sys.stdout, sys.stderr, explain=args.explain,
                          network=SOURCES[args.kind].network)
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

    records, bad = _read_labelled(args.file)
    table = reputation_of(records)
    args.out.write_text(table.to_json(), encoding="utf-8")
    print(f"{len(table.domains):,} domains, {len(table.email_domains):,} email domains and "
          f"{len(table.spam_simhashes):,} spam texts from {len(records):,} records; wrote {args.out}")
    return 1 if bad else 0


def _model(settings, path: str | None):
    from sb_worker.models import offline_model

    return offline_model(settings, path, say=lambda line: print(line, file=sys.stderr))


def _read_labelled(path: str) -> tuple[list[dict], int]:
    """The labelled records of a JSON-lines file, and how many lines were bad (each named on standard error)."""
    from sb_worker.offline import read_records

    records, bad = [], 0
    with open(path, "rb") as source:
        for number, record, problem in read_records(source):
            if problem or record.get("label") not in ("spam", "ham"):
                bad += 1
                print(f"line {number}: {problem or 'needs a label of spam or ham'}", file=sys.stderr)
            else:
                records.append(record)
    return records, bad


def _train(args: argparse.Namespace) -> None:
    import time

    from sb_worker.models import ModelStore, train_default, training_pipelines
    from sb_worker.neural import save_atomically, train

    settings = runtime.settings()
    start = time.perf_counter()
    if args.file:
        model = train(_read_labelled(args.file)[0], training_pipelines(settings), seed=args.seed)
    else:
        model = train_default(settings, seed=args.seed)
    if args.out:
        where = model.save(args.out)
    else:
        where = save_atomically(model, Path(settings.model_dir))
        ModelStore(settings.model_dir).activate(model.version)
    metrics = model.metadata["metrics"]
    print(f"trained {model.version} in {time.perf_counter() - start:.1f} s; on its calibration split "
          f"ROC-AUC {metrics['roc_auc']:.4f}, PR-AUC {metrics['pr_auc']:.4f}; saved to {where}"
          f"{'' if args.out else ' (active)'}")


def _learn(args: argparse.Namespace) -> int:
    from sb_worker import learning
    from sb_worker.models import ModelStore
    from sb_worker.neural import save_atomically

    settings = runtime.settings()
    active = _model(settings, None)
    records, _ = _read_labelled(args.file)
    if not records:
        print("sb: error: no labelled records to learn from", file=sys.stderr)
        return 2
    thresholds = Thresholds(settings.review_threshold, settings.auto_threshold)
    candidate, report = learning.learn(active, records, thresholds, settings.gate_tolerance, args.seed,
                                       settings.cache_dir or None, settings.detectors)
    where = save_atomically(candidate, Path(settings.model_dir))
    if report.promoted:
        ModelStore(settings.model_dir).activate(candidate.version)
    print(f"learned from {len(records):,} records (a fifth held back for the gate); {report.summary()}; "
          f"saved to {where}")
    return 0


def _eval(args: argparse.Namespace) -> None:
    import json

    import numpy as np

    from sb_worker import evaluation
    from sb_worker.pipeline import RecordError, build_pipeline

    settings = runtime.settings()
    model = _model(settings, args.model)
    records, _ = _read_labelled(args.file)
    neural = build_pipeline(settings.detectors, model=model, cache_dir=settings.cache_dir or None)
    heuristic = build_pipeline(settings.detectors, reputation=model.reputation, cache_dir=settings.cache_dir or None)
    scored = {name: pipeline.score("editor", records) for name, pipeline in
              ((f"neural ({model.version})", neural), ("heuristic only", heuristic))}
    good = [i for i, r in enumerate(scored["heuristic only"]) if not isinstance(r, RecordError)]
    y = np.array([1.0 if records[i]["label"] == "spam" else 0.0 for i in good])
    scores = {name: np.array([results[i].score for i in good], dtype=float) for name, results in scored.items()}
    reports = {name: evaluation.report(y, s, settings.review_threshold, settings.auto_threshold)
               for name, s in scores.items()}
    bands = evaluation.reliability(y, scores[f"neural ({model.version})"] / 100)
    if args.json:
        print(json.dumps({**reports, "reliability": bands}, indent=2))
    else:
        print(f"figures on {args.file} as given: on a split of the training corpus they measure that corpus, not "
              "spam the model has not seen (benchmarks.generalisation measures that)\n")
        print(evaluation.table(reports))
        print("\nreliability of the model's probability: band, records, mean predicted, observed spam share")
        print("\n".join(f"  {b['band']}  {b['records']:6,d}  {b['predicted']:.3f}  {b['observed']:.3f}" for b in bands))
    if args.plot:
        evaluation.plot(y, scores, args.plot)
        print(f"precision-recall curves drawn to {args.plot}")


def _corpus(args: argparse.Namespace) -> None:
    import json

    from sb_worker.corpus import labelled

    records = labelled(args.split)
    with open(args.out, "w", encoding="utf-8") as out:
        out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    print(f"wrote {len(records):,} labelled records ({sum(r['label'] == 'spam' for r in records):,} spam) to {args.out}")


def _api(args: argparse.Namespace) -> None:
    from sb_worker.api import create_app

    create_app().run(host=args.host, port=args.port)


def _token_create(args: argparse.Namespace) -> None:
    from sb_worker.tokens import new_token

    token, token_hash = new_token()
    token_id = runtime.get().store.add_token(args.name, token_hash, sorted(set(args.scope)))
    print(f"token {token_id} for {args.name} ({', '.join(sorted(set(args.scope)))}); shown once, keep it secret:")
    print(token)


def _token_list(args: argparse.Namespace) -> None:
    for row in runtime.get().store.tokens():
        state = f"revoked {row['revoked_at']:%Y-%m-%d}" if row["revoked_at"] else "live"
        print(f"{row['id']:4d}  {row['name']}  {', '.join(row['scopes'])}  {state}")


def _token_revoke(args: argparse.Namespace) -> int:
    if not runtime.get().store.revoke_token(args.id):
        print(f"sb: error: no live token {args.id}", file=sys.stderr)
        return 2
    print(f"token {args.id} revoked")
    return 0


def _model_list(args: argparse.Namespace) -> None:
    for row in runtime.get().store.models():
        auc = (row["metrics"] or {}).get("roc_auc")
        print(f"{row['version']}  {row['status']:9s}  created {row['created_at']:%Y-%m-%d %H:%M}"
              f"{f'  ROC-AUC {auc:.4f}' if auc is not None else ''}")


def _model_add(args: argparse.Namespace) -> None:
    from sb_worker.models import register

    version, added = register(runtime.get().store, args.directory, activate=args.activate)
    print(f"{'stored' if added else 'already stored:'} {version}")
    if args.activate:
        print(f"{version} is active; workers switch within SB_MODEL_CHECK_S seconds")


def _model_activate(args: argparse.Namespace) -> None:
    runtime.get().store.activate_model(args.version)
    print(f"{args.version} is active; workers switch within SB_MODEL_CHECK_S seconds")


def _fit_weights(args: argparse.Namespace) -> None:
    from importlib import resources

    from sb_worker.corpus import labelled
    from sb_worker.fit import cross_fitted_points, fit_weights
    from sb_worker.models import training_pipelines

    names, x, y = cross_fitted_points(labelled("train"), training_pipelines(runtime.settings()))
    weights = fit_weights(names, x, y)
    out = args.out or Path(str(resources.files("sb_worker.data").joinpath("weights.json")))
    out.write_text(weights.to_json(), encoding="utf-8")
    print(f"fitted on {len(y):,} records ({int(y.sum()):,} spam); wrote {out}")


def _thresholds(args: argparse.Namespace) -> None:
    from sb_worker import service, stats

    store = runtime.get().store
    if args.action == "suggest":
        found = stats.suggest(store.judged_reports(), args.precision)
        where = "none reaches it" if found["threshold"] is None else f"{found['threshold']:g}"
        print(f"precision {args.precision:g}: threshold {where} (recall {found['recall']:.3f} of "
              f"{found['verdicts']:,} judged reports)")
        return
    current = store.thresholds()
    if hasattr(args, "review") or hasattr(args, "auto"):
        current = service.change_thresholds(store, getattr(args, "review", None), getattr(args, "auto", "unchanged"))
    print(f"review {current.review:g}, auto {'off' if current.auto is None else f'{current.auto:g}'}")


if __name__ == "__main__":
    sys.exit(main())
