"""The ELF reader on real firmware: sections, load addresses, classes, symbols; bad files."""

from __future__ import annotations

import pytest

from tinyml_build.errors import SizeReportError
from tinyml_build.size.elf import ElfSection, read_elf


def test_cortex_m4_elf(m4_kws):
    elf = read_elf(m4_kws.elf)
    assert elf.machine == "EM_ARM" and elf.bits == 32 and elf.has_symtab
    text, data, bss = elf.section(".text"), elf.section(".data"), elf.section(".bss")
    assert text.memory_class == "flash" and text.exec
    assert data.memory_class == "flash+ram"
    assert data.address == 0x20000000 and 0x08000000 <= data.load_address < 0x08080000
    assert bss.memory_class == "ram" and bss.nobits
    assert elf.section(".debug_info").memory_class is None
    sym = {s.name: s for s in elf.symbols}
    assert sym["kws_arena"].size == 16_000 and sym["kws_arena"].bind == "STB_LOCAL"
    assert sym["Reset_Handler"].address % 2 == 0  # Thumb bit cleared
    assert sym["kws_invoke"].type == "STT_FUNC"


def test_rv32_elf_tls(rv32_kws):
    elf = read_elf(rv32_kws.elf)
    assert elf.machine == "EM_RISCV"
    tbss = elf.section(".tbss")
    assert tbss is not None and tbss.tls_template_only
    errno = [s for s in elf.symbols if s.type == "STT_TLS"]
    assert errno and all(tbss.address <= s.address < tbss.address + tbss.size for s in errno
                         if s.section == tbss.index)


def test_memory_classes():
    def sec(type_, flags):
        return ElfSection(1, "s", type_, flags, 0, 4, 0)

    assert sec("SHT_PROGBITS", 0x6).memory_class == "flash"
    assert sec("SHT_PROGBITS", 0x2).memory_class == "flash"
    assert sec("SHT_PROGBITS", 0x3).memory_class == "flash+ram"
    assert sec("SHT_PROGBITS", 0x7).memory_class == "flash+ram"
    assert sec("SHT_NOBITS", 0x3).memory_class == "ram"
    assert sec("SHT_PROGBITS", 0x0).memory_class is None


def test_bad_files(tmp_path):
    p = tmp_path / "x.elf"
    p.write_bytes(b"")
    with pytest.raises(SizeReportError, match="is not an ELF file"):
        read_elf(p)
    p.write_bytes(b"\x7fELF\x01\x01\x01" + b"\x00" * 40)
    with pytest.raises(SizeReportError, match=r"damaged or truncated|no section headers"):
        read_elf(p)
