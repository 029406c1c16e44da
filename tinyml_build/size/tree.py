"""Merges the ELF, the map and the model manifests into one nested report (a plain dict).

    region -> section -> archive -> object -> symbol

Every byte is accounted for, at every level the children add up to the parent:
  * a region's `used` is the extent ld reports with --print-memory-usage (highest end
    address minus origin); bytes between sections are a `(gaps)` pseudo-section;
  * a section's bytes are its input sections plus ld's `*fill*` plus bytes nothing claims,
    the last two under the `(linker)` archive;
  * an object's bytes are its sized symbols plus an `(unattributed)` leaf for the rest.
A section whose load image sits in another region (.data: RAM copy, flash image) appears
in both regions, as ld counts it.

The report is JSON-ready on purpose: the baseline diff (diff.py) and every renderer work on
this one structure, as esp-idf-size does, so a delta is computed once and shown everywhere.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from .. import __version__
from ..errors import SizeReportError
from .attribution import PARTS, Attribution, Attributor, ModelRules, ObjectInfo
from .elf import ElfImage, ElfSection, ElfSymbol
from .mapfile import LinkMap, OutputSection, split_archive_member

SCHEMA = "tinyml-build.size/1"
LINKER = "(linker)"
NO_ARCHIVE = "(no archive)"
NO_MAP = "(no map)"
UNATTRIBUTED = "(unattributed)"
GAPS = "(gaps)"
NO_REGION = "(no region)"


@dataclass
class _Piece:
    """A run of bytes in one output section with its provenance, before it becomes a node."""

    archive: str | None  # archive path, None for loose objects
    object: str  # member name or object path; "*fill*", "(linker script)" for ld's own bytes
    linker: bool
    symbols: list[tuple[str, int, list[str], ElfSymbol | None]]  # name, bytes, aliases
    size: int


def build_report(elf: ElfImage, linkmap: LinkMap | None, models: list[ModelRules]) -> dict:
    """The nested report for one firmware; SizeReportError if the map and ELF disagree."""
    if linkmap is not None:
        _check_map_matches_elf(elf, linkmap)
    attributor = Attributor(models)
    alloc = [s for s in elf.sections if s.alloc and s.size and not s.tls_template_only]

    pieces = {s.index: _pieces(s, elf, linkmap) for s in alloc}
    objects = _object_infos(pieces)
    nodes: dict[int, dict] = {}
    tallies: dict[int, list[tuple[str, list[Attribution], int]]] = {}
    for s in alloc:
        nodes[s.index], tallies[s.index] = _section_node(s, pieces[s.index], objects, attributor)

    regions, region_parts = _regions(linkmap, alloc, nodes, tallies)
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "generator": f"tinyml-build {__version__}",
        "inputs": {
            "elf": elf.path,
            "map": linkmap.path if linkmap else None,
            "map_format": linkmap.format if linkmap else None,
            "manifests": [m.manifest for m in models],
        },
        "elf": {"machine": elf.machine, "bits": elf.bits, "entry": elf.entry,
                "symbols": "symtab" if elf.has_symtab else ("map" if linkmap else "none")},
        "totals": _totals(alloc),
        "regions": regions,
        "sections": _flat_sections(elf, regions),
        "models": _models(models, alloc, tallies, region_parts),
        "budgets": [],
        "status": "ok",
        "messages": [],
    }
    _model_checks(report, models)
    return report


# -- consistency ----------------------------------------------------------------------------

def _check_map_matches_elf(elf: ElfImage, linkmap: LinkMap) -> None:
    hint = "pass the map written by the same link as the ELF (-Wl,-Map=FILE)"
    for s in elf.sections:
        if not s.alloc or not s.size:
            continue
        out = linkmap.section(s.name, s.address)
        if out is None:
            raise SizeReportError(
                f"{linkmap.path} does not describe {elf.path}: section {s.name} "
                f"({s.size:,} B at {s.address:#x}) is not in the map (stale or truncated map?)",
                hint)
        if out.address != s.address or out.size != s.size:
            raise SizeReportError(
                f"{linkmap.path} does not describe {elf.path}: section {s.name} is "
                f"{s.size:,} B at {s.address:#x} in the ELF but {out.size:,} B at "
                f"{out.address:#x} in the map", hint)
        if not s.nobits and out.load_address is not None and out.load_address != s.load_address:
            raise SizeReportError(
                f"{linkmap.path} does not describe {elf.path}: section {s.name} loads at "
                f"{s.load_address:#x} in the ELF but at {out.load_address:#x} in the map", hint)


# -- pieces: input sections, fill and symbols of one output section -------------------------

def _dedup_symbols(symbols: list[ElfSymbol]) -> list[tuple[ElfSymbol, list[str]]]:
    """One symbol per (address, size) with the others as aliases (vfprintf/_vfprintf_r)."""
    groups: dict[tuple[int, int], list[ElfSymbol]] = defaultdict(list)
    for sym in symbols:
        if sym.size > 0:
            groups[(sym.address, sym.size)].append(sym)
    rank = {"STB_GLOBAL": 0, "STB_WEAK": 1, "STB_LOCAL": 2}
    out = []
    for (_, _), group in sorted(groups.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
        group.sort(key=lambda s: (rank.get(s.bind, 3), s.name.startswith("_"), len(s.name), s.name))
        out.append((group[0], sorted({s.name for s in group[1:]} - {group[0].name})))
    return out


def _map_symbols(out: OutputSection) -> list[ElfSymbol]:
    """Symbols from the map when the ELF has no symbol table; sizes run to the next symbol."""
    syms = []
    for inp in out.inputs:
        points = sorted({a for a, _ in inp.symbols if inp.address <= a < inp.address + inp.size})
        for addr, name in inp.symbols:
            if not inp.address <= addr < inp.address + inp.size:
                continue
            nxt = next((p for p in points if p > addr), inp.address + inp.size)
            syms.append(ElfSymbol(name, addr, nxt - addr, "STT_NOTYPE", "STB_GLOBAL", -1))
    return syms


def _pieces(sec: ElfSection, elf: ElfImage, linkmap: LinkMap | None) -> list[_Piece]:
    start, end = sec.address, sec.address + sec.size
    out = linkmap.section(sec.name, sec.address) if linkmap else None
    if elf.has_symtab:
        raw = [s for s in elf.symbols if s.section == sec.index]
    else:
        raw = _map_symbols(out) if out else []
    symbols = _dedup_symbols(raw)
    sym_starts = [s.address for s, _ in symbols]

    spans: list[tuple[int, int, str | None, str, bool]] = []  # start, end, archive, obj, linker
    if out is None:
        spans.append((start, end, None, NO_MAP, False))
    else:
        for inp in out.inputs:
            archive, obj = split_archive_member(inp.file)
            linker = inp.file == "linker stubs"
            spans.append((inp.address, inp.address + inp.size, archive, obj, linker))
        for f in out.fills:
            spans.append((f.address, f.address + f.size, None, "*fill*", True))
    spans.sort(key=lambda t: (t[0], -(t[1] - t[0])))

    pieces: list[_Piece] = []
    cursor = start
    for s0, s1, archive, obj, linker in spans:
        s0, s1 = max(s0, cursor, start), min(s1, end)
        if s1 <= s0:
            continue
        if s0 > cursor:
            pieces.append(_Piece(None, "(linker script)", True, [], s0 - cursor))
        pieces.append(_Piece(archive, obj, linker, _symbols_in(symbols, sym_starts, s0, s1),
                             s1 - s0))
        cursor = s1
    if cursor < end:
        pieces.append(_Piece(None, "(linker script)", True, [], end - cursor))
    return pieces


def _symbols_in(symbols: list[tuple[ElfSymbol, list[str]]], starts: list[int], lo: int,
                hi: int) -> list[tuple[str, int, list[str], ElfSymbol | None]]:
    """Sized symbols clipped to [lo, hi); each byte goes to the first symbol covering it."""
    found = []
    cursor = lo
    i = bisect.bisect_left(starts, lo)
    # a symbol that starts before lo may still reach into the range
    j = i
    while j > 0 and symbols[j - 1][0].address + symbols[j - 1][0].size > lo:
        j -= 1
    for sym, aliases in symbols[j:]:
        if sym.address >= hi:
            break
        a, b = max(sym.address, cursor), min(sym.address + sym.size, hi)
        if b > a:
            found.append((sym.name, b - a, aliases, sym))
            cursor = b
    covered = sum(n for _, n, _, _ in found)
    if covered < hi - lo:
        found.append((UNATTRIBUTED, hi - lo - covered, [], None))
    return found


def _object_infos(pieces: dict[int, list[_Piece]]) -> dict[tuple[str | None, str], ObjectInfo]:
    """Every object with all the symbols it defines, over all sections (for attribution)."""
    infos: dict[tuple[str | None, str], ObjectInfo] = {}
    for plist in pieces.values():
        for p in plist:
            if p.linker:
                continue
            info = infos.setdefault((p.archive, p.object), ObjectInfo(p.archive, p.object, set()))
            for name, _, aliases, sym in p.symbols:
                if sym is not None:
                    info.symbols.add(name)
                    info.symbols.update(aliases)
    return infos


# -- nodes ----------------------------------------------------------------------------------

def _keyed(paths: list[str | None], fallback: str) -> dict[str | None, str]:
    """Short, stable keys: the base name, or the full path where two base names collide."""
    by_base: dict[str, set[str]] = defaultdict(set)
    for p in paths:
        if p is not None:
            by_base[PurePath(p).name].add(p)
    keys: dict[str | None, str] = {None: fallback}
    for base, full in by_base.items():
        for p in full:
            keys[p] = base if len(full) == 1 else p
    return keys


def _tag(node: dict, owners: list[Attribution]) -> None:
    if not owners:
        return
    node["model"] = owners[0].model if len(owners) == 1 else [o.model for o in owners]
    node["part"] = owners[0].part
    if owners[0].backend:
        node["backend"] = owners[0].backend


def _label(owners: list[Attribution], archive_key: str | None, object_key: str) -> str:
    if owners:
        return f"{'+'.join(o.model for o in owners)} {owners[0].part}"
    return archive_key if archive_key is not None else object_key


def _section_node(sec: ElfSection, pieces: list[_Piece],
                  objects: dict[tuple[str | None, str], ObjectInfo],
                  attributor: Attributor) -> tuple[dict, list[tuple[str, list[Attribution], int]]]:
    archive_keys = _keyed([p.archive for p in pieces if not p.linker], NO_ARCHIVE)
    object_keys: dict[str | None, dict[str, str]] = {}
    for arch in {p.archive for p in pieces if not p.linker}:
        object_keys[arch] = _keyed([p.object for p in pieces
                                    if not p.linker and p.archive == arch], "?")

    archives: dict[str, dict] = {}
    tally: dict[tuple[str, tuple[Attribution, ...]], int] = defaultdict(int)
    for p in pieces:
        if p.linker:
            akey, okey, apath, opath = LINKER, p.object, None, None
        else:
            akey = archive_keys[p.archive]
            okey = object_keys[p.archive][p.object]
            apath, opath = p.archive, p.object
        anode = archives.setdefault(akey, {"size": 0, "objects": {}})
        if apath is not None:
            anode["path"] = apath
        onode = anode["objects"].setdefault(okey, {"size": 0, "symbols": {}})
        if opath is not None and opath != okey:
            onode["path"] = opath
        obj_owners = [] if p.linker else attributor.object_owners(objects[(p.archive, p.object)])
        _tag(onode, obj_owners)
        anode["size"] += p.size
        onode["size"] += p.size
        if p.linker:
            what = "fill" if p.object == "*fill*" else p.object
            tally[(f"{sec.name} {what}", ())] += p.size
            continue
        for name, n, aliases, sym in p.symbols:
            owners = attributor.symbol_owners(name, obj_owners) if sym is not None else obj_owners
            key = name
            clash = onode["symbols"].get(key)
            if sym is not None and clash is not None and clash["_sym"] is not sym:
                key = f"{name}@{sym.address:#x}"  # two local symbols of one name
            leaf = onode["symbols"].setdefault(key, {"size": 0, "_sym": sym})
            leaf["size"] += n
            if aliases:
                leaf["aliases"] = aliases
            if owners != obj_owners:
                _tag(leaf, owners)
            label = _label(owners, None if p.archive is None else akey, okey)
            tally[(label, tuple(owners))] += n
    for anode in archives.values():
        for onode in anode["objects"].values():
            for leaf in onode["symbols"].values():
                leaf.pop("_sym", None)
    node = {"size": sec.size, "archives": _ordered(archives, "objects", "symbols")}
    return node, [(label, list(owners), n) for (label, owners), n in tally.items()]


_KEY_ORDER = ("address", "size", "path", "model", "part", "backend", "aliases", "load_image")


def _ordered(children: dict[str, dict], *levels: str) -> dict[str, dict]:
    """Children largest first, each node's keys in one order: readable JSON, stable diffs."""
    out = {}
    for name, node in sorted(children.items(), key=lambda kv: (-kv[1]["size"], kv[0])):
        ordered = {k: node[k] for k in _KEY_ORDER if k in node}
        ordered.update({k: v for k, v in node.items() if k not in ordered})
        if levels and levels[0] in ordered:
            ordered[levels[0]] = _ordered(ordered[levels[0]], *levels[1:])
        out[name] = ordered
    return out


# -- regions --------------------------------------------------------------------------------

def _region_of(regions, address: int, size: int) -> str | None:
    for r in regions:
        end = r.origin + r.length
        if r.origin <= address < end or (size == 0 and address == end):
            return r.name
    return None


def _regions(linkmap: LinkMap | None, alloc: list[ElfSection],
             nodes: dict[int, dict], tallies: dict,
             ) -> tuple[dict[str, dict], dict[str, dict[str, dict[str, int]]]]:
    """Region nodes, and per region the bytes of each model part placed there."""
    declared = linkmap.regions if linkmap else []
    out: dict[str, dict] = {}
    region_parts: dict[str, dict[str, dict[str, int]]] = {}
    placements: dict[str, list[tuple[ElfSection, int, bool]]] = defaultdict(list)
    for r in declared:
        out[r.name] = {"origin": r.origin, "size": r.length, "attributes": r.attributes}
    for s in alloc:
        if declared:
            vma = _region_of(declared, s.address, s.size) or NO_REGION
            placements[vma].append((s, s.address, False))
            if not s.nobits and s.load_address != s.address:
                lma = _region_of(declared, s.load_address, s.size) or NO_REGION
                placements[lma].append((s, s.load_address, True))
        else:
            cls = s.memory_class or ""
            if "flash" in cls:
                placements["flash"].append((s, s.load_address, s.load_address != s.address))
            if "ram" in cls:
                placements["ram"].append((s, s.address, False))
    for name in placements:
        if name not in out:
            out[name] = {"origin": None, "size": None, "attributes": "", "pseudo": True}

    for name, region in out.items():
        placed = sorted(placements.get(name, []), key=lambda t: t[1])
        sections: dict[str, dict] = {}
        contributors: dict[str, int] = defaultdict(int)
        parts: dict[str, dict[str, int]] = {}
        for sec, addr, load in placed:
            key = sec.name if sec.name not in sections else f"{sec.name} (load image)"
            node = {"address": addr, **_deep_copy(nodes[sec.index])}
            if load:
                node["load_image"] = True
            sections[key] = node
            for label, owners, n in tallies[sec.index]:
                contributors[label] += n
                for o in owners:
                    parts.setdefault(o.model, dict.fromkeys(PARTS, 0))[o.part] += n
        summed = sum(n["size"] for n in sections.values())
        if region["origin"] is not None and placed:
            used = max(addr + sec.size for sec, addr, _ in placed) - region["origin"]
        else:
            used = summed
        if used != summed:
            sections[GAPS] = {"size": used - summed, "archives": {}}
            contributors[GAPS] += used - summed
        region["used"] = used
        if region["size"] is not None:
            region["free"] = region["size"] - used
            region["percent"] = round(100.0 * used / region["size"], 2) if region["size"] else None
        region["sections"] = sections
        region["contributors"] = dict(sorted(contributors.items(), key=lambda kv: (-kv[1], kv[0])))
        region_parts[name] = parts
    return out, region_parts


def _deep_copy(node: dict) -> dict:
    return {k: (_deep_copy(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v)
            for k, v in node.items()}


def _totals(alloc: list[ElfSection]) -> dict[str, int]:
    flash = sum(s.size for s in alloc if "flash" in (s.memory_class or ""))
    ram = sum(s.size for s in alloc if "ram" in (s.memory_class or ""))
    return {"flash": flash, "ram": ram}


def _flat_sections(elf: ElfImage, regions: dict[str, dict]) -> dict[str, dict]:
    where: dict[str, list[str]] = defaultdict(list)
    for rname, region in regions.items():
        for key in region["sections"]:
            if key != GAPS:
                where[key.removesuffix(" (load image)")].append(rname)
    out: dict[str, dict] = {}
    for s in elf.sections:
        if s.type == "SHT_NULL":
            continue
        key = s.name if s.name not in out else f"{s.name}#{s.index}"
        out[key] = {
            "address": s.address,
            "load_address": s.load_address,
            "size": s.size,
            "type": s.type.removeprefix("SHT_"),
            "flags": s.flag_letters,
            "class": s.memory_class,
            "regions": where.get(s.name, []) if s.alloc and s.size else [],
        }
    return out


# -- models ---------------------------------------------------------------------------------

def _models(models: list[ModelRules], alloc: list[ElfSection], tallies: dict,
            region_parts: dict[str, dict[str, dict[str, int]]]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for m in models:
        parts = dict.fromkeys(PARTS, 0)
        by_class = {"flash": dict.fromkeys(PARTS, 0), "ram": dict.fromkeys(PARTS, 0)}
        backends: dict[str, int] = defaultdict(int)
        for s in alloc:
            cls = s.memory_class or ""
            for _, owners, n in tallies[s.index]:
                mine = [o for o in owners if o.model == m.name]
                if not mine:
                    continue
                parts[mine[0].part] += n
                if mine[0].part == "kernels":
                    backends[mine[0].backend or m.default_backend] += n
                for c in ("flash", "ram"):
                    if c in cls:
                        by_class[c][mine[0].part] += n
        by_region = {r: parts_here[m.name] for r, parts_here in region_parts.items()
                     if m.name in parts_here}
        out[m.name] = {
            "manifest": m.manifest,
            "flash": sum(by_class["flash"].values()),
            "ram": sum(by_class["ram"].values()),
            **parts,
            "by_class": by_class,
            "kernels_by_backend": dict(sorted(backends.items())),
            "arena_expected": m.arena_bytes,
            "weights_expected": m.weights_bytes,
            "tables_expected": m.tables_bytes,
            "regions": by_region,
        }
    return out


def _model_checks(report: dict, models: list[ModelRules]) -> None:
    for m in models:
        entry = report["models"][m.name]
        # kernels alone prove nothing: another model may have linked the same kernel files
        if not any(entry[p] for p in ("weights", "tables", "arena", "code")):
            raise SizeReportError(
                f"model '{m.name}' ({m.manifest}) is not in {report['inputs']['elf']}: none of "
                f"its symbols or objects were found",
                "pass the manifest of a model linked into this firmware (and an unstripped ELF)")
        if entry["arena"] != m.arena_bytes:
            report["messages"].append(
                f"model '{m.name}': arena is {entry['arena']:,} B in the ELF but "
                f"{m.arena_bytes:,} B in {m.manifest} (rebuilt without relinking?)")
