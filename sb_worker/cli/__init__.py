"""The `sb` command, one subcommand a job (``sb --help`` lists them): running SpamBrainz in
:mod:`~sb_worker.cli.operate`, scores and models in :mod:`~sb_worker.cli.modelling`. Each reads the SB_* settings;
slow imports (Keras) wait until a command needs them."""

from __future__ import annotations

import argparse
import logging
import sys

from sb_worker.cli import modelling, operate
from sb_worker.errors import SpamBrainzError, Unavailable


def main(argv: list[str] | None = None) -> int:
    """Run one `sb` subcommand; errors are printed as one clear line and a non-zero exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.run(args) or 0
    except Unavailable as exc:
        print(f"sb: unavailable: {exc}", file=sys.stderr)
        return 3
    except SpamBrainzError as exc:
        print(f"sb: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sb", description="SpamBrainz: spam detection for MusicBrainz.")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    operate.add_commands(sub)
    modelling.add_commands(sub)
    return parser
