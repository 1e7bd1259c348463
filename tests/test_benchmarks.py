"""The benchmarks' command lines, as README and RESULTS.md tell a reader to run them: `--help` describes each one
and a wrong argument is a usage error that names it, not a traceback (and not an hour-long run)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
MODULES = sorted(p.stem for p in (ROOT / "benchmarks").glob("*.py") if p.stem not in {"__init__", "cli", "service"})


def run(module: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", f"benchmarks.{module}", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("module", MODULES)
def test_every_benchmark_describes_itself_and_refuses_a_wrong_argument(module):
    first_line = (ROOT / "benchmarks" / f"{module}.py").read_text().split("\n")[0].strip('"')
    helped = run(module, "--help")
    assert helped.returncode == 0 and first_line in helped.stdout, helped.stderr
    usage = re.search(r"usage: .*", helped.stdout)[0]
    wrong = run(module, "--no-such-option") if "[--" in usage else run(module, "1", "2", "3", "not-a-number")
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr, wrong.stderr
    assert re.search(r"error: (unrecognized arguments|argument \w+: invalid int value)", wrong.stderr), wrong.stderr
