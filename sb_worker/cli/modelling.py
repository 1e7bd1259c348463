"""`sb`'s commands for scores and models: scoring files offline, training, learning, evaluating, the corpus, the
model registry, the reputation table and the detector weights."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sb_worker import runtime
from sb_worker.cli.arguments import existing_file, existing_folder, reads
from sb_worker.scoring.pipeline import Thresholds
from sb_worker.storage.sources import SOURCES


def add_commands(sub) -> None:
    """Add these commands to `sb`'s subcommands."""
    offline = ("model_dir", "cache_dir", "detectors", "reputation_file", "review_threshold")
    score = reads(sub.add_parser("score", help="score JSON-lines records offline, one result line per record"), *offline)
    score.add_argument("file", type=existing_file, help="JSON-lines file of records, or - for standard input")
    score.add_argument("--kind", choices=("editor", "edit"), default="editor", help="what the records are")
    score.add_argument("--explain", action="store_true", help="print for a person instead of JSON")
    score.add_argument("--model", type=existing_folder,
                       help="a model artifact folder (default: the active model in SB_MODEL_DIR)")
    score.add_argument("--heuristic", action="store_true", help="score with the fitted weights, without a model")
    score.set_defaults(run=_score_file)

    train = reads(sub.add_parser("train", help="train a model on labelled JSON lines (default: the bundled corpus)"),
                  "model_dir", "cache_dir", "detectors", "reputation_file", "dsn")
    train.add_argument("file", nargs="?", type=existing_file, help="labelled JSON-lines editor records")
    train.add_argument("--out", type=Path, help="write the artifact here (default: SB_MODEL_DIR, made active)")
    train.add_argument("--seed", type=int, default=7, help="the training's random seed (default 7)")
    train.add_argument("--promote", action="store_true",
                       help="also store it in the SpamBrainz database (SB_DSN) and make it the workers' active model")
    train.set_defaults(run=_train)

    learn = reads(sub.add_parser("learn", help="update the active model in SB_MODEL_DIR from labelled JSON lines, "
                                               "through the gate"), *offline, "gate_tolerance", "gate_recall_tolerance")
    learn.add_argument("file", type=existing_file,
                       help="labelled JSON-lines editor records (e.g. confirmed spam of a new wave)")
    learn.add_argument("--seed", type=int, default=11, help="the update's random seed (default 11)")
    learn.set_defaults(run=_learn)

    evaluate = reads(sub.add_parser("eval", help="measure the model and the heuristic score on labelled JSON lines"),
                     *offline, "auto_threshold")
    evaluate.add_argument("file", type=existing_file,
                          help="labelled JSON-lines editor records (e.g. from `sb corpus test`)")
    evaluate.add_argument("--model", type=existing_folder,
                          help="a model artifact folder (default: the active model in SB_MODEL_DIR)")
    evaluate.add_argument("--json", action="store_true", help="print JSON for machines")
    evaluate.add_argument("--plot", type=Path, help="draw both precision-recall curves into this PNG")
    evaluate.set_defaults(run=_eval)

    corpus = reads(sub.add_parser("corpus", help="write a split of the bundled labelled corpus as JSON lines"))
    corpus.add_argument("split", choices=("train", "test"), help="the training split or the held-out one")
    corpus.add_argument("--out", type=Path, required=True, help="the JSON-lines file to write")
    corpus.set_defaults(run=_corpus)

    model = reads(sub.add_parser("model", help="model versions: in the SpamBrainz database (what workers use), or with "
                                               "--folder in SB_MODEL_DIR (what offline commands use)"),
                  "dsn", "model_dir")
    model_sub = model.add_subparsers(required=True, metavar="ACTION", help="list, add, promote or rollback")
    in_folder = argparse.ArgumentParser(add_help=False)
    in_folder.add_argument("--folder", action="store_true",
                           help="act on SB_MODEL_DIR (where `sb train` and `sb learn` write) instead of the database")
    reads(model_sub.add_parser("list", parents=[in_folder], help="stored versions, newest first"),
          "dsn", "model_dir").set_defaults(run=_model_list)
    add = reads(model_sub.add_parser("add", parents=[in_folder], help="store a model artifact folder as a version"),
                "dsn", "model_dir")
    add.add_argument("directory", type=existing_folder, help="the artifact folder (as `sb train --out` writes it)")
    add.add_argument("--promote", "--activate", dest="promote", action="store_true", help="and make it the active version")
    add.set_defaults(run=_model_add)
    promote = reads(model_sub.add_parser("promote", aliases=["activate"], parents=[in_folder],
                                         help="make a stored version the active one (one only in SB_MODEL_DIR is "
                                              "added first)"), "dsn", "model_dir")
    promote.add_argument("version", help="the version, as `sb model list` shows it")
    promote.set_defaults(run=_model_promote)
    reads(model_sub.add_parser("rollback", parents=[in_folder],
                               help="make the version active before the current one active again"),
          "dsn", "model_dir").set_defaults(run=_model_rollback)

    reputation = reads(sub.add_parser("build-reputation", help="build a reputation table from labelled JSON-lines "
                                                               "records"))
    reputation.add_argument("file", type=existing_file,
                            help="labelled JSON-lines editor records (\"label\": \"spam\" or \"ham\")")
    reputation.add_argument("--out", type=Path, required=True, help="where to write it (then set SB_REPUTATION_FILE)")
    reputation.set_defaults(run=_build_reputation)

    fit = reads(sub.add_parser("fit-weights", help="fit the detector weights on the bundled labelled data"),
                "cache_dir", "detectors", "reputation_file")
    fit.add_argument("--out", type=Path, help="where to write them (default: the bundled weights.json)")
    fit.set_defaults(run=_fit_weights)


def _score_file(args: argparse.Namespace) -> int:
    from sb_worker.scoring.offline import score_lines

    settings = runtime.settings()
    pipeline = runtime.offline_pipeline(settings, model=None if args.heuristic else _model(settings, args.model))
    thresholds = Thresholds(settings.review_threshold, settings.auto_threshold)
    source = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")
    with source:
        bad = score_lines(source, pipeline, thresholds, args.kind, sys.stdout, sys.stderr, explain=args.explain,
                          by_network=SOURCES[args.kind].scored_by_network)
    return 1 if bad else 0


def _build_reputation(args: argparse.Namespace) -> int:
    from sb_worker.model.fit import reputation_of

    records, bad = _read_labelled(args.file)
    table = reputation_of(records)
    args.out.write_text(table.to_json(), encoding="utf-8")
    print(f"{len(table.domains):,} domains, {len(table.email_domains):,} email domains and "
          f"{len(table.spam_simhashes):,} spam texts from {len(records):,} records; wrote {args.out}")
    return 1 if bad else 0


def _model(settings, path: str | None):
    from sb_worker.model.registry import offline_model

    return offline_model(settings, path, say=lambda line: print(line, file=sys.stderr))


def _read_labelled(path: str) -> tuple[list[dict], int]:
    """The labelled records of a JSON-lines file, and how many lines were bad (each named on standard error)."""
    from sb_worker.scoring.offline import read_records

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

    from sb_worker.model.registry import Folder, save, train_default, training_pipelines
    from sb_worker.model.training import train

    settings = runtime.settings()
    start = time.perf_counter()
    if args.file:
        model = train(_read_labelled(args.file)[0], training_pipelines(settings), seed=args.seed)
    else:
        model = train_default(settings, seed=args.seed)
    if args.out:
        where = model.save(args.out)
    else:
        where = save(model, Folder(settings.model_dir), promote=True)
    metrics = model.metadata["metrics"]
    print(f"trained {model.version} in {time.perf_counter() - start:.1f} s; on its calibration split "
          f"ROC-AUC {metrics['roc_auc']:.4f}, PR-AUC {metrics['pr_auc']:.4f}; saved to {where}"
          f"{'' if args.out else ' (active)'}")
    if args.promote:
        models = runtime.get().store.models
        models.add(Path(where))
        models.promote(model.version)
        print(f"stored {model.version} in the SpamBrainz database: the workers use it now")
    elif not args.out:
        print(f"offline commands use it now; `sb model promote {model.version}` gives it to the workers")


def _learn(args: argparse.Namespace) -> int:
    from sb_worker.model import learning
    from sb_worker.model.registry import Folder, save

    settings = runtime.settings()
    active = _model(settings, None)
    records, _ = _read_labelled(args.file)
    if not records:
        print("sb: error: no labelled records to learn from", file=sys.stderr)
        return 2
    thresholds = Thresholds(settings.review_threshold, settings.auto_threshold)
    candidate, report = learning.learn(active, records, thresholds, settings.gate_tolerance,
                                       settings.gate_recall_tolerance, args.seed, settings.cache_dir or None,
                                       settings.detectors)
    where = save(candidate, Folder(settings.model_dir), promote=report.promoted)
    print(f"learned from {len(records):,} records (a fifth held back for the gate); {report.summary()}; "
          f"saved to {where}")
    return 0


def _eval(args: argparse.Namespace) -> None:
    import json

    import numpy as np

    from sb_worker.model import evaluation
    from sb_worker.scoring.pipeline import RecordError, build_pipeline

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

    from sb_worker.model.corpus import labelled

    records = labelled(args.split)
    with open(args.out, "w", encoding="utf-8") as out:
        out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    print(f"wrote {len(records):,} labelled records ({sum(r['label'] == 'spam' for r in records):,} spam) to {args.out}")


def _registry(args: argparse.Namespace):
    """The registry a `sb model` command acts on: SB_MODEL_DIR with --folder, else the SpamBrainz database."""
    from sb_worker.model.registry import Folder

    return Folder(runtime.settings().model_dir) if args.folder else runtime.get().store.models


def _now_active(args: argparse.Namespace, version: str) -> str:
    if args.folder:
        return f"{version} is active in {runtime.settings().model_dir}: offline commands use it"
    return f"{version} is active; workers switch within SB_MODEL_CHECK_S seconds"


def _model_list(args: argparse.Namespace) -> None:
    registry = _registry(args)
    versions = registry.list()
    if not versions:
        print(f"no model versions in {registry.where}")
    for v in versions:
        auc = (v.metrics or {}).get("roc_auc")
        print(f"{v.version}  {v.status:9s}  created {v.created_at:%Y-%m-%d %H:%M}"
              f"{f'  ROC-AUC {auc:.4f}' if auc is not None else ''}")


def _model_add(args: argparse.Namespace) -> None:
    registry = _registry(args)
    version, added = registry.add(args.directory)
    print(f"{'stored' if added else 'already stored:'} {version} in {registry.where}")
    if args.promote:
        registry.promote(version)
        print(_now_active(args, version))


def _model_promote(args: argparse.Namespace) -> None:
    from sb_worker.model.registry import Folder, promote

    folder = None if args.folder else Folder(runtime.settings().model_dir)
    if promote(_registry(args), args.version, folder):
        print(f"stored {args.version} from {folder.where}")
    print(_now_active(args, args.version))


def _model_rollback(args: argparse.Namespace) -> None:
    print(_now_active(args, _registry(args).rollback()))


def _fit_weights(args: argparse.Namespace) -> None:
    from importlib import resources

    from sb_worker.model.corpus import labelled
    from sb_worker.model.fit import cross_fitted_points, fit_weights
    from sb_worker.model.registry import training_pipelines

    names, x, y = cross_fitted_points(labelled("train"), training_pipelines(runtime.settings()))
    weights = fit_weights(names, x, y)
    out = args.out or Path(str(resources.files("sb_worker.data").joinpath("weights.json")))
    out.write_text(weights.to_json(), encoding="utf-8")
    print(f"fitted on {len(y):,} records ({int(y.sum()):,} spam); wrote {out}")
