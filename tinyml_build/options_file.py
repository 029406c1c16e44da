"""The per-model options file (`<model>.tinyml.toml`): compile options kept next to the model.

Like nanopb's `.options` sidecar, it lets a build system (CMake, Zephyr, ESP-IDF) or a user
keep a model's settings in one reviewed file instead of repeating flags. Options given on
the command line (or as tinyml_add_model() arguments) take precedence over the file.

    # kws.tinyml.toml
    name = "kws"              # C prefix of every symbol (the CLI's --name)
    backend = "reference"     # kernel back end (the CLI's --backend)
    alignment = 16            # alignment of weights and arena buffers, power of two

    [sections]                # linker sections (the CLI's --arena-section/--weights-section)
    arena = ".tinyml_arena"
    weights = ".rodata.tinyml_weights"

Every key is optional; unknown keys and wrong types are errors naming the file and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import TinymlError

FORMAT_HINT = "see docs/cmake.md, 'The options file'"


@dataclass(frozen=True)
class ModelOptions:
    """Values read from an options file; None where the file does not set them."""

    name: str | None = None
    backend: str | None = None
    alignment: int | None = None
    arena_section: str | None = None
    weights_section: str | None = None


def _get(table: dict, key: str, kind: type, path: Path, where: str) -> object:
    value = table.get(key)
    if value is None:
        return None
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise TinymlError(
            f"{path}: '{where}{key}' must be a {kind.__name__}, not {type(value).__name__}",
            hint=FORMAT_HINT,
        )
    return value


def _reject_unknown(table: dict, known: set[str], path: Path, where: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise TinymlError(
            f"{path}: unknown option '{where}{unknown[0]}'",
            hint=f"known options: {', '.join(sorted(where + k for k in known))}",
        )


def load_options(path: str | Path) -> ModelOptions:
    """Read and check an options file; raise TinymlError with the file and key on problems."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TinymlError(f"{p}: options file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TinymlError(f"{p}: cannot read options file: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TinymlError(f"{p}: not a valid TOML options file: {exc}", hint=FORMAT_HINT) from exc
    _reject_unknown(data, {"name", "backend", "alignment", "sections"}, p, "")
    sections = data.get("sections", {})
    if not isinstance(sections, dict):
        raise TinymlError(f"{p}: 'sections' must be a table ([sections])", hint=FORMAT_HINT)
    _reject_unknown(sections, {"arena", "weights"}, p, "sections.")
    alignment = _get(data, "alignment", int, p, "")
    return ModelOptions(
        name=_get(data, "name", str, p, ""),  # type: ignore[arg-type]
        backend=_get(data, "backend", str, p, ""),  # type: ignore[arg-type]
        alignment=alignment,  # type: ignore[arg-type]
        arena_section=_get(sections, "arena", str, p, "sections."),  # type: ignore[arg-type]
        weights_section=_get(sections, "weights", str, p, "sections."),  # type: ignore[arg-type]
    )
