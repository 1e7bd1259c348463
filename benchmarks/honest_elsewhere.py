"""Honest text from outside the corpus: how much of it each scorer reports, and why.

Run: .venv/bin/python -m benchmarks.honest_elsewhere [MODEL_DIR]   (default: the active model in SB_MODEL_DIR)

The lines of chatterbot-corpus (PyPI, BSD licence, in the dev extra): conversations in 28 languages, from
English, Russian and Turkish to Bengali, Oriya, Yoruba and Thai. None of it is in the training corpus, so the model
has never seen it. Every line of 15 characters or more is scored once (repeats dropped), as the bio of a new
account (a beginner, bio written at registration, email confirmed in 3 minutes), by the model and by the bundled
weights alone. It prints the share reported at the review threshold per scorer and per language, and every line
reported with its reasons: honest text, so each one is a false report to look at. It has no spam: it cannot show
recall.
"""

from __future__ import annotations

from collections import Counter
from importlib import resources

import yaml

from benchmarks.own_sites import NEW_ACCOUNT, scorers

MIN_CHARS = 15  # shorter lines ("Hi", "How are you?") are no bio


def lines() -> list[tuple[str, str]]:
    """(language, line) for every distinct line of chatterbot-corpus of ``MIN_CHARS`` or more, in a fixed order."""
    data = resources.files("chatterbot_corpus") / "data"
    found: dict[str, str] = {}
    for language in sorted(p.name for p in data.iterdir() if p.is_dir()):
        for topic in sorted((p for p in (data / language).iterdir() if p.name.endswith(".yml")), key=lambda p: p.name):
            for conversation in yaml.safe_load(topic.read_text(encoding="utf-8")).get("conversations") or []:
                for line in conversation:
                    if isinstance(line, str) and len(line.strip()) >= MIN_CHARS:
                        found.setdefault(line.strip(), language)
    return [(language, line) for line, language in found.items()]


def main() -> None:
    settings, scored_by = scorers(__doc__)
    corpus = lines()
    records = [{**NEW_ACCOUNT, "id": i, "bio": line} for i, (_, line) in enumerate(corpus)]
    per_language = Counter(language for language, _ in corpus)
    print(f"{len(corpus):,} honest lines of chatterbot-corpus in {len(per_language)} languages, as new accounts' bios; "
          f"reported at {settings.review_threshold}")
    for name, pipeline in scored_by.items():
        scores = pipeline.score("editor", records)
        reported = [(corpus[i], s) for i, s in enumerate(scores) if s.score >= settings.review_threshold]
        languages = Counter(language for (language, _), _ in reported)
        print(f"\n{name}: reported {len(reported)} of {len(corpus):,} ({len(reported) / len(corpus):.2%}), "
              f"{sum(not s.reasons for _, s in reported)} without a reason")
        if languages:
            print("  by language: " + ", ".join(f"{lang} {n}/{per_language[lang]}" for lang, n in languages.most_common()))
        for (language, line), s in reported:
            shown = " ".join(line.split())[:70]
            print(f"  {s.score:3d} {language:10} {shown!r}: " + "; ".join(f"{r.detector} ({r.why[:60]})" for r in s.reasons))


if __name__ == "__main__":
    main()
