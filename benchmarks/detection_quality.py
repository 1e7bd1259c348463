"""Precision and recall of `sb score --heuristic` (the detectors and their fitted weights, without the neural
model: `sb eval` measures that) on held-out labelled data, overall and per detector family.

Run: .venv/bin/python -m benchmarks.detection_quality

Three held-out sets, none of them seen by the weight fit:
  texts      the de-duplicated YouTube and SMS texts of the test split, as bios (real spam and ham; not MB spam)
  disguised  the same, each spam text disguised (homoglyphs, zero-width characters, fullwidth letters, spaced-out
             words or leetspeak; the training split saw such copies of a quarter of its own spam)
  accounts   sample MusicBrainz accounts from a seed of their own (synthetic, whole accounts)
`sb score` runs as a subprocess with a reputation table learned from the training split only.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile

from benchmarks import cli
from sb_worker.model.corpus import account_records, disguise, labelled, text_records
from sb_worker.model.fit import reputation_of
from sb_worker.scoring.pipeline import RecordError, Weights, build_pipeline
from sb_worker.settings import Settings

FAMILIES = {
    "text rules": ("spam_phrases", "smokedetector_keywords", "disguised_text"),
    "contact details": ("contact_details",),
    "links and domains": ("text_links", "link_reputation"),
    "email": ("email_provider",),
    "behaviour": ("account_profile", "beginner_profile"),
    "edits": ("edit_content",),
    "domain reputation": ("domain_reputation",),
    "campaigns": ("campaigns",),
}
def run_sb_score(records: list[dict], reputation_file: str) -> list[dict]:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SB_")} | {"SB_REPUTATION_FILE": reputation_file}
    done = subprocess.run([sys.executable, "-m", "sb_worker.cli", "score", "--heuristic", f.name], capture_output=True, text=True,
                          env=env, check=False)
    os.unlink(f.name)
    return [json.loads(line) for line in done.stdout.splitlines()]


def main() -> None:
    rng = random.Random(5)
    texts = text_records("test")
    sets = {
        "texts": texts,
        "disguised": [{**r, "bio": disguise(r["bio"], rng)} if r["label"] == "spam" else r for r in texts],
        "accounts": account_records("test"),
    }
    reputation = reputation_of(labelled("train"))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(reputation.to_json())
    pipeline = build_pipeline(weights=Weights.bundled(), reputation=reputation, cache_dir=Settings.from_env().cache_dir)
    review = Settings.from_env().review_threshold
    print(f"review threshold {review:g}; reputation from the training split: {len(reputation.domains):,} domains, "
          f"{len(reputation.spam_simhashes):,} spam texts\n")
    print(f"{'set':10s} {'records':>8s} {'spam':>6s} {'precision':>10s} {'recall':>8s}   `sb score`, overall")
    for name, records in sets.items():
        results = run_sb_score(records, f.name)
        assert len(results) == len(records), f"sb score answered {len(results)} lines for {len(records)} records"
        truth = {r["id"]: r["label"] == "spam" for r in records}
        flagged = {r["id"] for r in results if r["action"] != "none"}
        tp = sum(truth[i] for i in flagged)
        spam = sum(truth.values())
        print(f"{name:10s} {len(records):8,d} {spam:6,d} {tp / max(1, len(flagged)):10.3f} {tp / max(1, spam):8.3f}")
    print("\nper detector family: precision and recall of the family firing at all (any points > 0)")
    print(f"{'family':18s} " + " ".join(f"{n:>19s}" for n in sets))
    fired = {}
    for name, records in sets.items():
        results = pipeline.verdicts("editor", records)
        rows = [(r["label"] == "spam", {v.detector for v in res[1] if v.points > 0})
                for r, res in zip(records, results) if not isinstance(res, RecordError)]
        fired[name] = rows
    for family, detectors in FAMILIES.items():
        cells = []
        for name in sets:
            hits = [spam for spam, found in fired[name] if found & set(detectors)]
            spam_total = sum(spam for spam, _ in fired[name])
            if hits:
                cells.append(f"P {sum(hits) / len(hits):.3f} R {sum(hits) / max(1, spam_total):.3f}")
            else:
                cells.append("(never fired)")
        print(f"{family:18s} " + " ".join(f"{c:>19s}" for c in cells))
    os.unlink(f.name)


if __name__ == "__main__":
    cli.arguments(__doc__)
    main()
