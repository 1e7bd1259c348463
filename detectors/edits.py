"""What an edit adds to MusicBrainz: URL relationships and entity names."""

from __future__ import annotations

import re
from collections.abc import Sequence

from detectors.base import Detector, Features, Match, Verdict
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
            points, reasons, evidence = 0.0, [], []
            for link_type in f.link_types:
                site = SITE_OF_LINK_TYPE.get(link_type)
                wrong = [d for d in f.added_domains if site and d != site]
                if wrong:
                    points += self.wrong_site
                    reasons.append(f"a {site} relationship that links to {', '.join(wrong)}")
                    evidence += [Match("links", d) for d in wrong]
            if f.edit_type in ENTITY_CREATE_TYPES:
                name = f.skeleton.split("\n", 1)[0]
                if _SENTENCE.search(name) or _contact_in(f.text.split("\n", 1)[0], f):
                    points += self.advert_name
                    reasons.append(f"new entity named like an advert: {name[:80]!r}")
                    evidence.append(Match("text", name))
            verdicts.append(Verdict(self.name, points, tuple(reasons), tuple(evidence)))
        return verdicts


def _contact_in(name: str, f: Features) -> bool:
    """Whether the entity's name as written (the first line of the edit's text; the skeleton folds a link's digits
    to letters) holds one of the edit's links or phone numbers. The rest of the text is the edit's notes, where an
    honest editor cites a source ("release date from the catalogue: https://www.discogs.com/release/…")."""
    written = name.lower()
    digits = re.sub(r"\D", "", written)
    return any(host in written for host in f.hosts) or any(phone[-9:] in digits for phone in f.phones)
