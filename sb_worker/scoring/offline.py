"""`sb score`: JSON-lines records in, one result line per record out, bad lines named on standard error."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from sb_worker import untrusted
from sb_worker.errors import BadInput
from sb_worker.scoring.pipeline import Pipeline, RecordError, Score, Thresholds

BATCH = 512  # records scored together, as a worker scores a chunk


def read_records(lines: Iterable[bytes]) -> Iterator[tuple[int, Any, str | None]]:
    """(line number, record, None) for each good line and (line number, None, what is wrong) for each bad one."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, None, f"not valid UTF-8 (byte {exc.start + 1})"
            continue
        try:
            record = untrusted.loads(text, "the record", strings=False)  # the pipeline reads any text
        except BadInput as exc:
            yield number, None, str(exc)
            continue
        if not isinstance(record, dict):
            yield number, None, f"a record must be a JSON object, got {type(record).__name__}"
            continue
        yield number, record, None


def result_json(score: Score, thresholds: Thresholds, model: str | None) -> dict[str, Any]:
    """The result line of one record; ``model`` is the version of the model that scored it (None: heuristics)."""
    return {"id": score.entity_id, "score": score.score, "action": thresholds.action(score.score),
            "reasons": score.reasons_json(), "model": model}


def explanation(score: Score, thresholds: Thresholds) -> str:
    """The result for a person to read."""
    lines = [f"{score.kind} {score.entity_id}: score {score.score} ({thresholds.action(score.score)})"]
    lines += [f"  {r.detector} {r.points:+g}: {r.why}" for r in score.reasons] or ["  no evidence of spam"]
    return "\n".join(lines)


def score_lines(lines: Iterable[bytes], pipeline: Pipeline, thresholds: Thresholds, kind: str, out: TextIO,
                err: TextIO, explain: bool = False, by_network: bool = True) -> int:
    """Score every good line in batches, in input order; returns how many lines were bad. ``by_network=False``
    scores with the weights alone, as the workers score a source the model's network was not trained on."""
    bad = 0
    batch: list[tuple[int, Any]] = []

    def flush() -> None:
        nonlocal bad
        results = pipeline.score(kind, [record for _, record in batch], by_network=by_network)
        for (number, _), result in zip(batch, results):
            if isinstance(result, RecordError):
                bad += 1
                err.write(f"line {number}: {result.error}\n")
            else:
                model = result.model_version if pipeline.model is not None else None
                out.write((explanation(result, thresholds) if explain
                           else json.dumps(result_json(result, thresholds, model), ensure_ascii=False)) + "\n")
        batch.clear()

    for number, record, problem in read_records(lines):
        if problem:
            flush()  # keep output in input order around the error
            bad += 1
            err.write(f"line {number}: {problem}\n")
            continue
        batch.append((number, record))
        if len(batch) == BATCH:
            flush()
    flush()
    return bad
