"""The merged report on a made-up firmware: placement, every-byte accounting, attribution."""

from __future__ import annotations

import dataclasses

import pytest

from tinyml_build.errors import SizeReportError
from tinyml_build.size.attribution import load_manifest
from tinyml_build.size.elf import ElfSection
from tinyml_build.size.mapfile import OutputSection
from tinyml_build.size.tree import GAPS, LINKER, SCHEMA, UNATTRIBUTED, build_report

from .synthetic import RAM, elf_image, link_map, manifest_dict, write_manifest


@pytest.fixture
def report(tmp_path):
    return build_report(elf_image(), link_map(), [load_manifest(write_manifest(tmp_path))])


def test_regions_use_ld_extents_and_load_images(report):
    flash, ram = report["regions"]["FLASH"], report["regions"]["RAM"]
    assert report["schema"] == SCHEMA
    assert flash["used"] == 0x190 and flash["size"] == 0x1000 and flash["free"] == 0x1000 - 0x190
    assert list(flash["sections"]) == [".text", ".rodata", ".data"]
    assert flash["sections"][".data"]["load_image"] is True
    assert flash["sections"][".data"]["address"] == 0x180
    assert ram["used"] == 0x180
    assert ram["sections"][GAPS]["size"] == 0x10  # .bss ends at 0x70, .stack starts at 0x80
    assert ram["sections"][".data"]["address"] == RAM
    assert "load_image" not in ram["sections"][".data"]
    assert report["totals"] == {"flash": 0x190, "ram": 0x170}


def test_children_add_up_everywhere(report):
    for region in report["regions"].values():
        assert sum(s["size"] for s in region["sections"].values()) == region["used"]
        assert sum(region["contributors"].values()) == region["used"]
        for sec in region["sections"].values():
            archives = sec.get("archives", {})
            if archives:
                assert sum(a["size"] for a in archives.values()) == sec["size"]
            for a in archives.values():
                assert sum(o["size"] for o in a["objects"].values()) == a["size"]
                for o in a["objects"].values():
                    if o["symbols"]:
                        assert sum(s["size"] for s in o["symbols"].values()) == o["size"]


def test_tree_levels_and_explicit_buckets(report):
    text = report["regions"]["FLASH"]["sections"][".text"]["archives"]
    assert set(text) == {"libm.a", "(no archive)", LINKER}
    assert text["libm.a"]["path"] == "/build/libm.a"
    fc = text["libm.a"]["objects"]["tml_fc.c.obj"]
    assert fc["symbols"] == {"tml_fc_s8": {"size": 0x80}, UNATTRIBUTED: {"size": 0x10}}
    assert text[LINKER]["objects"]["*fill*"]["size"] == 0x10
    bss = report["regions"]["RAM"]["sections"][".bss"]["archives"]
    # 0x10 at the end of .bss that no input section claims
    assert bss[LINKER]["objects"]["(linker script)"]["size"] == 0x10
    # `inner` lies inside `history`: its bytes are counted once
    assert bss["(no archive)"]["objects"]["app.o"]["symbols"] == {"history": {"size": 0x10}}


def test_aliases_are_folded_into_one_symbol(report):
    data = report["regions"]["RAM"]["sections"][".data"]["archives"]["(no archive)"]
    syms = data["objects"]["app.o"]["symbols"]
    assert syms["state"] == {"size": 8, "aliases": ["_state"]}
    assert syms[UNATTRIBUTED]["size"] == 4  # bytes 4..8 of .data


def test_model_attribution(report):
    m = report["models"]["m"]
    assert (m["weights"], m["tables"], m["arena"]) == (0x40, 0x30, 0x40)
    assert m["kernels"] == 0x90 and m["kernels_by_backend"] == {"reference": 0x90}
    assert m["code"] == 0x40 + 0x10  # m.c.obj's .text, and m_weights.c.obj's loose bytes
    assert m["flash"] == 0x40 + 0x30 + 0x90 + 0x50
    assert m["ram"] == 0x40
    assert m["regions"]["FLASH"]["weights"] == 0x40 and m["regions"]["RAM"]["arena"] == 0x40
    assert report["regions"]["FLASH"]["contributors"]["m kernels"] == 0x90
    assert report["regions"]["RAM"]["contributors"]["m arena"] == 0x40
    rodata = report["regions"]["FLASH"]["sections"][".rodata"]["archives"]["libm.a"]
    weights = rodata["objects"]["m_weights.c.obj"]
    assert weights["model"] == "m" and weights["part"] == "code"
    assert weights["symbols"]["m_c0"]["part"] == "weights"
    assert weights["symbols"]["m_c1"]["part"] == "tables"
    assert report["messages"] == []


def test_flat_sections_are_the_elf_sections(report):
    assert report["sections"][".data"] == {
        "address": RAM, "load_address": 0x180, "size": 0x10, "type": "PROGBITS",
        "flags": "WA", "class": "flash+ram", "regions": ["FLASH", "RAM"]}
    assert report["sections"][".comment"]["class"] is None
    assert report["sections"][".comment"]["regions"] == []


def test_without_a_map_regions_are_flash_and_ram_classes(tmp_path):
    report = build_report(elf_image(), None, [load_manifest(write_manifest(tmp_path))])
    assert set(report["regions"]) == {"flash", "ram"}
    assert report["regions"]["flash"]["used"] == 0x190
    assert report["regions"]["ram"]["used"] == 0x170
    assert report["regions"]["flash"]["size"] is None
    # symbols still find their model by name; whole objects are unknown without the map
    m = report["models"]["m"]
    assert (m["weights"], m["tables"], m["arena"]) == (0x40, 0x30, 0x40)
    assert m["kernels"] == 0x80  # the op's entry function, by name


def test_stripped_elf_falls_back_to_map_symbols(tmp_path):
    report = build_report(elf_image(with_symtab=False), link_map(),
                          [load_manifest(write_manifest(tmp_path))])
    assert report["elf"]["symbols"] == "map"
    text = report["regions"]["FLASH"]["sections"][".text"]["archives"]["libm.a"]
    assert text["objects"]["m.c.obj"]["symbols"]["m_invoke"]["size"] == 0x30
    assert report["models"]["m"]["weights"] == 0x40


def test_map_that_does_not_match_the_elf():
    lm = link_map()
    lm.sections[0] = dataclasses.replace(lm.sections[0], size=0x104)
    with pytest.raises(SizeReportError, match=r"section \.text is 256 B at 0x0 in the ELF"):
        build_report(elf_image(), lm, [])
    lm = link_map()
    del lm.sections[1]
    with pytest.raises(SizeReportError, match=r"\.rodata .* is not in the map"):
        build_report(elf_image(), lm, [])


def test_model_missing_from_the_firmware(tmp_path):
    path = write_manifest(tmp_path, manifest_dict("other"))
    with pytest.raises(SizeReportError, match=r"model 'other' .* is not in fw\.elf"):
        build_report(elf_image(), link_map(), [load_manifest(path)])


def test_arena_size_disagreeing_with_the_manifest_is_reported(tmp_path):
    data = manifest_dict()
    data["arena_bytes"] = 0x80
    report = build_report(elf_image(), link_map(), [load_manifest(write_manifest(tmp_path, data))])
    assert "arena is 64 B in the ELF but 128 B" in report["messages"][0]


def test_tls_template_section_takes_no_region_space():
    tbss = ElfSection(7, ".tbss", "SHT_NOBITS", 0x403, RAM + 0x70, 0x8, RAM + 0x70)
    image = dataclasses.replace(elf_image(), sections=(*elf_image().sections, tbss))
    lm = link_map()
    lm.sections.append(OutputSection(".tbss", RAM + 0x70, 0x8, None, []))
    report = build_report(image, lm, [])
    assert report["regions"]["RAM"]["used"] == 0x180
    assert ".tbss" not in report["regions"]["RAM"]["sections"]
    assert report["sections"][".tbss"]["regions"] == []
    assert report["totals"]["ram"] == 0x170
