"""A realistic, deterministic sample of MusicBrainz for the demo and the tests (`sb sample-db`).

Spam follows what MusicBrainz sees (DESIGN.md): advertising bios in the usual families, a website, almost no
edits, waves of accounts registered together; field distributions follow the 2018 statistics. Honest and spam
text comes partly from the real YouTube and SMS collections in ``sb_worker/data`` and partly from the
templates below. Every spammer carries MB's SPAMMER flag: the ground truth the demo measures against."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import psycopg2
from psycopg2.extras import Json, execute_values

from detectors.musicbrainz import SPAMMER
from sb_worker.samples.generator import SAMPLE_NOW, SPECIAL_EDITORS, Generator
from sb_worker.samples.texts import COLLECTIONS


@dataclass(frozen=True)
class SampleSummary:
    """What a sample database holds."""

    editors: int
    spammers: int
    edits: int


_COLUMNS = {
    "editor": "id, name, privs, email, website, bio, member_since, email_confirm_date, last_login_date, last_updated, "
              "birth_date, gender, area, password, ha1, deleted",
    "artist": "id, gid, name, sort_name, comment, last_updated",
    "url": "id, gid, url, last_updated",
    "edit": "id, editor, type, status, open_time, close_time, expire_time",
    "edit_data": "edit, data",
    "edit_note": "id, editor, edit, text, post_time",
    "vote": "id, editor, edit, vote, vote_time",
    "annotation": "id, editor, text, changelog, created",
    "artist_annotation": "artist, annotation",
    "link": "id, link_type, created",
    "l_artist_url": "id, link, entity0, entity1, last_updated",
    "editor_collection": "id, gid, editor, name, public, description, type",
}


_SEQUENCES = ["editor", "artist", "url", "edit", "edit_note", "vote", "annotation", "link", "l_artist_url", "editor_collection"]


def _generate(editors: int, seed: int, spam_share: float, collections: Sequence[str] = COLLECTIONS,
              ) -> tuple[Generator, list[dict[str, Any]], list[dict[str, Any]]]:
    if editors < 1:
        raise ValueError("a sample needs at least one editor")
    gen = Generator(seed, collections)
    people = gen.editors(editors, spam_share)
    edits = gen.edits(people)
    accepted: dict[int, int] = {}
    for edit in edits:
        expire = edit["open_time"] + dt.timedelta(days=7)
        closed = expire if edit["status"] != 1 else None
        gen.rows["edit"].append((edit["id"], edit["editor"], edit["type"], edit["status"], edit["open_time"], closed, expire))
        gen.rows["edit_data"].append((edit["id"], Json(edit["data"])))
        accepted[edit["editor"]] = accepted.get(edit["editor"], 0) + (edit["status"] == 2)
    gen.votes_and_collections(people, edits)
    gen.editor_rows(people, accepted)
    return gen, people, edits


def sample_records(editors: int, seed: int, spam_share: float = 0.07,
                   collections: Sequence[str] = COLLECTIONS) -> list[dict[str, Any]]:
    """The sample's editors as labelled records (DESIGN.md's format), without a database: a training corpus.
    Their bios draw on the real text ``collections`` named (none: the generator's own texts only)."""
    gen, people, _ = _generate(editors, seed, spam_share, collections)
    columns = [c.strip() for c in _COLUMNS["editor"].split(",")]
    counts: dict[str, dict[int, int]] = {key: {} for key in ("edits", "accepted_edits", "votes", "notes", "collections")}
    for row in gen.rows["edit"]:
        counts["edits"][row[1]] = counts["edits"].get(row[1], 0) + 1
        counts["accepted_edits"][row[1]] = counts["accepted_edits"].get(row[1], 0) + (row[3] == 2)
    for table, key in (("vote", "votes"), ("edit_note", "notes"), ("editor_collection", "collections")):
        column = 2 if table == "editor_collection" else 1
        for row in gen.rows[table]:
            counts[key][row[column]] = counts[key].get(row[column], 0) + 1
    records = []
    for row, person in zip(gen.rows["editor"], people):
        record = {c: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for c, v in zip(columns, row)}
        del record["password"], record["ha1"]
        record["privs"] &= ~SPAMMER  # the label travels as "label", not as MB's flag
        record["counts"] = {key: found.get(person["id"], 0) for key, found in counts.items()}
        record["label"] = "spam" if person["spam"] else "ham"
        records.append(record)
    return records


def build_sample(dsn: str, editors: int = 5000, seed: int = 1, spam_share: float = 0.07) -> SampleSummary:
    """(Re)create schema ``musicbrainz`` in the database at ``dsn`` and fill it; the same seed gives the same rows."""
    gen, people, edits = _generate(editors, seed, spam_share)
    for editor_id, name, privs in SPECIAL_EDITORS:
        gen.rows["editor"].insert(0, (editor_id, name, privs, None, None, None, SAMPLE_NOW - dt.timedelta(days=9000), None,
                                      None, SAMPLE_NOW - dt.timedelta(days=9000), None, None, None, "{CLEARTEXT}x", "0" * 32, False))
    with fresh_schema(dsn, "musicbrainz", resources.files("sb_worker.samples").joinpath("musicbrainz.sql")) as cur:
        for table, columns in _COLUMNS.items():
            execute_values(cur, f"INSERT INTO musicbrainz.{table} ({columns}) VALUES %s", gen.rows[table], page_size=2000)
        for table in _SEQUENCES:
            cur.execute(f"SELECT setval('musicbrainz.{table}_id_seq', coalesce((SELECT max(id) FROM musicbrainz.{table}), 0) + 1, false)")
        cur.execute("ANALYZE")
    return SampleSummary(editors=editors, spammers=sum(p["spam"] for p in people), edits=len(edits))


@contextmanager
def fresh_schema(dsn: str, name: str, sql: Traversable) -> Iterator[Any]:
    """A cursor in one transaction on ``dsn`` in which schema ``name`` was just dropped and created by ``sql``."""
    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
            cur.execute(sql.read_text(encoding="utf-8"))
            yield cur
    finally:
        conn.close()
