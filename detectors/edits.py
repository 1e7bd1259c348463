"""What an edit adds to MusicBrainz: URL relationships and entity names."""

from __future__ import annotations

import re
from collections.abc import Sequence

from detectors.base import Detector, Features, Verdict
from detectors.musicbrainz import ENTITY_CREATE_TYPES, SITE_OF_LINK_TYPE

_SENTENCE = re.compile(r"[a-z]{2,}(?: [a-z]{2,}){7,}")


class EditContent(Detector):
    """Relationships to sites other than the one their type names, and entity names that read like adverts."""

    name = "edit_content"

    def __init__(self, wrong_site: float = 15.0, advert_name: float = 20.0):
        self.wrong_site = wrong_site
        self.advert_name = advert_name

    def score(self, batch: Sequence[Features]) -> list[Verdict]:
        verdicts = []
        for f in batch:
            if f.kind != "edit":
                verdicts.append(Verdict(self.name, 0.0))
                continue
            points, reasons = 0.0, []
            for link_type in f.link_types:
                site = SITE_OF_LINK_TYPE.get(link_type)
                wrong = [d for d in f.added_domains if site and d != site]
                if wrong:
                    points += self.wrong_site
                    reasons.append(f"a {site} relationship that links to {', '.join(wrong)}")
            if f.edit_type in ENTITY_CREATE_TYPES:
                name = f.skeleton.split("\n", 1)[0]
                if f.text_urls or f.phones or _SENTENCE.search(name):
                    points += self.advert_name
                    reasons.append(f"new entity named like an advert: {name[:80]!r}")
            verdicts.append(Verdict(self.name, points, tuple(reasons)))
        return verdicts
