"""Rules over the normalised text: SmokeDetector's keyword list, SpamBrainz's own families, and disguise itself."""

from __future__ import annotations

from collections.abc import Sequence

from detectors import data
from detectors.base import Detector, Features, Match, Verdict
from detectors.matcher import PatternSet


def _show(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


class SmokeDetectorKeywords(Detector):
    """SmokeDetector's community-maintained spam keywords (Charcoal-SE, Apache-2.0 or MIT)."""

    name = "smokedetector_keywords"

    def __init__(self, first: float = 25.0, each_more: float = 10.0, most: float = 45.0, cache_dir: str | None = None):
        self.first = first
        self.each_more = each_more
        self.most = most
        self.cache_dir = cache_dir

    def fit(self) -> SmokeDetectorKeywords:
        self.patterns_ = PatternSet(data.smokedetector("bad_keywords"), cache_dir=self.cache_dir).prepare()
        return self

    def score(self, batch: Sequence[Features]) -> list[Verdict]:
        verdicts = []
        for f in batch:
            hits = self.patterns_.search(f.skeleton) if f.skeleton else []
            if not hits:
                verdicts.append(Verdict(self.name, 0.0))
                continue
            points = min(self.most, self.first + self.each_more * (len(hits) - 1))
            reasons = tuple(f"keyword /{self.patterns_.patterns[i]}/ matched {_show(text)}" for i, text in hits[:5])
            verdicts.append(Verdict(self.name, points, reasons, tuple(Match("text", text) for _, text in hits[:5])))
        return verdicts


class SpamPhrases(Detector):
    """SpamBrainz's own rules for the spam MusicBrainz sees: escorts, essays, SEO, pharma, loans, casinos, …"""

    name = "spam_phrases"

    def __init__(self, first_family: float = 30.0, each_more: float = 12.0, most: float = 60.0,
                 cache_dir: str | None = None):
        self.first_family = first_family
        self.each_more = each_more
        self.most = most
        self.cache_dir = cache_dir

    def fit(self) -> SpamPhrases:
        rules = data.spam_phrases()
        self.families_ = [family for family, _ in rules]
        self.patterns_ = PatternSet([pattern for _, pattern in rules], cache_dir=self.cache_dir).prepare()
        return self

    def score(self, batch: Sequence[Features]) -> list[Verdict]:
        verdicts = []
        for f in batch:
            by_family: dict[str, list[str]] = {}
            for index, text in self.patterns_.search(f.skeleton) if f.skeleton else []:
                by_family.setdefault(self.families_[index], []).append(text)
            if not by_family:
                verdicts.append(Verdict(self.name, 0.0))
                continue
            hits = sum(len(texts) for texts in by_family.values())
            points = min(self.most, self.first_family + self.each_more * (hits - 1))
            reasons = tuple(f"{family}: {', '.join(map(_show, dict.fromkeys(texts)))}"
                            for family, texts in sorted(by_family.items(), key=lambda kv: -len(kv[1])))
            found = dict.fromkeys(text for texts in by_family.values() for text in texts)
            verdicts.append(Verdict(self.name, points, reasons, tuple(Match("text", text) for text in found)))
        return verdicts


class DisguisedText(Detector):
    """Text that hides its words: honest writers in any script have no reason to mix look-alike letters."""

    name = "disguised_text"

    def __init__(self, homoglyph: float = 25.0, invisible: float = 15.0, fullwidth_or_math: float = 10.0,
                 spaced_letters: float = 8.0):
        self.homoglyph = homoglyph
        self.invisible = invisible
        self.fullwidth_or_math = fullwidth_or_math
        self.spaced_letters = spaced_letters

    def score(self, batch: Sequence[Features]) -> list[Verdict]:
        weights = {"homoglyph": self.homoglyph, "invisible": self.invisible,
                   "fullwidth-or-math": self.fullwidth_or_math, "spaced-letters": self.spaced_letters}
        words = {"homoglyph": "look-alike letters from other alphabets inside words",
                 "invisible": "invisible characters inside the text",
                 "fullwidth-or-math": "fullwidth or mathematical letters instead of plain ones",
                 "spaced-letters": "words spelled out letter by letter"}
        verdicts = []
        for f in batch:
            found = [d for d in f.disguises if d in weights]
            verdicts.append(Verdict(self.name, sum(weights[d] for d in found), tuple(words[d] for d in found),
                                    tuple(Match("disguise", d) for d in found)))
        return verdicts
