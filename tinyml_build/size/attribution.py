"""Which bytes of a firmware belong to which compiled model, and to which part of it.

`tinyml-build compile` writes a manifest (<name>.json) naming everything it generated: the
arena symbol, every const array with its kind (model weights or build-time tables), the
parameter structs, the generated sources and the kernel sources with the backend of each op.
From those names this module decides, for one symbol in one object file, whether it is a
model's weights, tables, arena, generated code or kernels (per backend). Names are matched
exactly; objects are matched by the source file they were compiled from (`kws.c` ->
`kws.o`, `kws.c.o`, `kws.c.obj`), so the rules hold for make, CMake and archives alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from ..errors import SizeReportError

MANIFEST_SCHEMA = "tinyml-build.manifest/1"
PARTS = ("weights", "tables", "kernels", "arena", "code")
_OBJECT_SUFFIXES = (".obj", ".o")
_API_FUNCTIONS = ("invoke", "input", "output", "input_size", "output_size", "trace")


@dataclass(frozen=True)
class Attribution:
    """A model's claim on some bytes: model name, part (one of PARTS), backend for kernels."""

    model: str
    part: str
    backend: str | None = None


@dataclass
class ModelRules:
    """The names one manifest gives us, and the matching rules built from them."""

    name: str
    manifest: str
    arena_symbol: str
    arena_bytes: int
    default_backend: str
    consts: dict[str, str]  # symbol -> "weights" | "tables"
    code_symbols: set[str]  # API functions and parameter structs of the generated .c
    generated_sources: list[str]  # base names: kws.c, kws_weights.c
    kernel_sources: list[str]  # base names: tml_conv.c, ...
    op_functions: dict[str, str]  # kernel entry function -> backend
    weights_bytes: int = 0
    tables_bytes: int = 0
    known: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.known = {self.arena_symbol, *self.consts, *self.code_symbols}


def object_matches_source(obj: str, source: str) -> bool:
    """`kws.c.obj`, `kws.c.o`, `kws.o` (and `dir/kws.o`) were compiled from `kws.c`."""
    base = PurePath(obj.replace("\\", "/")).name
    for suffix in _OBJECT_SUFFIXES:
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    else:
        return False
    src = PurePath(source.replace("\\", "/")).name
    return base == src or base == PurePath(src).stem


def _bad(path: str, message: str) -> SizeReportError:
    return SizeReportError(f"{path}: {message}",
                           "pass the <name>.json that `tinyml-build compile` wrote for this model")


def load_manifest(path: str | Path) -> ModelRules:
    """Read one manifest; a one-line error for a missing, foreign or damaged file."""
    p = str(path)
    try:
        data = json.loads(Path(p).read_text(encoding="utf-8"))
    except OSError as exc:
        raise _bad(p, f"cannot read the manifest: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _bad(p, f"is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("schema") != MANIFEST_SCHEMA:
        raise _bad(p, f"is not a tinyml-build model manifest (schema is not '{MANIFEST_SCHEMA}')")
    try:
        name = str(data["name"])
        symbols = data["symbols"]
        prefix = str(symbols["prefix"])
        consts = {}
        weights_bytes = tables_bytes = 0
        for c in symbols["consts"]:
            kind = "weights" if c["kind"] == "weights" else "tables"
            consts[str(c["symbol"])] = kind
            if kind == "weights":
                weights_bytes += int(c["bytes"])
            else:
                tables_bytes += int(c["bytes"])
        code_symbols = {f"{prefix}{f}" for f in _API_FUNCTIONS}
        code_symbols.update(str(s) for s in symbols.get("params", []))
        op_functions: dict[str, str] = {}
        for op in data.get("ops", []):
            if op.get("function"):
                op_functions.setdefault(str(op["function"]), str(op.get("backend") or ""))
        return ModelRules(
            name=name,
            manifest=p,
            arena_symbol=str(symbols["arena"]),
            arena_bytes=int(data["arena_bytes"]),
            default_backend=str(data.get("backend") or "reference"),
            consts=consts,
            code_symbols=code_symbols,
            generated_sources=[PurePath(s).name for s in data["generated_sources"]],
            kernel_sources=[PurePath(str(s).replace("\\", "/")).name
                            for s in data["kernel_sources"]],
            op_functions=op_functions,
            weights_bytes=weights_bytes,
            tables_bytes=tables_bytes,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(p, f"is missing or has a bad field ({exc})") from None


@dataclass
class ObjectInfo:
    """An object file as the firmware holds it: its name and every symbol it defines."""

    archive: str | None
    object: str
    symbols: set[str]


class Attributor:
    """Applies the rules of every model to objects and symbols."""

    def __init__(self, models: Iterable[ModelRules]):
        self.models = list(models)
        names = [m.name for m in self.models]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise SizeReportError(f"two manifests describe a model named '{sorted(dup)[0]}'",
                                  "pass each model's manifest once")
        self._object_cache: dict[tuple[str | None, str], list[Attribution]] = {}

    def object_owners(self, obj: ObjectInfo) -> list[Attribution]:
        """Models whose generated code or kernels this object is (empty for the rest)."""
        key = (obj.archive, obj.object)
        cached = self._object_cache.get(key)
        if cached is not None:
            return cached
        owners: list[Attribution] = []
        for m in self.models:
            if (any(object_matches_source(obj.object, s) for s in m.generated_sources)
                    and obj.symbols & m.known):
                owners.append(Attribution(m.name, "code"))
            elif any(object_matches_source(obj.object, s) for s in m.kernel_sources):
                backends = sorted({m.op_functions[f] for f in obj.symbols & m.op_functions.keys()
                                   if m.op_functions[f]})
                owners.append(Attribution(m.name, "kernels",
                                          backends[0] if backends else m.default_backend))
        self._object_cache[key] = owners
        return owners

    def symbol_owners(self, symbol: str, obj_owners: list[Attribution]) -> list[Attribution]:
        """The models claiming one symbol: by exact name first, else through its object."""
        found: list[Attribution] = []
        for m in self.models:
            if symbol == m.arena_symbol:
                found.append(Attribution(m.name, "arena"))
            elif symbol in m.consts:
                found.append(Attribution(m.name, m.consts[symbol]))
        if found:
            return found
        if obj_owners:
            return obj_owners
        # Objects not recognised (LTO, unity builds): fall back to the exact generated names.
        for m in self.models:
            if symbol in m.code_symbols:
                found.append(Attribution(m.name, "code"))
            elif symbol in m.op_functions:
                found.append(Attribution(m.name, "kernels",
                                         m.op_functions[symbol] or m.default_backend))
        return found
