"""The ninjas' own allow and block lists: domains, phrases and email domains they judged once for all accounts.
Entries are stored (and audited) in SpamBrainz's database; the workers take a changed list without a restart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from detectors.base import Detector, Features, Match, Verdict

LISTS = ("block", "allow")
WHATS = ("domain", "phrase", "email_domain")


@dataclass(frozen=True)
class ListEntry:
    """One live entry: ``value`` is a registered domain, a phrase (lower case, single spaces) or an email domain."""

    list: str
    what: str
    value: str
    added_by: str = ""
    reason: str = ""


class NinjaLists(Detector):
    """A domain linked, a phrase written or an email domain used that the ninjas listed: block entries count for
    spam, allow entries against it. A listed domain covers its subdomains."""

    name = "ninja_lists"

    def __init__(self, block: float = 60.0, allow: float = -40.0, lists: Sequence[ListEntry] = ()):
        self.block = block
        self.allow = allow
        self.lists = tuple(lists)

    def fit(self) -> NinjaLists:
        self.entries_ = {(e.list, e.what): {} for e in self.lists}
        for e in self.lists:
            self.entries_[e.list, e.what][e.value] = e
        return self

    def score(self, batch: Sequence[Features]) -> list[Verdict]:
        verdicts = []
        for f in batch:
            points, reasons, evidence = 0.0, [], []
            for name, weight in (("block", self.block), ("allow", self.allow)):
                domains = self._domains(name, f)
                phrases = [p for p in self.entries_.get((name, "phrase"), {}) if p in f.skeleton]
                email = self.entries_.get((name, "email_domain"), {}).get(f.email_domain) if f.email_domain else None
                found = [*(f"domain {d.value}" for d in domains), *(f"phrase '{p}'" for p in phrases[:3]),
                         *([f"email provider {email.value}"] if email else [])]
                if found:
                    points += weight
                    reasons.append(f"on the ninjas' {name} list: {', '.join(found[:5])}")
                    evidence += [Match("links", d.value) for d in domains[:3]] + [Match("text", p) for p in phrases[:3]]
            verdicts.append(Verdict(self.name, points, tuple(reasons), tuple(evidence)))
        return verdicts

    def _domains(self, name: str, f: Features) -> list[ListEntry]:
        listed = self.entries_.get((name, "domain"), {})
        if not listed:
            return []
        found = {}
        for host in (*f.hosts, *f.domains):
            parts = host.split(".")
            for i in range(len(parts) - 1):  # the host itself and each parent domain
                entry = listed.get(".".join(parts[i:]))
                if entry is not None:
                    found[entry.value] = entry
        return list(found.values())


def clean_value(what: str, value: str) -> str:
    """An entry's value as stored and matched, or ValueError naming what is wrong: a domain or email domain in
    lower case without scheme, path or leading dot ("example.ru"); a phrase in lower case with single spaces."""
    if what not in WHATS:
        raise ValueError(f"what must be one of {', '.join(WHATS)}")
    if not isinstance(value, str):
        raise ValueError("value must be text")
    text = " ".join(value.lower().split())
    if what == "phrase":
        if not 3 <= len(text) <= 200:
            raise ValueError("a phrase must have 3 to 200 characters")
        return text
    host = text.split("://", 1)[-1].split("/", 1)[0].split("@")[-1].strip(".")
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(0 < len(label) <= 63 for label in labels) or \
            not all(c.isalnum() or c in "-." for c in host):
        raise ValueError(f"{what.replace('_', ' ')} must be a domain such as example.ru")
    return host
