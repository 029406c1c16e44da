"""The machine-readable report: the structure itself, schema "tinyml-build.size/1".

Nothing is computed here; the JSON is exactly what tree.py built and diff.py / budget.py
annotated, so CI bots and `--baseline` read the same numbers the table shows.
"""

from __future__ import annotations

import json


def render_json(report: dict) -> str:
    return json.dumps(report, indent=2) + "\n"
