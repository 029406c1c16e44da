"""Reads what the size report needs from an ELF executable, with pyelftools.

Sections (flags, addresses, sizes, load addresses from the PT_LOAD segments) decide what is
flash and what is RAM; symbols with their sizes let the report name the bytes inside each
input section, including `static` ones the map file never lists. Everything is read eagerly
inside one guarded block so that a truncated or foreign file becomes one clear error line
instead of a pyelftools traceback halfway through a report.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from ..errors import SizeReportError

SHF_WRITE = 0x1
SHF_ALLOC = 0x2
SHF_EXECINSTR = 0x4
SHF_TLS = 0x400


@dataclass(frozen=True)
class ElfSection:
    index: int
    name: str
    type: str  # "SHT_PROGBITS", "SHT_NOBITS", ...
    flags: int
    address: int
    size: int
    load_address: int  # equals address unless a PT_LOAD segment maps it elsewhere (.data)

    @property
    def alloc(self) -> bool:
        return bool(self.flags & SHF_ALLOC)

    @property
    def write(self) -> bool:
        return bool(self.flags & SHF_WRITE)

    @property
    def exec(self) -> bool:
        return bool(self.flags & SHF_EXECINSTR)

    @property
    def nobits(self) -> bool:
        return self.type == "SHT_NOBITS"

    @property
    def tls_template_only(self) -> bool:
        """`.tbss`: described by the TLS segment but ld gives it no address space of its own."""
        return self.nobits and bool(self.flags & SHF_TLS)

    @property
    def memory_class(self) -> str | None:
        """Zephyr size_report's rule: exec or read-only -> flash; write -> flash (its load
        image) and RAM; nobits -> RAM; not alloc -> None (debug info, comments)."""
        if not self.alloc:
            return None
        if self.nobits:
            return "ram"
        if self.write:
            return "flash+ram"
        return "flash"

    @property
    def flag_letters(self) -> str:
        return "".join(c for bit, c in ((SHF_WRITE, "W"), (SHF_ALLOC, "A"),
                                        (SHF_EXECINSTR, "X"), (SHF_TLS, "T")) if self.flags & bit)


@dataclass(frozen=True)
class ElfSymbol:
    name: str
    address: int  # Thumb bit cleared; TLS symbols turned into template addresses
    size: int
    type: str  # "STT_FUNC", "STT_OBJECT", ...
    bind: str  # "STB_GLOBAL", "STB_LOCAL", "STB_WEAK"
    section: int  # index of the defining section


@dataclass(frozen=True)
class ElfImage:
    path: str
    machine: str  # "EM_ARM", "EM_RISCV", "EM_X86_64", ...
    bits: int
    entry: int
    sections: tuple[ElfSection, ...]
    symbols: tuple[ElfSymbol, ...]
    has_symtab: bool

    def section(self, name: str) -> ElfSection | None:
        return next((s for s in self.sections if s.name == name), None)


_KEPT_SYMBOL_TYPES = {"STT_FUNC", "STT_OBJECT", "STT_TLS", "STT_NOTYPE", "STT_COMMON",
                      "STT_GNU_IFUNC", "STT_LOOS"}


def _fail(path: str, message: str, hint: str = "") -> SizeReportError:
    return SizeReportError(f"{path}: {message}", hint)


def read_elf(path: str | Path) -> ElfImage:
    """Read sections, load addresses and sized symbols; SizeReportError for a bad file."""
    from elftools.common.exceptions import ELFError, ELFParseError
    from elftools.construct.core import ConstructError
    from elftools.elf.elffile import ELFFile

    p = str(path)
    try:
        with open(p, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise _fail(p, f"cannot read the ELF file: {exc.strerror or exc}") from None
    if len(data) < 16 or data[:4] != b"\x7fELF":
        hint = "pass the linked executable (app.elf), and the map with --map"
        if data[:64].lstrip().startswith((b"Archive member", b"Memory Configuration")):
            hint = "this looks like a map file: pass the ELF first and the map with --map"
        raise _fail(p, "is not an ELF file", hint)
    try:
        import io

        elf = ELFFile(io.BytesIO(data))
        _check_extent(elf, len(data), p)
        return _read(elf, p)
    except SizeReportError:
        raise
    except (ELFError, ELFParseError, ConstructError, struct.error, ValueError, IndexError,
            KeyError, EOFError, UnicodeDecodeError, OverflowError) as exc:
        raise _fail(p, f"is a damaged or truncated ELF file ({type(exc).__name__}: "
                       f"{str(exc)[:100] or 'no detail'})",
                    "relink it; pass the executable the linker wrote") from None


def _check_extent(elf, file_size: int, path: str) -> None:
    """Refuse files cut short: every header and every section's bytes must be inside."""
    h = elf.header
    if h["e_shoff"] == 0 or h["e_shnum"] == 0:
        raise _fail(path, "has no section headers (stripped with --strip-sections or not "
                          "an executable?)", "pass the ELF the linker wrote")
    end_sh = h["e_shoff"] + h["e_shnum"] * h["e_shentsize"]
    end_ph = h["e_phoff"] + h["e_phnum"] * h["e_phentsize"]
    if end_sh > file_size or end_ph > file_size:
        raise _fail(path, f"is truncated: headers end at byte {max(end_sh, end_ph):,} of a "
                          f"{file_size:,}-byte file", "relink it")
    for sec in elf.iter_sections():
        if sec["sh_type"] != "SHT_NOBITS" and sec["sh_offset"] + sec["sh_size"] > file_size:
            raise _fail(path, f"is truncated: section {sec.name or '#?'} ends at byte "
                              f"{sec['sh_offset'] + sec['sh_size']:,} of a {file_size:,}-byte "
                              "file", "relink it")


def _read(elf, path: str) -> ElfImage:
    loads = [s for s in elf.iter_segments() if s["p_type"] == "PT_LOAD"]
    tls = next((s for s in elf.iter_segments() if s["p_type"] == "PT_TLS"), None)
    sections: list[ElfSection] = []
    for index, sec in enumerate(elf.iter_sections()):
        if index == 0:
            continue
        address = sec["sh_addr"]
        lma = address
        if sec["sh_flags"] & SHF_ALLOC and sec["sh_type"] != "SHT_NOBITS":
            for seg in loads:
                if seg.section_in_segment(sec):
                    lma = seg["p_paddr"] + (address - seg["p_vaddr"])
                    break
        sections.append(ElfSection(index, sec.name, str(sec["sh_type"]), sec["sh_flags"],
                                   address, sec["sh_size"], lma))

    by_index = {s.index: s for s in sections}
    arm = elf.header["e_machine"] == "EM_ARM"
    symbols: list[ElfSymbol] = []
    has_symtab = False
    for table in elf.iter_sections():
        if table["sh_type"] != "SHT_SYMTAB":
            continue
        has_symtab = True
        for sym in table.iter_symbols():
            st_type = str(sym["st_info"]["type"])
            shndx = sym["st_shndx"]
            if (not sym.name or st_type not in _KEPT_SYMBOL_TYPES or not isinstance(shndx, int)
                    or shndx not in by_index or not by_index[shndx].alloc):
                continue
            value = sym["st_value"]
            if st_type == "STT_TLS":
                if tls is None:
                    continue
                value += tls["p_vaddr"]
            elif arm and st_type == "STT_FUNC":
                value &= ~1
            symbols.append(ElfSymbol(sym.name, value, sym["st_size"], st_type,
                                     str(sym["st_info"]["bind"]), shndx))
    return ElfImage(
        path=path,
        machine=str(elf.header["e_machine"]),
        bits=elf.elfclass,
        entry=elf.header["e_entry"],
        sections=tuple(sections),
        symbols=tuple(symbols),
        has_symtab=has_symtab,
    )
