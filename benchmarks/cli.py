"""The benchmarks' command lines: ``--help`` prints the module's docstring (its "Run:" line names the arguments), and
a wrong argument is a usage error that names it, not a traceback."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def parser(doc: str) -> argparse.ArgumentParser:
    """A parser for the benchmark described by ``doc``, shown as written."""
    return argparse.ArgumentParser(prog=f"python -m benchmarks.{Path(sys.argv[0]).stem}", description=doc,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)


def arguments(doc: str, **optional: tuple[type, Any, str]) -> argparse.Namespace:
    """The benchmark's positional arguments, each optional, from ``name=(type, default, help)`` in order."""
    command = parser(doc)
    for name, (kind, default, text) in optional.items():
        command.add_argument(name, type=kind, nargs="?", default=default, help=f"{text} (default {default})")
    return command.parse_args()
