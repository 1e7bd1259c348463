"""`sb dump-dataset`: labelled editor records from a MusicBrainz database, for training and evaluation.

Emails are personal data: an exported record keeps only the address's domain (as ``"@domain"``, which the
features read like an address), and nothing personal that scoring does not read: no login times, no birth date
(only whether one is set).
"""

from __future__ import annotations

import itertools
import json
from typing import Any, TextIO

from sb_worker.storage.mb import MBReader

DROPPED = ("last_login_date",)


def private(record: dict[str, Any]) -> dict[str, Any]:
    """The record as it may leave SpamBrainz: the email reduced to its domain, what scoring does not read removed."""
    out = {k: v for k, v in record.items() if k not in DROPPED}
    email = out.get("email")
    out["email"] = "@" + email.rpartition("@")[2].lower() if isinstance(email, str) and "@" in email else None
    if out.get("birth_date") is not None:
        out["birth_date"] = True
    return out


def dump(mb: MBReader, out: TextIO, chunk_size: int = 500) -> dict[str, int]:
    """Write every labelled editor as one JSON line with ``"label"``; returns how many of each label."""
    counts = {"spam": 0, "ham": 0}
    with mb.labelled_ids() as labelled:
        while label_of := dict(itertools.islice(labelled, chunk_size)):
            for record in mb.load_editors(list(label_of)):
                label = "spam" if label_of[record["id"]] else "ham"
                out.write(json.dumps({**private(record), "label": label}, ensure_ascii=False) + "\n")
                counts[label] += 1
    return counts
