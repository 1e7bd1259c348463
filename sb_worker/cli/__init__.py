"""The `sb` command, one subcommand a job (``sb --help`` lists them): running SpamBrainz in
:mod:`~sb_worker.cli.operate`, scores and models in :mod:`~sb_worker.cli.modelling`. Each reads the SB_* settings;
slow imports (Keras) wait until a command needs them."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from importlib import metadata

from sb_worker.cli import modelling, operate
from sb_worker.errors import SpamBrainzError, Unavailable
from sb_worker.settings import PREFIX, Settings


def main(argv: list[str] | None = None) -> int:
    """Run one `sb` subcommand; errors are printed as one clear line and a non-zero exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.run(args) or 0
    except Unavailable as exc:
        print(f"sb: unavailable: {exc}{_unset(exc.setting)}", file=sys.stderr)
        return 3
    except SpamBrainzError as exc:
        print(f"sb: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _unset(setting: str) -> str:
    """Where a server named by an unset setting could not be reached: that it is unset, and the default tried."""
    if not setting or setting in os.environ:
        return ""
    default = Settings.__dataclass_fields__[setting.removeprefix(PREFIX).lower()].default
    return f" ({setting} is unset, so its default {default} was tried)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sb", description="SpamBrainz: spam detection for MusicBrainz. Each "
                                     "command reads SB_* settings from the environment; its --help names them.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(required=True, metavar="COMMAND", help="one of these (sb COMMAND --help says more)")
    operate.add_commands(sub)
    modelling.add_commands(sub)
    return parser


def _version() -> str:
    try:
        return metadata.version("spambrainz")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"
