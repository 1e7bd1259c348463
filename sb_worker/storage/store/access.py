"""Who may use the API and the review page: tokens (stored only as hashes) and signed-in review sessions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg2

from sb_worker.storage.db import Database


class Access:
    """The ``api_token`` and ``review_session`` tables."""

    def __init__(self, db: Database):
        self.db = db

    def add_token(self, name: str, token_hash: bytes, scopes: Sequence[str]) -> int:
        """Store a token's hash (never the token); returns its ID."""
        with self.db.transaction() as cur:
            cur.execute("INSERT INTO api_token (name, token_hash, scopes) VALUES (%s, %s, %s) RETURNING id",
                        (name, psycopg2.Binary(token_hash), list(scopes)))
            return cur.fetchone()["id"]

    def token(self, token_hash: bytes) -> dict[str, Any] | None:
        """The live token with this hash, or None."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT id, name, token_hash, scopes FROM api_token
                           WHERE token_hash = %s AND revoked_at IS NULL""", (psycopg2.Binary(token_hash),))
            row = cur.fetchone()
        return {**row, "token_hash": bytes(row["token_hash"])} if row else None

    def revoke_token(self, token_id: int) -> bool:
        """Revoke a token; False when there is no live token with that ID."""
        with self.db.transaction() as cur:
            cur.execute("UPDATE api_token SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL", (token_id,))
            return cur.rowcount == 1

    def tokens(self) -> list[dict[str, Any]]:
        """Every token (without its hash)."""
        with self.db.transaction() as cur:
            cur.execute("SELECT id, name, scopes, created_at, revoked_at FROM api_token ORDER BY id")
            return [dict(row) for row in cur.fetchall()]

    def add_session(self, id_hash: bytes, token_id: int, csrf: str, hours: float) -> None:
        """Remember a signed-in review session (by the hash of its cookie) and forget expired ones."""
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM review_session WHERE expires_at < now()")
            cur.execute("""INSERT INTO review_session (id_hash, token_id, csrf, expires_at)
                           VALUES (%s, %s, %s, now() + %s * interval '1 hour')""",
                        (psycopg2.Binary(id_hash), token_id, csrf, hours))

    def session(self, id_hash: bytes) -> dict[str, Any] | None:
        """A live session (its token's name and scopes, its CSRF secret), or None when expired, unknown or revoked."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT t.name, t.scopes, s.csrf FROM review_session s JOIN api_token t ON t.id = s.token_id
                           WHERE s.id_hash = %s AND s.expires_at > now() AND t.revoked_at IS NULL""",
                        (psycopg2.Binary(id_hash),))
            row = cur.fetchone()
        return dict(row) if row else None

    def end_session(self, id_hash: bytes) -> None:
        """Sign a review session out."""
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM review_session WHERE id_hash = %s", (psycopg2.Binary(id_hash),))
