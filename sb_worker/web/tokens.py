"""Bearer tokens for the API and the review page: made here, stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> tuple[str, bytes]:
    """A fresh bearer token and the hash under which it is stored (the token itself is shown once, never kept)."""
    token = "sb_" + secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> bytes:
    """Tokens are long random strings, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode("utf-8", "replace")).digest()
