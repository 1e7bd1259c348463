"""`sb harvest`: labels MusicBrainz already makes, read after a high-water mark like `sb enqueue`'s.

- An account its admins newly flagged SPAMMER is a spam label, whether SpamBrainz reported it or not. One that
  SpamBrainz had scored below review and never reported is also a **miss**, kept with its last score.
- An account that newly left the beginner stage with accepted edits (and no SPAMMER flag) is a ham label. At most
  ``ham_max`` a run, drawn evenly across SpamBrainz's score bands, so the honest accounts that scored high (the
  ones worth learning from) are not drowned by the many that scored nothing, nor the spam by the ham.

Each label is stored once (per account, label and source) with the record as scoring reads it, the email reduced
to its domain, and goes to the trainer like a verdict. Labels are stored a chunk at a time, and the mark moves in
the transaction of the last chunk: a harvest that dies midway has not moved the mark, so the next run reads the
same accounts again and stores what is missing, once; an account harvested twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from itertools import zip_longest
from typing import Any

from sb_worker.metrics import band
from sb_worker.model.audit import draw
from sb_worker.storage.dataset import private
from sb_worker.storage.mb import Mark, MBReader
from sb_worker.storage.store import Store

SOURCE = "musicbrainz"     # a harvested label's source (a verdict's is the ninja's name)
KIND = "editor"            # MusicBrainz's accounts: the only source whose site flags spammers
MARK = "harvest_editor"    # the harvest's high-water mark, kept beside `sb enqueue`'s
LOAD_CHUNK = 500


@dataclass(frozen=True)
class Harvested:
    """What one harvest did."""

    read: int       # accounts MusicBrainz labelled that changed since the mark
    spam: int       # spam labels stored
    missed: int     # ... of them misses: scored below review by SpamBrainz, never reported
    ham: int        # ham labels stored
    skipped: int    # accounts already labelled, or ham over the cap
    missed_by_band: dict[str, int] = field(default_factory=dict)  # the misses by the band of ten their score was in

    def summary(self) -> dict[str, Any]:
        return asdict(self)


def ham_sample(candidates: Sequence[int], scores: Mapping[int, int], limit: int) -> list[int]:
    """At most ``limit`` of ``candidates``, taken in turn from each score band (unscored accounts are a band of their
    own), each band in its accounts' fixed random order."""
    bands: dict[str, list[int]] = {}
    for entity in sorted(candidates, key=lambda i: draw(KIND, i)):
        bands.setdefault(band(scores[entity]) if entity in scores else "unscored", []).append(entity)
    taken = [i for row in zip_longest(*bands.values()) for i in row if i is not None]
    return sorted(taken[:max(0, limit)])


def labels_for(accounts: Iterable[Mapping[str, Any]], standing: Mapping[int, Mapping[str, Any]],
               records: Mapping[int, Mapping[str, Any]], review: float) -> list[dict[str, Any]]:
    """Label rows for the accounts read (each with ``id``, ``spam`` and ``member_since``) whose record loaded."""
    labels = []
    for account in accounts:
        entity = account["id"]
        if entity not in records:
            continue  # deleted since it was read
        seen = standing.get(entity, {})
        missed = account["spam"] and seen.get("score") is not None and seen["score"] < review \
            and seen.get("reported_at") is None
        labels.append({"kind": KIND, "entity_id": entity, "label": "spam" if account["spam"] else "ham",
                       "source": SOURCE, "record": private(records[entity]), "score": seen.get("score"),
                       "scanned_at": seen.get("scanned_at"), "reported_at": seen.get("reported_at"),
                       "registered_at": account["member_since"], "missed": bool(missed)})
    return labels


def harvest(mb: MBReader, store: Store, *, review: float, ham_max: int, overlap: dt.timedelta,
            first_days: float, everything: bool = False) -> Harvested:
    """Harvest the labels MusicBrainz made since the mark (``everything``: ever). A first run reads the last
    ``first_days``; later ones from the mark less ``overlap`` (rows committed late carry earlier times)."""
    mark = store.marks.get(MARK)
    if everything:
        since = None
    elif mark.last_time is not None:
        since = mark.last_time - overlap
    else:
        since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=first_days)
    read = mb.labels_since(since)
    known = store.labels.known(SOURCE, KIND, [a["id"] for a in read])
    new = [a for a in read if (a["id"], "spam" if a["spam"] else "ham") not in known]
    standing = store.labels.standing(KIND, [a["id"] for a in new])
    scores = {entity: row["score"] for entity, row in standing.items()}
    ham = set(ham_sample([a["id"] for a in new if not a["spam"]], scores, ham_max))
    chosen = [a for a in new if a["spam"] or a["id"] in ham]
    times = [a["last_updated"] for a in read if a["last_updated"] is not None]
    new_mark = Mark(max([mark.last_id, *(a["id"] for a in read)]), max([*times, *filter(None, [mark.last_time])],
                                                                       default=None))
    counts, misses, added = Counter(), Counter(), 0
    for start in range(0, max(len(chosen), 1), LOAD_CHUNK):
        part = chosen[start:start + LOAD_CHUNK]
        records = {r["id"]: r for r in mb.load_editors([a["id"] for a in part])} if part else {}
        labels = labels_for(part, standing, records, review)
        last = start + LOAD_CHUNK >= len(chosen)
        added += store.save_harvest(labels, MARK, new_mark if last else None)
        counts.update(label["label"] for label in labels)
        misses.update(band(label["score"]) for label in labels if label["missed"])
    return Harvested(read=len(read), spam=counts["spam"], missed=sum(misses.values()), ham=counts["ham"],
                     skipped=len(read) - added, missed_by_band=dict(misses))
