"""Spam comes in waves of near-identical accounts: recognise the next account of a known campaign."""

from __future__ import annotations

from collections.abc import Sequence

from detectors.base import Detector, Features, Verdict
from detectors.reputation import Reputation, simhash



class Campaigns(Detector):
    """A text that is a near-copy of known spam, or a website on a domain known only from spam."""

    name = "campaigns"

    def __init__(self, near_copy: float = 35.0, max_bits: int = 4, shared_domain: float = 25.0,
                 reputation: Reputation | None = None):
        self.near_copy = near_copy
        self.max_bits = max_bits
        self.shared_domain = shared_domain
        self.reputation = reputation

    def fit(self) -> Campaigns:
        # Pigeonhole: cut 64 bits into max_bits + 1 bands; two hashes within max_bits agree on a whole band.
        self.width_ = 64 // (self.max_bits + 1)
        self.bands_: dict[tuple[int, int], list[int]] = {}
        for h in (self.reputation or Reputation()).spam_simhashes:
            for key in self._bands(h):
                self.bands_.setdefault(key, []).append(h)
        return self

    def score(self, batch: Sequence[Features]) -> list[Verdict]:
        reputation = self.reputation or Reputation()
        verdicts = []
        for f in batch:
            points, reasons = 0.0, []
            h = simhash(f.skeleton) if self.bands_ and f.skeleton else None
            if h is not None:
                candidates = {c for key in self._bands(h) for c in self.bands_.get(key, ())}
                distance = min(((h ^ c).bit_count() for c in candidates), default=64)
                if distance <= self.max_bits:
                    points += self.near_copy
                    reasons.append(f"text is a near-copy of known spam ({distance} of 64 SimHash bits differ)")
            if f.website_domain:
                share, n = Reputation.spam_share(reputation.domains.get(f.website_domain))
                if n >= 1 and share > 0.7:
                    points += self.shared_domain
                    reasons.append(f"website on {f.website_domain}, a domain of confirmed spam accounts")
            verdicts.append(Verdict(self.name, points, tuple(reasons)))
        return verdicts

    def _bands(self, h: int) -> list[tuple[int, int]]:
        mask = (1 << self.width_) - 1
        return [(band, (h >> (self.width_ * band)) & mask) for band in range(self.max_bits + 1)]
