"""Signals from the account itself rather than from what it wrote."""

from __future__ import annotations

from collections.abc import Sequence

from detectors.base import Detector, Features, Verdict


class BeginnerProfile(Detector):
    """MusicBrainz's own spam heuristic: a beginner account with a bio or a website."""

    name = "beginner_profile"

    def __init__(self, points: float = 15.0, no_edits: float = 5.0):
        self.points = points
        self.no_edits = no_edits

    def score(self, batch: Sequence[Features]) -> list[Verdict]:
        verdicts = []
        for f in batch:
            filled = [what for what, value in (("bio", f.kind == "editor" and f.text), ("website", f.website)) if value]
            if not (f.is_beginner and filled):
                verdicts.append(Verdict(self.name, 0.0))
                continue
            points = self.points
            reasons = [f"beginner account with a {' and a '.join(filled)}"]
            if f.edit_count == 0:
                points += self.no_edits
                reasons.append("and no edits at all")
            verdicts.append(Verdict(self.name, points, (" ".join(reasons),)))
        return verdicts
