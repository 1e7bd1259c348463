"""Reading what strangers send (API bodies, query strings, form fields, JSON lines): within limits, or a
:class:`BadInput` that names what is wrong. One place, so every route and every command holds the same line."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from sb_worker.errors import BadInput

MAX_DEPTH = 32          # levels of arrays and objects
MAX_INT_DIGITS = 30     # beyond any ID or count; Python would convert up to 4,300 digits, slowly
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL (PostgreSQL text cannot hold it) and lone surrogates


def loads(text: str, what: str = "the body", strings: bool = True) -> Any:
    """``text`` parsed as JSON, checked: at most ``MAX_DEPTH`` levels, integers of at most ``MAX_INT_DIGITS``
    digits, finite numbers, and (``strings``) no NUL or lone surrogate in any key or string."""
    try:
        value = json.loads(text, parse_int=_integer, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{what} is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise BadInput(f"{what} is nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:  # raised by the hooks below
        raise BadInput(f"{what}: {exc}") from None
    _check(value, what, strings)
    return value


def text(name: str, value: str) -> str:
    """``value`` unchanged when it can be stored as text; else a BadInput naming ``name``."""
    found = _UNSTORABLE.search(value)
    if found:
        problem = "a NUL character" if found.group() == "\x00" else f"a lone surrogate (U+{ord(found.group()):04X})"
        raise BadInput(f"{name} contains {problem} at position {found.start() + 1}")
    return value


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"a number has {len(digits.lstrip('-')):,} digits (at most {MAX_INT_DIGITS})")
    return int(digits)


def _constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _check(value: Any, what: str, strings: bool) -> None:
    """Depth, numbers and strings of a parsed value, iteratively (a deep value cannot exhaust the stack here)."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, path = stack.pop()
        where = path or what
        if isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                raise BadInput(f"{what} is nested more than {MAX_DEPTH} levels deep")
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str) and strings:
                    text(f"a field name in {where}", key)
                stack.append((child, depth + 1, f"{path}[{key}]" if isinstance(key, int)
                               else f"{path}.{key[:40]}" if path else key[:40]))
        elif isinstance(item, str) and strings:
            text(where, item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise BadInput(f"{where} is a number too large to hold")
