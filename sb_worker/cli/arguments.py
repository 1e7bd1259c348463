"""What `sb`'s commands share in reading their command lines: checked argument types, so a bad value or a
missing file is refused before any slow start-up, and the settings each command reads, named in its help."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from sb_worker.settings import PREFIX, Settings


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def percent(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be between 0 and 100, got {text}")
    return value


def percent_or_off(text: str) -> float | None:
    return None if text.lower() == "off" else percent(text)


def existing_file(text: str) -> str:
    """A file to read, or - for standard input: refused at once if it is not there."""
    if text != "-" and not os.path.isfile(text):
        raise argparse.ArgumentTypeError(f"no such file: {text}" if not os.path.exists(text) else f"not a file: {text}")
    return text


def existing_folder(text: str) -> Path:
    if not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"no such folder: {text}")
    return Path(text)


def reads(parser: argparse.ArgumentParser, *names: str) -> argparse.ArgumentParser:
    """Name in ``parser``'s help the settings (``SB_*``, as fields of :class:`Settings`) its command reads."""
    unknown = [n for n in names if n not in Settings.__dataclass_fields__]
    assert not unknown, f"not settings: {unknown}"
    parser.epilog = ("settings read: " + ", ".join(PREFIX + n.upper() for n in names)) if names else \
        "reads no settings"
    return parser
