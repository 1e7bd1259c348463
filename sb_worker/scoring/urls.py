"""Finding URLs in text (obfuscated ones included) and naming their registered domains."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

_URL = re.compile(r"""(?i)\b(?:https?://|www\.)[^\s<>"'()\[\]{}`]+""")
# A bare domain ("cheapessays.com/order") is found from its ".suffix" (cheap to search for), then read leftwards,
# and counts only when the public suffix list knows the suffix, and, without a path, when the name before it is
# longer than one character: "f.Kr." and "e.Kr." are Scandinavian for BC and AD, not links to Korea.
_DOT_SUFFIX = re.compile(r"\.[a-zA-Z]{2,24}\b")
_PATH = re.compile(r"/[^\s<>\"'()]*")
# Code, fenced or between backticks, where "self.data" and "users.name" are a program's names: a bare domain there
# is not read as a link (one with a scheme or "www." still is). Only code that reads as code counts: a domain alone
# between backticks is still a link.
_CODE = re.compile(r"```.*?```|`[^`\n]+`", re.S)
_CODE_SYNTAX = re.compile(r"[(){}\[\]=;]")
_DOMAIN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_TRAILING = ".,;:!?"


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # The bundled suffix list only: no network, no cache on disk.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def host_of(url: str) -> str:
    """The lower-case host of ``url`` without a leading "www.", or "" when it has none."""
    try:
        host = urlsplit(url if "://" in url else "http://" + url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


@lru_cache(maxsize=65_536)
def domain_of(host: str) -> tuple[str, bool]:
    """(registered domain, whether it sits under a privately run public suffix such as blogspot.com)."""
    parts = _extractor()(host)
    if not parts.suffix or not parts.domain:
        return "", False
    return parts.top_domain_under_public_suffix, parts.is_private


def urls_in(text: str) -> tuple[str, ...]:
    """URLs written in ``text``, in order: with a scheme or "www.", or bare domains with a known suffix."""
    found, rest = [], text
    if "://" in text or "www." in text or "WWW." in text:  # the regex is slow to find nothing in long text
        found = [m.group(0).rstrip(_TRAILING) for m in _URL.finditer(text)]
        rest = _URL.sub(" ", text)
    taken = 0
    code = [m.span() for m in _CODE.finditer(rest) if _CODE_SYNTAX.search(m.group(0))] if "`" in rest else []
    for m in _DOT_SUFFIX.finditer(rest):
        start = m.start()
        if code and any(a <= start < b for a, b in code):
            continue
        while start > 0 and rest[start - 1] in _DOMAIN_CHARS:
            start -= 1
        end = m.end()
        while end < len(rest) and rest[end] in _DOMAIN_CHARS:
            end += 1
        if start < taken or start == m.start() or (start and rest[start - 1] in "@_") or rest[end:end + 1] == "@":
            continue  # inside an earlier match, no name before the dot, or part of an email address
        if path := _PATH.match(rest, end):
            end = path.end()
        candidate = rest[start:end].strip(".-").rstrip(_TRAILING)
        registered = domain_of(host_of(candidate))[0]
        if registered and (path or len(registered.split(".", 1)[0]) > 1):
            found.append(candidate)
            taken = end
    return tuple(found)
