"""The account's email address: who provides it and what it looks like (never shown in a reason)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from detectors import data
from detectors.base import Detector, Features, Verdict

_VOWELS = re.compile(r"[aeiouy]")


def machine_made(local: str) -> bool:
    """Whether an email local part looks generated: long, no separators, letters and digits scrambled."""
    local = local.lower().split("+", 1)[0]
    if len(local) < 8 or not local.isalnum():
        return False
    digits = sum(c.isdigit() for c in local)
    letters = "".join(c for c in local if c.isalpha())
    vowel_share = len(_VOWELS.findall(letters)) / max(1, len(letters))
    switches = sum(a.isdigit() != b.isdigit() for a, b in zip(local, local[1:]))
    return (vowel_share < 0.2 and len(letters) >= 6) or (digits >= 2 and switches >= 3)


class EmailProvider(Detector):
    """Disposable mail providers and addresses that look machine-made (reputation: see domain_reputation)."""

    name = "email_provider"

    def __init__(self, disposable: float = 20.0, machine_made: float = 10.0):
        self.disposable = disposable
        self.machine_made = machine_made

    def fit(self) -> EmailProvider:
        self.disposable_ = data.disposable_email_domains()
        return self

    def score(self, batch: Sequence[Features]) -> list[Verdict]:
        verdicts = []
        for f in batch:
            points, reasons = 0.0, []
            if f.email_domain in self.disposable_:
                points += self.disposable
                reasons.append(f"disposable email provider {f.email_domain}")
            if f.email_local and machine_made(f.email_local):
                points += self.machine_made
                reasons.append("email address looks machine-made")
            verdicts.append(Verdict(self.name, points, tuple(reasons)))
        return verdicts
