"""GNU ld map parsing: regions, output/input sections, wrapped names, fill; others refused."""

from __future__ import annotations

import pytest

from tinyml_build.errors import SizeReportError
from tinyml_build.size.mapfile import detect_format, parse_map_text, split_archive_member

# The shape of an arm-none-eabi-gcc 12 map, cut down (real line layout kept).
GNU_MAP = """\
Archive member included to satisfy reference by file (symbol)

/usr/lib/libc_nano.a(lib_a-exit.o)
                              startup.o (exit)

Discarded input sections

 .text          0x00000000        0x0 startup.o
 .data.unused   0x00000000        0x4 app.o

Memory Configuration

Name             Origin             Length             Attributes
FLASH            0x08000000         0x00080000         xr
RAM              0x20000000         0x00020000         xrw
*default*        0x00000000         0xffffffff

Linker script and memory map

LOAD startup.o
LOAD /usr/lib/libc_nano.a
START GROUP
LOAD /usr/lib/libgcc.a
END GROUP
                0x00001000                        __stack_size = 0x1000

.isr_vector     0x08000000       0x40
                0x08000000                        . = ALIGN (0x4)
 *(.isr_vector)
 .isr_vector    0x08000000       0x40 startup.o

.text           0x08000040       0x9c
 *(.text .text.*)
 .text.Reset_Handler
                0x08000040       0x70 startup.o
                0x08000040                Reset_Handler
 .text          0x080000b0       0x28 /usr/lib/libc_nano.a(lib_a-exit.o)
                0x080000b0                exit
 *fill*         0x080000d8        0x4
 .glue_7        0x080000dc        0x0 linker stubs

.ARM.extab
 *(.ARM.extab* .gnu.linkonce.armextab.*)

.data           0x20000000        0x4 load address 0x080000dc
 .data.app_counter
                0x20000000        0x4 app.o
                0x20000000                app_counter

.bss            0x20000010      0x100 load address 0x080000e0
                0x20000010                        __bss_start__ = .
 *(COMMON)
 COMMON         0x20000010      0x100 app.o
                0x20000010                big_buffer
                [!provide]                        PROVIDE (__bss_end = .)

/DISCARD/
 *(.ARM.exidx*)
 .ARM.exidx     0x00000000        0x8 /usr/lib/libgcc.a(_udivmoddi4.o)

.stack          0x20000110     0x1000
                0x20001110                        . = (. + __stack_size)
 *fill*         0x20000110     0x1000

.ARM.attributes
                0x00000000       0x2e
 .ARM.attributes
                0x00000000       0x22 startup.o
OUTPUT(app.elf elf32-littlearm)
LOAD linker stubs

.debug_info     0x00000000      0x100
 .debug_info    0x00000000      0x100 startup.o
"""


def test_regions():
    m = parse_map_text(GNU_MAP, "app.map")
    assert [(r.name, r.origin, r.length, r.attributes) for r in m.regions] == [
        ("FLASH", 0x08000000, 0x80000, "xr"), ("RAM", 0x20000000, 0x20000, "xrw")]


def test_output_and_input_sections():
    m = parse_map_text(GNU_MAP, "app.map")
    names = [s.name for s in m.sections]
    assert names == [".isr_vector", ".text", ".data", ".bss", ".stack", ".ARM.attributes",
                     ".debug_info"]
    text = m.section(".text")
    assert (text.address, text.size, text.load_address) == (0x08000040, 0x9C, None)
    assert [(i.name, i.address, i.size, i.file) for i in text.inputs] == [
        (".text.Reset_Handler", 0x08000040, 0x70, "startup.o"),
        (".text", 0x080000B0, 0x28, "/usr/lib/libc_nano.a(lib_a-exit.o)"),
    ]  # zero-size inputs (linker stubs) are dropped
    assert text.inputs[0].symbols == [(0x08000040, "Reset_Handler")]
    assert text.inputs[1].archive == "/usr/lib/libc_nano.a"
    assert text.inputs[1].object == "lib_a-exit.o"
    assert [(f.address, f.size) for f in text.fills] == [(0x080000D8, 4)]
    assert m.section(".data").load_address == 0x080000DC
    assert m.section(".data").inputs[0].symbols == [(0x20000000, "app_counter")]
    bss = m.section(".bss")
    assert [(i.name, i.size, i.symbols) for i in bss.inputs] == [
        ("COMMON", 0x100, [(0x20000010, "big_buffer")])]
    assert m.section(".stack").fills[0].size == 0x1000
    assert m.section(".ARM.attributes").address == 0 and m.section(".ARM.attributes").size == 0x2E


def test_discarded_and_empty_sections_are_not_output_sections():
    m = parse_map_text(GNU_MAP, "app.map")
    assert m.section("/DISCARD/") is None and m.section(".ARM.extab") is None
    assert all(i.file != "/usr/lib/libgcc.a(_udivmoddi4.o)" for s in m.sections for i in s.inputs)
    assert m.section(".unused") is None


def test_crlf_trailing_blanks_and_host_addresses():
    host = GNU_MAP.replace("0x08000040", "0x0000000008000040").replace("\n", " \r\n")
    m = parse_map_text(host, "app.map")
    assert m.section(".text").address == 0x08000040
    assert [f.size for f in m.section(".text").fills] == [4]
    assert m.section(".text").inputs[0].file == "startup.o"


def test_split_archive_member():
    assert split_archive_member("/p/libc.a(lib_a-exit.o)") == ("/p/libc.a", "lib_a-exit.o")
    assert split_archive_member("libkws.a(kws.c.obj)") == ("libkws.a", "kws.c.obj")
    assert split_archive_member("CMakeFiles/app.dir/main.c.obj") == (
        None, "CMakeFiles/app.dir/main.c.obj")
    assert split_archive_member("C:/lib/foo.lib(bar.obj)") == ("C:/lib/foo.lib", "bar.obj")


@pytest.mark.parametrize(("first", "fmt"), [
    ("             VMA              LMA     Size Align Out     In      Symbol", "lld"),
    ("Address          Size             Align Out     In      Symbol", "lld"),
    ("# IAR ELF Linker V9.32.1.338/W64 for ARM", "iar"),
    ("Component: ARM Compiler 5.06 update 7 (build 960) Tool: armlink [4d3637]", "armlink"),
    ("Archive member included because of file (symbol)", "gold"),
    ("Archive member included to satisfy reference by file (symbol)\n\nMemory Configuration",
     "gnu-ld"),
    ("just some text", "unknown"),
])
def test_detect_format(first, fmt):
    assert detect_format(first + "\n") == fmt


def test_unsupported_formats_are_refused_by_name():
    with pytest.raises(SizeReportError, match="an LLVM lld map, which is not supported yet"):
        parse_map_text("    VMA    LMA     Size Align Out     In      Symbol\n", "x.map")
    with pytest.raises(SizeReportError, match="not a GNU ld map"):
        parse_map_text("hello\n", "x.map")


@pytest.mark.parametrize(("cut", "message"), [
    ("Linker script and memory map", "ends before 'Linker script and memory map'"),
    ("OUTPUT(app.elf", "no OUTPUT"),
])
def test_truncated_maps(cut, message):
    with pytest.raises(SizeReportError, match=message):
        parse_map_text(GNU_MAP[:GNU_MAP.index(cut)], "x.map")


def test_damaged_memory_configuration():
    bad = GNU_MAP.replace("RAM              0x20000000", "RAM              0xZZ")
    with pytest.raises(SizeReportError, match="unexpected line in 'Memory Configuration'"):
        parse_map_text(bad, "x.map")
