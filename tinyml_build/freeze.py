"""`--freeze NAME=FILE.npy`: values for graph inputs that an ahead-of-time compiler needs
constant (a Reshape's shape, Clip bounds, quantisation parameters fed as inputs)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import TinymlError


def load_freeze_specs(specs: list[str]) -> dict[str, np.ndarray]:
    values: dict[str, np.ndarray] = {}
    for spec in specs:
        name, sep, file = spec.partition("=")
        if not sep or not name or not file:
            raise TinymlError(f"--freeze '{spec}' is not NAME=FILE.npy",
                              hint="e.g. --freeze shape=shape.npy")
        if name in values:
            raise TinymlError(f"--freeze {name} is given twice")
        path = Path(file)
        try:
            values[name] = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise TinymlError(f"--freeze {name}: cannot read a .npy array from {path}: "
                              f"{reason}", hint="write it with numpy.save") from None
    return values
