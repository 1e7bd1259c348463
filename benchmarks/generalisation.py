"""Leave-one-source-out: train without a source, score that source. The figure that decides changes to scoring.

Run: .venv/bin/python -m benchmarks.generalisation [--sources youtube,sms,...] [--json FILE]

The sources are those of ``sb_worker.model.corpus``: each real text collection (YouTube comments, SMS), each language
group of the multilingual honest sentences, and the generator's accounts. For each source left out, three
scorers are trained on all the others, the same way:
  network   ``sb train``'s model (with the detectors, scored through the pipeline as the workers score)
  weights   the detector weights alone, fitted as ``sb fit-weights`` fits them, with the fold's reputation table
  tf-idf    a tf-idf (words and character n-grams) + logistic-regression baseline on the record's text
The generator's accounts draw their real texts only from the collections in the training fold; left out, they
carry the generator's own texts alone, so no text is on both sides. Every record of a language group is scored
(not the 80 a language that training takes). Columns: ROC-AUC and PR-AUC (where the source has both labels),
recall at 1% false positives, and the share of honest records at or above the review threshold. The ranking
figures of the network and the weights are taken in the order the review page lists reports (by log-odds, before
rounding to a score), the shares reported from the score. The pooled out-of-source predictions of the network give
the reliability table.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np

from benchmarks import cli
from sb_worker.model import evaluation
from sb_worker.model.corpus import GENERATOR, account_records, source_names, source_records, with_disguises
from sb_worker.model.fit import cross_fitted_points, fit_weights, reputation_of
from sb_worker.model.registry import training_pipelines
from sb_worker.samples.texts import COLLECTIONS
from sb_worker.scoring.pipeline import build_pipeline
from sb_worker.settings import Settings

SCORERS = ("network", "weights", "tf-idf")


def fold(held_out: str, sources: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(training records, held-out records) for one source left out."""
    kept = [c for c in COLLECTIONS if c != held_out]
    train = [r for s in sources if s != held_out for r in source_records(s, collections=kept)]
    if held_out == GENERATOR:
        test = account_records("test", editors=1000, collections=())
    else:
        test = source_records(held_out, per_language=None)
    return with_disguises(train), test


def text_of(record: dict[str, Any]) -> str:
    return " ".join(str(record.get(k) or "") for k in ("name", "website", "bio"))


def tfidf_scores(train: list[dict[str, Any]], test: list[dict[str, Any]]) -> np.ndarray:
    """The baseline: tf-idf over words, word pairs and character 2–5-grams, then a logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    baseline = make_pipeline(
        make_union(TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
                   TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                                   max_features=200_000)),
        LogisticRegression(C=4.0, max_iter=2000))
    baseline.fit([text_of(r) for r in train], [r["label"] == "spam" for r in train])
    return 100 * baseline.predict_proba([text_of(r) for r in test])[:, 1]


def scores_of(pipeline, records: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Scores through the pipeline (as workers score), their log-odds (the order in which the review page and
    the API list reports: a score is rounded, and an SMS left out got 14 distinct scores), and which records
    carry no reason."""
    scored = pipeline.score("editor", records)
    return (np.array([s.score for s in scored], dtype=float), np.array([s.log_odds for s in scored]),
            [i for i, s in enumerate(scored) if not s.reasons])


def measure(y: np.ndarray, scores: np.ndarray, review: float, order: np.ndarray | None = None) -> dict[str, float]:
    """The figures of one scorer on one source: the ranking figures by ``order`` (by default the scores), the
    shares reported by the scores at the review threshold."""
    order = scores if order is None else order
    both = 0 < y.sum() < len(y)
    return {"records": int(len(y)), "spam": int(y.sum()),
            "roc_auc": evaluation.roc_auc(y, order) if both else float("nan"),
            "pr_auc": evaluation.pr_auc(y, order) if both else float("nan"),
            "recall_at_1pct_fpr": evaluation.recall_at_fpr(y, order, 0.01) if y.sum() else float("nan"),
            "honest_reported": float((scores[y == 0] >= review).mean()) if (y == 0).any() else float("nan"),
            "spam_reported": float((scores[y == 1] >= review).mean()) if y.sum() else float("nan")}


def run(sources: list[str], settings: Settings, say=print) -> dict[str, Any]:
    from sb_worker.model.training import train

    make = training_pipelines(settings)
    review = settings.review_threshold
    results: dict[str, Any] = {"review_threshold": review, "sources": {}}
    pooled_y, pooled_p, silent = [], [], 0
    for held_out in sources:
        start = time.perf_counter()
        train_records, test = fold(held_out, source_names())
        y = np.array([r["label"] == "spam" for r in test], dtype=float)
        model = train(train_records, make)
        network, network_order, unexplained = scores_of(build_pipeline(settings.detectors, model=model), test)
        silent += sum(1 for i in unexplained if network[i] >= review)
        weights = fit_weights(*cross_fitted_points(train_records, make))
        heuristic, heuristic_order, _ = scores_of(
            build_pipeline(settings.detectors, weights=weights, reputation=reputation_of(train_records)), test)
        row = {"network": measure(y, network, review, network_order),
               "weights": measure(y, heuristic, review, heuristic_order),
               "tf-idf": measure(y, tfidf_scores(train_records, test), review)}
        results["sources"][held_out] = row
        pooled_y.append(y)
        pooled_p.append(network / 100)
        say(f"{held_out}: trained on {len(train_records):,} records, scored {len(test):,} "
            f"in {time.perf_counter() - start:.0f} s")
    y, p = np.concatenate(pooled_y), np.concatenate(pooled_p)
    results["reliability"] = evaluation.reliability(y, p)
    results["reported_without_reason"] = silent
    return results


def table(results: dict[str, Any]) -> str:
    """The results for a person: one block per source left out, a row per scorer."""
    def cell(value: float, percent: bool = False) -> str:
        if value != value:  # NaN: the source has one label only
            return "—"
        return f"{100 * value:.1f}%" if percent else f"{value:.3f}"

    header = f"{'left out':<30s}{'scorer':<9s}{'records':>16s}{'ROC-AUC':>9s}{'PR-AUC':>8s}{'R@1%FPR':>9s}" \
             f"{'honest rep.':>12s}{'spam rep.':>10s}"
    lines = [header, "-" * len(header)]
    for source, row in results["sources"].items():
        for i, name in enumerate(SCORERS):
            m = row[name]
            lines.append(f"{source if i == 0 else '':<30s}{name:<9s}{m['records']:>9,d} ({m['spam']:>4,d})"
                         f"{cell(m['roc_auc']):>9s}{cell(m['pr_auc']):>8s}{cell(m['recall_at_1pct_fpr']):>9s}"
                         f"{cell(m['honest_reported'], True):>12s}{cell(m['spam_reported'], True):>10s}")
    lines.append(f"\nreview threshold {results['review_threshold']:g}; records reported by the network without a "
                 f"reason: {results['reported_without_reason']:,}")
    lines.append("reliability of the network's out-of-source probability: band, records, mean predicted, observed")
    lines += [f"  {b['band']}  {b['records']:7,d}  {b['predicted']:.3f}  {b['observed']:.3f}"
              for b in results["reliability"]]
    return "\n".join(lines)


def main() -> None:
    parser = cli.parser(__doc__)
    parser.add_argument("--sources", help="comma-separated sources to leave out (default: every source)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    sources = args.sources.split(",") if args.sources else source_names()
    unknown = sorted(set(sources) - set(source_names()))
    if unknown:
        parser.error(f"unknown source(s) {', '.join(unknown)}; sources: {', '.join(source_names())}")
    results = run(sources, Settings.from_env())
    print(table(results))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
