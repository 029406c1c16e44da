"""The tinyml-build command line as a user runs it, and its error contract.

Bad input makes every subcommand exit 1 with exactly one stderr line, starting
`tinyml-build: error: ` and naming the problem, and never a traceback.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_cli(*args: str | Path, cwd: Path | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m tinyml_build ARGS...` in a subprocess, output captured as text."""
    return subprocess.run([sys.executable, "-m", "tinyml_build", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=timeout)


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> str:
    """Assert the error contract and that the line contains every needle; return it."""
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("tinyml-build: error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]
