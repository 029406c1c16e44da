"""A small made-up firmware as parsed objects (ElfImage + LinkMap + a manifest), for unit tests.

Layout (FLASH at 0x0, 4 KiB; RAM at 0x20000000, 1 KiB):

    .text   0x000 0x100  startup.o 0x20 | libm.a(m.c.obj) 0x40 | libm.a(tml_fc.c.obj) 0x90
                         | fill 0x10
    .rodata 0x100 0x80   libm.a(m_weights.c.obj): m_c0 weights 0x40, m_c1 table 0x30, 0x10 loose
    .data   0x20000000 0x10, loaded at 0x180: app.o (app_var 4 B, two aliases of one 8 B object)
    .bss    0x20000010 0x60  libm.a(m.c.obj) m_arena 0x40 | app.o 0x10 | 0x10 nothing claims
    .stack  0x20000080 0x100 fill   (0x10 of alignment gap before it)

so FLASH used = 0x190 (the .data image ends there) and RAM used = 0x180 with a 0x10 gap.
"""

from __future__ import annotations

import json
from pathlib import Path

from tinyml_build.size.elf import ElfImage, ElfSection, ElfSymbol
from tinyml_build.size.mapfile import Fill, InputSection, LinkMap, MemoryRegion, OutputSection

RAM = 0x20000000


def sections() -> tuple[ElfSection, ...]:
    return (
        ElfSection(1, ".text", "SHT_PROGBITS", 0x6, 0x0, 0x100, 0x0),
        ElfSection(2, ".rodata", "SHT_PROGBITS", 0x2, 0x100, 0x80, 0x100),
        ElfSection(3, ".data", "SHT_PROGBITS", 0x3, RAM, 0x10, 0x180),
        ElfSection(4, ".bss", "SHT_NOBITS", 0x3, RAM + 0x10, 0x60, RAM + 0x10),
        ElfSection(5, ".stack", "SHT_NOBITS", 0x3, RAM + 0x80, 0x100, RAM + 0x80),
        ElfSection(6, ".comment", "SHT_PROGBITS", 0x30, 0, 0x20, 0),
    )


def symbols() -> tuple[ElfSymbol, ...]:
    g, loc, w = "STB_GLOBAL", "STB_LOCAL", "STB_WEAK"
    return (
        ElfSymbol("Reset_Handler", 0x0, 0x20, "STT_FUNC", g, 1),
        ElfSymbol("m_invoke", 0x20, 0x30, "STT_FUNC", g, 1),
        ElfSymbol("m_input", 0x50, 0x10, "STT_FUNC", g, 1),
        ElfSymbol("tml_fc_s8", 0x60, 0x80, "STT_FUNC", g, 1),
        ElfSymbol("m_c0", 0x100, 0x40, "STT_OBJECT", g, 2),
        ElfSymbol("m_c1", 0x140, 0x30, "STT_OBJECT", g, 2),
        ElfSymbol("app_var", RAM, 0x4, "STT_OBJECT", g, 3),
        ElfSymbol("state", RAM + 0x8, 0x8, "STT_OBJECT", w, 3),
        ElfSymbol("_state", RAM + 0x8, 0x8, "STT_OBJECT", loc, 3),
        ElfSymbol("m_arena", RAM + 0x10, 0x40, "STT_OBJECT", loc, 4),
        ElfSymbol("history", RAM + 0x50, 0x10, "STT_OBJECT", loc, 4),
        ElfSymbol("inner", RAM + 0x54, 0x4, "STT_OBJECT", loc, 4),  # inside history
    )


def elf_image(with_symtab: bool = True) -> ElfImage:
    return ElfImage("fw.elf", "EM_ARM", 32, 0x1, sections(), symbols() if with_symtab else (),
                    with_symtab)


def link_map() -> LinkMap:
    lib = "/build/libm.a"
    return LinkMap(
        path="fw.map",
        format="gnu-ld",
        regions=[MemoryRegion("FLASH", 0x0, 0x1000, "rx"), MemoryRegion("RAM", RAM, 0x400, "rw")],
        sections=[
            OutputSection(".text", 0x0, 0x100, None, [
                InputSection(".text.Reset_Handler", 0x0, 0x20, "startup.o",
                             [(0x0, "Reset_Handler")]),
                InputSection(".text.m_invoke", 0x20, 0x40, f"{lib}(m.c.obj)",
                             [(0x20, "m_invoke"), (0x50, "m_input")]),
                InputSection(".text.tml_fc_s8", 0x60, 0x90, f"{lib}(tml_fc.c.obj)",
                             [(0x60, "tml_fc_s8")]),
            ], [Fill(0xF0, 0x10)]),
            OutputSection(".rodata", 0x100, 0x80, None, [
                InputSection(".rodata", 0x100, 0x80, f"{lib}(m_weights.c.obj)",
                             [(0x100, "m_c0"), (0x140, "m_c1")]),
            ]),
            OutputSection(".data", RAM, 0x10, 0x180, [
                InputSection(".data", RAM, 0x10, "app.o", [(RAM, "app_var"), (RAM + 8, "state")]),
            ]),
            OutputSection(".bss", RAM + 0x10, 0x60, 0x190, [
                InputSection(".bss.m_arena", RAM + 0x10, 0x40, f"{lib}(m.c.obj)"),
                InputSection(".bss", RAM + 0x50, 0x10, "app.o"),
            ]),
            OutputSection(".stack", RAM + 0x80, 0x100, None, [], [Fill(RAM + 0x80, 0x100)]),
            OutputSection(".comment", 0, 0x20, None, []),
        ],
    )


def manifest_dict(name: str = "m") -> dict:
    return {
        "schema": "tinyml-build.manifest/1",
        "name": name,
        "backend": "reference",
        "arena_bytes": 0x40,
        "generated_sources": [f"{name}.c", f"{name}_weights.c"],
        "kernel_sources": ["/pkg/kernels/tml_fc.c"],
        "ops": [{"function": "tml_fc_s8", "backend": "reference"}],
        "symbols": {
            "prefix": f"{name}_",
            "arena": f"{name}_arena",
            "consts": [
                {"symbol": f"{name}_c0", "kind": "weights", "bytes": 0x40, "label": "w"},
                {"symbol": f"{name}_c1", "kind": "derived", "bytes": 0x30, "label": "t"},
            ],
            "params": [f"{name}_p0"],
        },
    }


def write_manifest(folder: Path, data: dict | None = None) -> Path:
    data = data or manifest_dict()
    path = folder / f"{data['name']}.json"
    path.write_text(json.dumps(data))
    return path
