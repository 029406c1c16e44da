"""Reads a GNU ld map file (`-Wl,-Map=app.map`): memory regions, output and input sections.

The ELF knows sections, flags and symbols but not where a byte came from; the map knows
which object or `archive(member)` contributed every input section, where ld put fill, and
the MEMORY regions of the linker script. This module only parses; merging with the ELF
happens in tree.py.

Only GNU ld maps (arm-none-eabi, riscv64-unknown-elf, host ld) are understood. Maps from
LLVM lld, IAR ILINK, Arm armlink and GNU gold are recognised and refused with a clear
message, never half-parsed into wrong numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SizeReportError

_HINT_FORMATS = ("only GNU ld maps are supported (arm-none-eabi-gcc, riscv64-unknown-elf-gcc, "
                 "host ld)")


class UnsupportedMapFormat(SizeReportError):
    """A map written by a linker other than GNU ld (recognised, not parsed)."""


@dataclass(frozen=True)
class MemoryRegion:
    """One line of the map's "Memory Configuration" (a MEMORY region of the linker script)."""

    name: str
    origin: int
    length: int
    attributes: str


@dataclass
class InputSection:
    """An input section placed into an output section: `.text.foo 0x.. 0x.. libx.a(y.o)`."""

    name: str
    address: int
    size: int
    file: str  # as ld printed it: "main.o", "/p/libc.a(lib_a-exit.o)", "linker stubs"
    symbols: list[tuple[int, str]] = field(default_factory=list)  # globals ld listed

    @property
    def archive(self) -> str | None:
        """The archive path for `archive(member)` inputs, else None."""
        return split_archive_member(self.file)[0]

    @property
    def object(self) -> str:
        """The archive member, or the object file path for loose objects."""
        return split_archive_member(self.file)[1]


@dataclass(frozen=True)
class Fill:
    """Bytes ld inserted itself: alignment padding and `. += N` reservations (`*fill*`)."""

    address: int
    size: int


@dataclass
class OutputSection:
    name: str
    address: int
    size: int
    load_address: int | None  # printed only when it differs from the address
    inputs: list[InputSection] = field(default_factory=list)
    fills: list[Fill] = field(default_factory=list)


@dataclass
class LinkMap:
    path: str
    format: str  # always "gnu-ld" for a parsed map
    regions: list[MemoryRegion]
    sections: list[OutputSection]

    def section(self, name: str, address: int | None = None) -> OutputSection | None:
        """The output section with this name (and address, when several share the name)."""
        found = [s for s in self.sections if s.name == name]
        if address is not None and len(found) > 1:
            found = [s for s in found if s.address == address] or found
        return found[0] if found else None


_ARCHIVE_MEMBER_RE = re.compile(r"^(?P<archive>.+?\.(?:a|lib|rlib))\((?P<member>[^()]+)\)$")


def split_archive_member(file: str) -> tuple[str | None, str]:
    """`/p/libc.a(lib_a-exit.o)` -> ('/p/libc.a', 'lib_a-exit.o'); `main.o` -> (None, 'main.o')."""
    m = _ARCHIVE_MEMBER_RE.match(file)
    if m:
        return m.group("archive"), m.group("member")
    return None, file


# -- format detection -----------------------------------------------------------------------

_LLD_HEADER_RE = re.compile(
    r"^\s*(?:VMA\s+LMA\s+Size\s+Align|Address\s+Size\s+Align|VMA\s+Size\s+Align)\s+Out\s+In\s+Symbol"
)


def detect_format(text: str) -> str:
    """Which linker wrote this map: 'gnu-ld', 'lld', 'iar', 'armlink', 'gold' or 'unknown'."""
    head = text[:20000]
    first = next((line for line in head.splitlines() if line.strip()), "")
    if _LLD_HEADER_RE.match(first):
        return "lld"
    if "IAR ELF Linker" in head or "*** PLACEMENT SUMMARY" in text or "*** MODULE SUMMARY" in text:
        return "iar"
    if ("Memory Map of the image" in text or "Image Symbol Table" in text
            or "Component: ARM Compiler" in head or "Execution Region ER" in text):
        return "armlink"
    if "Archive member included because of file (symbol)" in head:
        return "gold"
    if "Linker script and memory map" in text or "Memory Configuration" in text:
        return "gnu-ld"
    return "unknown"


_UNSUPPORTED = {
    "lld": "an LLVM lld map",
    "iar": "an IAR ILINK map",
    "armlink": "an Arm armlink (Keil MDK / Arm Compiler) map",
    "gold": "a GNU gold map",
}


# -- parsing ------------------------------------------------------------------------------------

_REGION_RE = re.compile(
    r"^(?P<name>\S+)\s+0x(?P<origin>[0-9a-fA-F]+)\s+0x(?P<length>[0-9a-fA-F]+)"
    r"(?:\s+(?P<attr>\S+))?\s*$"
)
_OUT_RE = re.compile(
    r"^(?P<name>[^\s]+)(?:\s+0x(?P<addr>[0-9a-fA-F]+)\s+0x(?P<size>[0-9a-fA-F]+)"
    r"(?:\s+load address 0x(?P<lma>[0-9a-fA-F]+))?)?\s*$"
)
_OUT_CONT_RE = re.compile(
    r"^\s+0x(?P<addr>[0-9a-fA-F]+)\s+0x(?P<size>[0-9a-fA-F]+)"
    r"(?:\s+load address 0x(?P<lma>[0-9a-fA-F]+))?\s*$"
)
_IN_RE = re.compile(
    r"^ (?P<name>[^\s*][^\s]*)\s+0x(?P<addr>[0-9a-fA-F]+)\s+0x(?P<size>[0-9a-fA-F]+)"
    r"\s+(?P<file>\S.*?)\s*$"
)
_IN_NAME_RE = re.compile(r"^ (?P<name>[^\s*][^\s]*)\s*$")
_IN_CONT_RE = re.compile(
    r"^\s+0x(?P<addr>[0-9a-fA-F]+)\s+0x(?P<size>[0-9a-fA-F]+)\s+(?P<file>\S.*?)\s*$"
)
_FILL_RE = re.compile(r"^ \*fill\*\s+0x(?P<addr>[0-9a-fA-F]+)\s+0x(?P<size>[0-9a-fA-F]+)")
_SYM_RE = re.compile(r"^\s{2,}0x(?P<addr>[0-9a-fA-F]+)\s+(?P<name>\S.*?)\s*$")
_TOP_LEVEL_WORDS = (
    "LOAD ", "OUTPUT(", "START GROUP", "END GROUP", "TARGET(", "INPUT(", "GROUP(",
    "SEARCH_DIR(", "STARTUP(", "OUTPUT_FORMAT(", "OUTPUT_ARCH(", "ENTRY(", "INSERT ",
)


def _fail(path: str, message: str, hint: str = "") -> SizeReportError:
    return SizeReportError(f"{path}: {message}", hint)


def parse_map_text(text: str, path: str = "<map>") -> LinkMap:
    """Parse the text of a GNU ld map; SizeReportError for other formats or a broken map."""
    if "\x00" in text[:65536]:
        raise _fail(path, "is a binary file, not a linker map",
                    "pass the text file written by -Wl,-Map=FILE (ELF first, then --map MAP)")
    fmt = detect_format(text)
    if fmt in _UNSUPPORTED:
        raise UnsupportedMapFormat(f"{path}: is {_UNSUPPORTED[fmt]}, which is not supported yet",
                                   _HINT_FORMATS)
    if fmt != "gnu-ld":
        raise _fail(path, "is not a GNU ld map file (no 'Memory Configuration' or "
                          "'Linker script and memory map')",
                    "link with -Wl,-Map=FILE and pass that file")

    lines = text.splitlines()
    mem_at = _find_line(lines, "Memory Configuration", 0)
    if mem_at is None:
        raise _fail(path, "has no 'Memory Configuration' table (truncated or edited map?)",
                    "pass the complete map written by -Wl,-Map=FILE")
    script_at = _find_line(lines, "Linker script and memory map", mem_at)
    if script_at is None:
        raise _fail(path, "ends before 'Linker script and memory map' (truncated map?)",
                    "pass the complete map written by -Wl,-Map=FILE")

    regions = _parse_regions(lines[mem_at + 1:script_at], path)
    sections, saw_output = _parse_sections(lines, script_at + 1)
    if not saw_output:
        raise _fail(path, "has no OUTPUT(...) line: the map is truncated",
                    "pass the complete map written by -Wl,-Map=FILE")
    return LinkMap(path=path, format="gnu-ld", regions=regions, sections=sections)


def _find_line(lines: list[str], text: str, start: int) -> int | None:
    return next((i for i in range(start, len(lines)) if lines[i].strip() == text), None)


def read_map(path: str | Path) -> LinkMap:
    """Read and parse a map file, turning I/O and encoding problems into one-line errors."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise _fail(str(p), f"cannot read the map file: {exc.strerror or exc}") from None
    if not data.strip():
        raise _fail(str(p), "is empty", "pass the map written by -Wl,-Map=FILE")
    return parse_map_text(data.decode("utf-8", errors="replace"), str(p))


def _parse_regions(lines: list[str], path: str) -> list[MemoryRegion]:
    regions: list[MemoryRegion] = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("Name "):
            continue
        m = _REGION_RE.match(line)
        if not m:
            raise _fail(path, f"unexpected line in 'Memory Configuration': {line.strip()[:80]!r}",
                        "pass the unedited map written by -Wl,-Map=FILE")
        if m.group("name") == "*default*":
            continue
        regions.append(MemoryRegion(m.group("name"), int(m.group("origin"), 16),
                                    int(m.group("length"), 16), m.group("attr") or ""))
    return regions


def _parse_sections(lines: list[str], start: int) -> tuple[list[OutputSection], bool]:
    sections: list[OutputSection] = []
    current: OutputSection | None = None  # None also while inside /DISCARD/ or an empty section
    last_input: InputSection | None = None
    saw_output = False
    i = start
    n = len(lines)
    while i < n:
        line = lines[i].rstrip("\r\n")
        i += 1
        if not line.strip():
            continue
        if not line[0].isspace():
            last_input = None
            if line.startswith(_TOP_LEVEL_WORDS):
                if line.startswith("OUTPUT("):
                    saw_output = True
                current = None
                continue
            if line.startswith("Cross Reference Table"):
                break
            m = _OUT_RE.match(line)
            if not m:
                current = None
                continue
            addr, size, lma = m.group("addr"), m.group("size"), m.group("lma")
            if addr is None and i < n:
                cont = _OUT_CONT_RE.match(lines[i])
                if cont:
                    i += 1
                    addr, size, lma = cont.group("addr"), cont.group("size"), cont.group("lma")
            if addr is None or m.group("name") == "/DISCARD/":
                current = None  # an empty output section (no address) or discarded input
                continue
            current = OutputSection(m.group("name"), int(addr, 16), int(size, 16),
                                    int(lma, 16) if lma else None)
            sections.append(current)
            continue
        if current is None:
            continue
        fill = _FILL_RE.match(line)
        if fill:
            size = int(fill.group("size"), 16)
            if size:
                current.fills.append(Fill(int(fill.group("addr"), 16), size))
            last_input = None
            continue
        inp = _input_section(line, lines[i] if i < n else "")
        if inp is not None:
            if inp[1]:
                i += 1  # the name was wrapped onto its own line
            if inp[0].size:
                current.inputs.append(inp[0])
            last_input = inp[0]
            continue
        sym = _SYM_RE.match(line)
        if sym and last_input is not None:
            name = sym.group("name")
            if " = " not in name and not name.startswith(("PROVIDE", "[", ". ")):
                last_input.symbols.append((int(sym.group("addr"), 16), name))
    return sections, saw_output


def _input_section(line: str, following: str) -> tuple[InputSection, bool] | None:
    """An input-section line (possibly with its name wrapped), and whether it used `following`."""
    m = _IN_RE.match(line)
    if m:
        return InputSection(m.group("name"), int(m.group("addr"), 16), int(m.group("size"), 16),
                            m.group("file")), False
    named = _IN_NAME_RE.match(line)
    cont = _IN_CONT_RE.match(following) if named else None
    if named and cont:
        return InputSection(named.group("name"), int(cont.group("addr"), 16),
                            int(cont.group("size"), 16), cont.group("file")), True
    return None
