"""Portable C99 kernels shipped with the package, and where to find them.

Plugins refer to these files through KERNEL_DIR; the generated code includes their headers
and the build compiles only the sources the model's kernels name.
"""

from pathlib import Path

KERNEL_DIR = Path(__file__).resolve().parent


def kernel_source(filename: str) -> Path:
    path = KERNEL_DIR / filename
    if not path.is_file():
        raise FileNotFoundError(f"no kernel source {filename} in {KERNEL_DIR}")
    return path
