"""Links written into free text, and the account's website field."""

from __future__ import annotations

from collections.abc import Sequence

from detectors.base import Detector, Features, Verdict


class TextLinks(Detector):
    """Links in a bio or edit text, and a website: spam accounts exist to publish them."""

    name = "text_links"

    def __init__(self, first_link: float = 20.0, each_more: float = 8.0, most: float = 50.0,
                 website: float = 10.0):
        self.first_link = first_link
        self.each_more = each_more
        self.most = most
        self.website = website

    def score(self, batch: Sequence[Features]) -> list[Verdict]:
        verdicts = []
        for f in batch:
            points, reasons = 0.0, []
            if f.text_urls:
                n = len(f.text_urls)
                points += min(self.most, self.first_link + self.each_more * (n - 1))
                shown = ", ".join(f.text_domains[:5]) + (", …" if len(f.text_domains) > 5 else "")
                where = "bio" if f.kind == "editor" else "edit text"
                reasons.append(f"{n} link{'s' if n > 1 else ''} in the {where} ({shown})")
            if f.website:
                points += self.website
                reasons.append(f"website set ({f.website_domain or f.website[:80]})")
            verdicts.append(Verdict(self.name, points, tuple(reasons)))
        return verdicts
