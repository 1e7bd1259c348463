"""Contact details in a bio or note: spam wants to be called."""

from __future__ import annotations

from collections.abc import Sequence

from detectors.base import Detector, Features, Match, Verdict


class ContactDetails(Detector):
    """Phone numbers, email addresses and messenger handles written into the text."""

    name = "contact_details"

    def __init__(self, phone: float = 20.0, each_more_phone: float = 5.0, email: float = 8.0, messenger: float = 20.0):
        self.phone = phone
        self.each_more_phone = each_more_phone
        self.email = email
        self.messenger = messenger

    def score(self, batch: Sequence[Features]) -> list[Verdict]:
        verdicts = []
        for f in batch:
            points, reasons, evidence = 0.0, [], []
            if f.phones:
                points += self.phone + self.each_more_phone * (len(f.phones) - 1)
                reasons.append(f"phone number{'s' if len(f.phones) > 1 else ''} {', '.join(f.phones[:3])}")
                evidence += [Match("phone", p) for p in f.phones[:3]]
            if f.messengers:
                points += self.messenger
                reasons.append(f"messenger contact {', '.join(f.messengers[:3])}")
                evidence += [Match("clean", m.rpartition(" ")[2]) for m in f.messengers[:3] if "@" in m]
            if f.text_email_domains:
                points += self.email
                reasons.append(f"email address in the text (at {', '.join(f.text_email_domains[:3])})")
                evidence += [Match("clean", "@" + d) for d in f.text_email_domains[:3]]
            verdicts.append(Verdict(self.name, points, tuple(reasons), tuple(evidence)))
        return verdicts
